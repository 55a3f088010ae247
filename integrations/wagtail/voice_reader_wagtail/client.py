"""The content API of voice-reader, as this site calls it: one function per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import requests

from voice_reader_wagtail import conf

API = "/api/v1/documents/"


@dataclass(frozen=True)
class Answer:
    """What voice-reader answered, or why it could not be asked."""

    status: int | None
    """The HTTP status; None when no answer came (service down, timeout, not configured)."""
    body: dict = field(default_factory=dict)
    """The JSON body, or {} when there was none."""
    error: str = ""
    """Why no answer came, in words an editor can act on."""

    @property
    def ok(self) -> bool:
        """Say whether the request did what it asked (any 2xx)."""
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        """Say in one line what happened: the error, the API's own words, or the status."""
        if self.status is None:
            return self.error
        said = self.body.get("error", "")
        problems = self.body.get("problems") or []
        if problems:
            said = f"{said}: {'; '.join(problems)}" if said else "; ".join(problems)
        return f"HTTP {self.status}: {said}" if said else f"HTTP {self.status}"


def document_url(name: str) -> str:
    """Return the API address of a document, each part of its path quoted."""
    return conf.service_url() + API + quote(name, safe="/")


def page_url(name: str) -> str:
    """Return the address where voice-reader serves a document to listeners."""
    return f"{conf.service_url()}/documents/{quote(name, safe='/')}"


def _call(method: str, url: str, timeout: float | None = None, **kwargs) -> Answer:
    if not conf.configured():
        return Answer(None, error="VOICE_READER_URL and VOICE_READER_TOKEN are not both set")
    headers = {"Authorization": f"Bearer {conf.token()}", "Accept": "application/json"}
    try:
        response = requests.request(
            method,
            url,
            headers=headers,
            timeout=timeout or conf.timeout(),
            allow_redirects=False,
            **kwargs,
        )
    except requests.RequestException as error:
        # Any failure to reach the service is an answer for the editor, never an exception
        # in the publish that started it.
        return Answer(
            None,
            error=f"voice-reader could not be reached at {conf.service_url()}: "
            f"{type(error).__name__}",
        )
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {}
    return Answer(response.status_code, body if isinstance(body, dict) else {})


def put_document(name: str, html: str, source_url: str | None) -> Answer:
    """Send a page's HTML to be published as document `name` (queued for its audio)."""
    payload = {"html": html}
    if source_url:
        payload["source_url"] = source_url
    if conf.callback_url():
        payload["callback_url"] = conf.callback_url()
    return _call("PUT", document_url(name), json=payload)


def get_document(name: str, timeout: float | None = None) -> Answer:
    """Ask for a document's state: its build, which version has audio, and findings."""
    return _call("GET", document_url(name), timeout=timeout)


def delete_document(name: str) -> Answer:
    """Unpublish document `name`: it answers 410 Gone from then on."""
    return _call("DELETE", document_url(name))


def move_document(old: str, new: str) -> Answer:
    """Rename document `old` to `new`, keeping its audio; the old address redirects."""
    return _call("POST", document_url(old) + "/move", json={"to": new})


def get_manifest(name: str, timeout: float | None = None) -> Answer:
    """Fetch a document's published manifest (its audio), which needs no token."""
    url = f"{conf.service_url()}/api/documents/{quote(name, safe='/')}/manifest.json"
    return _call("GET", url, timeout=timeout)


def get_text(url: str, timeout: float | None = None) -> tuple[int | None, bytes]:
    """Fetch any address on the service; (None, b"") when it cannot be reached."""
    try:
        response = requests.get(url, timeout=timeout or conf.timeout(), allow_redirects=False)
    except requests.RequestException:
        return None, b""
    return response.status_code, response.content
