"""What an editor does to pages, through Wagtail's Python API, and waiting for the results."""

from __future__ import annotations

import re
import time

from voice_reader_wagtail import sending

from testsite.models import ArticlePage
from testsite.service import Service

AUDIO_SECONDS = 60
"""How long a build may take before a test gives up on its audio."""


def article(slug: str, title: str, body: str = "") -> ArticlePage:
    """Return a new, unsaved draft article."""
    body = body or f"<p>What to do about {title.lower()}. Ask a pharmacist.</p>"
    return ArticlePage(title=title, slug=slug, body=body, live=False)


def add_published(parent, slug: str, title: str, body: str = "") -> ArticlePage:
    """Add a draft article under `parent` and publish it as an editor does; return it."""
    page = parent.add_child(instance=article(slug, title, body))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def settle() -> None:
    """Wait until every request the site queued for voice-reader has ended."""
    assert sending.wait(timeout=AUDIO_SECONDS), "the site's requests to voice-reader did not end"


def wait_for_audio(service: Service, name: str, source: str = "", findings: bool = False) -> dict:
    """Wait until voice-reader publishes `name` with audio (of `source`, if given).

    With `findings`, wait too for the findings its build job reports once it has ended.
    """
    deadline = time.monotonic() + AUDIO_SECONDS
    while True:
        answer = service.get(f"/api/v1/documents/{name}")
        document = answer.json() if answer.status_code == 200 else {}
        published = document.get("published") or {}
        if (
            published.get("audio")
            and published.get("source") == (source or published["source"])
            and (document.get("findings") or not findings)
        ):
            return document
        assert time.monotonic() < deadline, f"{name} has no audio: {answer.status_code} {document}"
        time.sleep(0.05)


def panel_of(page_html: str) -> str:
    """Return the audio panel's markup from a rendered edit view."""
    found = re.search(r"<section class=\"voice-reader-panel.*?</section>", page_html, re.S)
    assert found, "the edit view has no audio panel"
    return found.group(0)
