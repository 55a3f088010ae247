"""A document of 3,000 sections plays its last and a middle section in its page, and downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from reader import create_app
from reader import manifest as mf
from reader.pipeline.build import build_documents
from tests.support.browser import PLAYER, READY, LiveServer, wait_for_player
from tests.support.content import FAKE, write_document
from tests.support.player import call_player

SLUG = "a-to-z"
COUNT = 3000
"""Sections: the title's, then "Part 1" to "Part 2999" (more than 255, the CTOC byte's limit)."""
PATIENCE = 180_000
"""Milliseconds to wait for the player and its sheet: their work grows faster than the sections."""
BODY = "".join(f"<h2>Part {n}</h2><p>Text {n}.</p>" for n in range(1, COUNT))
PAGE = f'<html lang="en-GB"><body><main><h1>A to Z</h1><p>Intro.</p>{BODY}</main></body></html>'

# Resolves with the detail of the next voice-reader-section event (the documented event the
# element sends when a section starts) after asking it, through its API, to play `index`.
PLAY_SECTION_JS = """(index) => new Promise((resolve) => {
  const el = document.querySelector('voice-reader');
  el.addEventListener('voice-reader-section', (event) => resolve(event.detail), {once: true});
  el.playSection(index);
})"""


@pytest.fixture(scope="module")
def long_site(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """Build the 3,000-section document once with the fake engine and serve it on a free port."""
    root = tmp_path_factory.mktemp("long")
    content, out = root / "content", root / "build"
    write_document(content, SLUG, PAGE)
    summary = build_documents(content, out, options=FAKE)
    assert not summary.failed, summary.failed
    manifest = mf.load_manifest(out, SLUG)
    app = create_app({"TESTING": True, "CONTENT_DIR": content, "BUILD_DIR": out})
    with LiveServer(app) as server:
        yield SimpleNamespace(
            url=f"{server.url}/documents/{SLUG}",
            ids=[s.id for s in manifest.sections],
            download=manifest.download,
        )


def test_the_last_and_a_middle_section_of_3000_play_and_the_whole_page_downloads(page, long_site):
    page.goto(long_site.url, timeout=PATIENCE)
    page.wait_for_selector(READY, state="attached", timeout=PATIENCE)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    assert page.evaluate("() => document.querySelector('voice-reader').sections.length") == COUNT

    for index in (COUNT - 1, COUNT // 2):
        heard = page.evaluate(PLAY_SECTION_JS, index)
        assert heard == {"index": index, "id": long_site.ids[index], "heading": f"Part {index}"}
        # Its audio is really playing: the section's own clock moves.
        wait_for_player(page, PATIENCE, state="playing", section=index, sectionTime=0.2)
        expect(page.locator(PLAYER)).to_have_attribute("data-state", "playing")
    call_player(page, "pause")
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")

    page.get_by_role("button", name="More").click(timeout=PATIENCE)
    link = page.get_by_role("link", name=re.compile(r"^Download \(MP3, "))
    expect(link).to_be_visible(timeout=PATIENCE)
    head = page.request.head(link.get_attribute("href"))
    assert head.status == 200 and head.headers["content-type"] == "audio/mpeg"
    assert int(head.headers["content-length"]) == long_site.download.bytes
