"""What the editor's panel shows: the document's state at voice-reader, asked for live."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from voice_reader_wagtail import client, conf, names
from voice_reader_wagtail.models import AudioRecord

PANEL_TIMEOUT = 3.0
"""Seconds the editor's page waits for voice-reader before saying it cannot be reached."""

STATES = {
    "ready": "Published",
    "queued": "Waiting to be built",
    "building": "Being built",
    "failed": "The last build failed",
    "missing": "Not built yet",
}


@dataclass
class PanelState:
    """Everything the panel says about one page's audio."""

    name: str | None
    """The page's document name; None when the page is not sent (no site, or not set up)."""
    configured: bool
    record: AudioRecord | None = None
    """How this site's last request about the page went."""
    document: dict | None = None
    """The API's document, when voice-reader has one."""
    unreachable: str = ""
    """Why voice-reader could not be asked, if it could not."""
    audio_url: str = ""
    """The whole page's MP3, for the panel's player."""
    page_url: str = ""
    findings: list[str] = field(default_factory=list)

    @property
    def reported(self) -> bool:
        """Say whether voice-reader's callbacks have told this site how a build of it ended."""
        return self.record is not None and bool(self.record.reported_state)

    @property
    def reported_state(self) -> str:
        """Say in words the state voice-reader's last callback reported."""
        if not self.reported:
            return ""
        return STATES.get(self.record.reported_state, self.record.reported_state)

    @property
    def from_report(self) -> bool:
        """Say whether the panel shows the last callback's state, voice-reader being unreachable."""
        return self.document is None and bool(self.unreachable) and self.reported

    @property
    def state(self) -> str:
        """Say the build's state in words."""
        if self.from_report:
            return f"{self.reported_state} (as voice-reader last reported)"
        if self.document is None:
            return "Not at voice-reader"
        return STATES.get(self.document.get("state"), str(self.document.get("state")))

    @property
    def state_key(self) -> str:
        """Return the state's key (ready, failed, …), or "none" when there is no document."""
        if self.from_report:
            return self.record.reported_state
        return (self.document or {}).get("state") or "none"

    @property
    def audio(self) -> str:
        """Say which version has audio: the one published last here, an earlier one, or none."""
        published = (self.document or {}).get("published") or {}
        if self.from_report:
            published = {"audio": self.record.reported_audio, "source": self.record.reported_source}
        if not published.get("audio"):
            return "No audio yet"
        latest = self.record is not None and published.get("source") == self.record.source
        if latest:
            return "The version published last has audio"
        return "An earlier version has audio; the latest is not built yet"


def _download_url(name: str) -> str:
    """Return the address of the whole page's MP3, read from the published manifest."""
    answer = client.get_manifest(name, timeout=PANEL_TIMEOUT)
    download = answer.body.get("download") if answer.ok else None
    if not download or not download.get("audio"):
        return ""
    manifest_url = client.document_url(name).replace("/api/v1/documents/", "/api/documents/")
    return urljoin(manifest_url + "/manifest.json", download["audio"])


def panel_state(page) -> PanelState:
    """Ask voice-reader for a page's document and gather what the panel shows."""
    name = names.document_name(page) if page.pk else None
    state = PanelState(name=name, configured=conf.configured())
    if page.pk:
        state.record = AudioRecord.objects.filter(page_id=page.pk).first()
    if not name or not state.configured:
        return state
    state.page_url = client.page_url(name)
    answer = client.get_document(name, timeout=PANEL_TIMEOUT)
    if answer.status is None:
        state.unreachable = answer.error
    elif answer.ok:
        state.document = answer.body
        state.findings = [str(f) for f in answer.body.get("findings") or []]
        if (answer.body.get("published") or {}).get("audio"):
            state.audio_url = _download_url(name)
    elif answer.status != 404:
        state.unreachable = answer.describe()
    return state
