"""The player widget on other sites: strict CSP, hostile CSS, no article, loaded twice, small."""

from __future__ import annotations

import gzip
import re

from playwright.sync_api import expect

from tests.support.browser import (
    START,
    STATIC,
    axe_violations,
    open_player,
    state,
)
from tests.support.host import HOSTILE
from tests.support.player import call_player, wait_until_playing

JS_BUDGET, CSS_BUDGET = 15 * 1024, 5 * 1024
# Loaded only where figures are on, beside the script: small, or the figures cost every visitor.
LISTENING_BUDGET = 2 * 1024


def embed(site, slug: str) -> str:
    return f'<voice-reader document="{slug}" src="{site.url}"></voice-reader>'


def test_embedded_under_strict_csp_and_hostile_css(page, site, host):
    url = host(f"<h1>About our clinic</h1><p>We embed a reader below.</p>{embed(site, site.slug)}")
    assert not url.startswith(site.url)
    open_player(page, url)
    play = page.get_by_role("button", name=START)
    expect(play).to_be_visible()
    box = play.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # our stylesheet applied despite the CSP
    play.click()
    wait_until_playing(page, 1.2)
    # Without the article on the page, the sentence being read is shown in the player.
    # A sentence of the text (the first is the title, also the section's name), kept by
    # pausing at its end.
    sentence = site.sections[1]["sentences"][1]
    end = site.sections[0]["duration"] + sentence["end"]
    call_player(page, "playSection", 1, sentence["start"], end)
    wait_until_playing(page, sentence["start"], section=1)
    caption = page.locator("voice-reader").get_by_text(sentence["text"], exact=True)
    expect(caption).to_be_visible()
    assert state(page)["highlight"] is None
    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()
    expect(page.get_by_role("button", name="Click to listen")).to_be_hidden()
    assert axe_violations(page, context="voice-reader") == []


def test_listen_controls_survive_hostile_css(page, site):
    page.route(
        "**/static/page.css",
        lambda route: route.fulfill(status=200, content_type="text/css", body=HOSTILE),
    )
    open_player(page, site.document_url)
    listen = page.get_by_role("button", name=f"Listen from here: {site.heading(3)}")
    expect(listen).to_be_visible()
    box = listen.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    listen.click()
    wait_until_playing(page, 0.1, section=3)


def test_loading_the_script_twice_is_harmless(page, site):
    open_player(page, site.document_url)
    page.add_script_tag(url=f"{site.url}/static/voice-reader.js")
    page.add_script_tag(url=f"{site.url}/static/voice-reader.js")
    page.wait_for_timeout(300)
    assert page.locator("voice-reader").count() == 1
    assert page.locator(".vr-listen-control").count() == len(site.sections) - 1  # not the title
    assert page.locator("voice-reader .vr-player").count() == 1
    page.get_by_role("button", name=START).click()
    wait_until_playing(page)


def test_no_globals_but_the_element(new_page, site):
    bare = new_page()  # the same page with an empty script in place of the widget
    bare.route(
        "**/voice-reader.js",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
    )
    bare.goto(site.document_url)
    names = "() => Object.getOwnPropertyNames(window)"
    before = set(bare.evaluate(names))
    page = new_page()
    open_player(page, site.document_url)
    added = set(page.evaluate(names)) - before
    assert added == set(), added


def test_size_budget():
    js = len(gzip.compress((STATIC / "voice-reader.js").read_bytes(), 9))
    css = len(gzip.compress((STATIC / "voice-reader.css").read_bytes(), 9))
    listening = len(gzip.compress((STATIC / "voice-reader-listening.js").read_bytes(), 9))
    assert js <= JS_BUDGET, js
    assert css <= CSS_BUDGET, css
    assert listening <= LISTENING_BUDGET, listening


def test_the_code_keeps_its_shape():
    source = (STATIC / "voice-reader.js").read_text()
    listening = (STATIC / "voice-reader-listening.js").read_text()
    # Readable names: no one-letter variable or parameter but the index `i`.
    for text in (source, listening):
        names = re.findall(r"\b(?:const|let|var)\s+(\w+)", text)
        for params in re.findall(r"\(([^()]*)\)\s*=>|function\s*\w*\s*\(([^()]*)\)", text):
            for part in ",".join(params).split(","):
                names.append(re.sub(r"[\[\]{}.\s]|=.*", "", part))
        assert {name for name in names if len(name) == 1} <= {"i"}, sorted(set(names))
    # The listening figures see a player only through its public API (docs/widget.md).
    used = set(re.findall(r"\bplayer\.(\w+)", listening))
    public = {"listening", "state", "section", "sections", "sectionTime", "media"}
    assert used <= public | {"isConnected", "localName"}, used
    # The controller speaks to its views only through their methods (and their root `el`).
    reached = set(re.findall(r"this\.(?:main|mini|page)\.(\w+)(?!\w*\()", source))
    assert reached <= {"el"}, reached
    # One table of event names: every event the widget sends is named there.
    assert "const EVENTS = {" in source
    assert not re.findall(r"\bemit\([^,]+,\s*['`]", source)
