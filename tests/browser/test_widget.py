"""The player widget on the real service: listening, navigation, the text, memory, failures."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import (
    PLAYER,
    START,
    axe_violations,
    controls,
    expect_http_errors,
    focused,
    keyboard_journey,
    open_player,
    playing_status,
    sentence_at,
    state,
)
from tests.support.player import until, wait_until_playing

# Finds a sentence inside one text node, not at its start; returns where to click on it.
FIND_SENTENCE_JS = """(texts) => {
  const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
  const nodes = []; for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
  for (const text of texts) {
    for (const node of nodes) {
      const data = node.data.replace(/\\s+/g, ' '), at = data.indexOf(text);
      if (at > 1 && data === node.data) {
        const r = new Range(); r.setStart(node, at + 2); r.setEnd(node, at + 6);
        r.startContainer.parentElement.scrollIntoView({block: 'center'});
        const b = r.getBoundingClientRect();
        return {text, x: b.x + b.width / 2, y: b.y + b.height / 2};
      }
    }
  }
  return null;
}"""


def set_time(page, section: int, seconds: float) -> None:
    """Move to `seconds` into `section` through the element's currentTime (whole-page seconds)."""
    page.evaluate(
        """([i, t]) => { const el = document.querySelector('voice-reader');
        el.currentTime = el.sections[i].start + t; }""",
        [section, seconds],
    )


def test_axe_idle_and_no_autoplay(page, site):
    open_player(page, site.document_url)
    assert axe_violations(page) == []
    page.wait_for_timeout(500)
    now = state(page)
    assert now["paused"] and now["state"] == "ready" and now["status"] == ""


def test_axe_playing_paused_and_panels_open(page, site):
    open_player(page, site.document_url)
    page.get_by_role("button", name=START).click()
    wait_until_playing(page)
    assert axe_violations(page) == []
    controls(page).get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")
    assert axe_violations(page) == []
    page.get_by_role("button", name="More").click()
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(page.get_by_role("button", name=site.heading(7), exact=True)).to_be_visible()
    assert axe_violations(page) == []


def test_keyboard_only_journey(page, site):
    open_player(page, site.document_url)
    keyboard_journey(page, site)


def test_every_sentence_maps_to_its_text_in_the_page(page, site):
    open_player(page, site.document_url)
    mapped = page.evaluate("() => document.querySelector('voice-reader').pageText()")
    assert mapped == [[s["text"] for s in section["sentences"]] for section in site.sections]


def test_highlight_matches_the_manifest_sentence(page, site):
    open_player(page, site.document_url)
    page.get_by_role("button", name=f"Listen from here: {site.heading(1)}").click()
    wait_until_playing(page, site.sections[1]["sentences"][1]["start"] + 0.2, section=1)
    controls(page).get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")
    now = state(page)
    assert now["highlight"] == sentence_at(site, now["section"], now["time"])


def test_highlight_follows_playback_across_sentences(page, site):
    open_player(page, site.document_url)
    page.evaluate("() => { document.querySelector('voice-reader').playbackRate = 2; }")
    page.get_by_role("button", name=f"Listen from here: {site.heading(2)}").click()
    seen = set()
    for _ in range(14):
        page.wait_for_timeout(300)
        now = page.evaluate("""() => { const el = document.querySelector('voice-reader');
            const r = [...CSS.highlights.get('voice-reader-sentence') || []][0];
            const t = el.sectionTime;
            return {t, i: el.section, text: r && r.toString().replace(/\\s+/g, ' ').trim()}; }""")
        if now["i"] == 2 and now["text"]:
            seen.add(now["text"])
            # The highlight is at most one frame behind the audio.
            assert now["text"] in (
                sentence_at(site, 2, now["t"]),
                sentence_at(site, 2, now["t"] - 0.1),
            )
    assert len(seen) >= 3


def test_listen_from_here_starts_that_section(page, site):
    open_player(page, site.document_url)
    # Every section's link became a button but the title's, which the player under it starts.
    expect(page.locator(".vr-listen button")).to_have_count(len(site.sections) - 1)
    assert page.locator(".vr-listen a").count() == 0
    page.get_by_role("button", name=f"Listen from here: {site.heading(7)}").click()
    wait_until_playing(page, 0.1, section=7)
    assert state(page)["status"] == playing_status(site, 7)
    assert state(page)["time"] < 2


def test_click_to_listen_starts_at_the_clicked_sentence(page, site):
    open_player(page, site.document_url)
    page.get_by_role("button", name="More").click()
    toggle = page.get_by_role("button", name="Click to listen")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    texts = [
        (i, k, s["text"])
        for i, sec in enumerate(site.sections)
        if i
        for k, s in enumerate(sec["sentences"])
        if k >= 2
    ]
    spot = page.evaluate(FIND_SENTENCE_JS, [t for _, _, t in texts])
    assert spot, "no sentence in the middle of a paragraph"
    i, k = next((i, k) for i, k, t in texts if t == spot["text"])
    paragraph = page.locator("article p", has_text=spot["text"]).first
    assert paragraph.get_attribute("tabindex") is None  # no extra tab stops until asked for

    page.keyboard.press("Escape")  # the More sheet covers the text: close it first
    page.mouse.click(spot["x"], spot["y"])  # off: a click on the text does nothing
    page.wait_for_timeout(200)
    assert state(page)["paused"]

    page.get_by_role("button", name="More").click()
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    assert paragraph.get_attribute("tabindex") == "0"
    spot = page.evaluate(FIND_SENTENCE_JS, [spot["text"]])
    page.mouse.click(spot["x"], spot["y"])
    target = site.sections[i]["sentences"][k]
    wait_until_playing(page, target["start"], section=i)
    assert state(page)["time"] < target["end"]

    # Selecting text is not hijacked.
    controls(page).get_by_role("button", name="Pause", exact=True).click()
    other = page.locator("article p:not(.vr-listen)").nth(6)
    other.scroll_into_view_if_needed()
    where = other.bounding_box()
    page.mouse.move(where["x"] + 5, where["y"] + 12)
    page.mouse.down()
    page.mouse.move(where["x"] + 200, where["y"] + 12, steps=5)
    page.mouse.up()
    assert page.evaluate("() => getSelection().toString().length") > 5
    assert state(page)["section"] == i and state(page)["paused"]

    # Enter on a focused paragraph starts its first sentence.
    page.evaluate("() => getSelection().removeAllRanges()")
    firsts = page.evaluate(
        """(texts) => { for (const [i, k, t] of texts) {
        const p = [...document.querySelectorAll('article p')]
            .find(p => p.textContent.replace(/\\s+/g, ' ').trim().startsWith(t));
        if (p) { p.focus(); return [i, k]; } } return null; }""",
        [[i, k, t] for i, k, t in texts if i != 1 or k != 2],
    )
    page.keyboard.press("Enter")
    wait_until_playing(
        page, site.sections[firsts[0]]["sentences"][firsts[1]]["start"], section=firsts[0]
    )

    page.get_by_role("button", name="More").click()
    toggle.click()
    assert paragraph.get_attribute("tabindex") is None


def test_resume_is_offered_after_a_reload(page, site):
    open_player(page, site.document_url)
    page.get_by_role("button", name=f"Listen from here: {site.heading(7)}").click()
    wait_until_playing(page, 1.5, section=7)
    controls(page).get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")
    saved = state(page)["time"]
    page.reload()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    resume = page.get_by_role("button", name=f"Resume {site.heading(7)}", exact=True)
    expect(resume).to_be_visible()
    page.wait_for_timeout(300)
    assert state(page)["paused"]  # offered, never autoplayed
    resume.focus()
    page.keyboard.press("Enter")
    wait_until_playing(page, int(saved) - 0.1, section=7)
    expect(resume).to_be_hidden()
    assert focused(page) == "Pause|BUTTON"  # focus was not dropped with the hidden button


def test_sections_play_one_after_another(page, site):
    open_player(page, site.document_url)
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.1)
    set_time(page, 0, site.sections[0]["duration"] - 0.5)
    wait_until_playing(page, 0.1, section=1)
    assert state(page)["status"] == playing_status(site, 1)


def test_back_and_forward_keys_cross_section_edges(page, site):
    open_player(page, site.document_url)
    page.get_by_role("button", name=f"Listen from here: {site.heading(8)}").click()
    wait_until_playing(page, 0.1, section=8)
    pause = controls(page).get_by_role("button", name="Pause", exact=True)
    pause.press("j")
    wait_until_playing(page, site.sections[7]["duration"] - 11, section=7)
    controls(page).get_by_role("button", name="Pause", exact=True).press("l")
    wait_until_playing(page, 0, section=8)


def test_status_never_ticks_and_play_pause_renames_without_aria_pressed(page, site):
    open_player(page, site.document_url)
    assert page.get_by_role("button", name=START).get_attribute("aria-pressed") is None
    page.get_by_role("button", name=f"Listen from here: {site.heading(1)}").click()
    wait_until_playing(page, 0.2, section=1)
    page.evaluate("""() => { const s = document.querySelector('voice-reader').shadowRoot
        .querySelector('[role=status]'); window.changes = 0;
        new MutationObserver(() => window.changes++).observe(s, {childList: true, subtree: true,
        characterData: true}); }""")
    page.wait_for_timeout(2000)
    assert page.evaluate("() => window.changes") == 0
    page.evaluate("() => delete window.changes")
    pause = controls(page).get_by_role("button", name="Pause", exact=True)
    assert pause.get_attribute("aria-pressed") is None
    pause.click()
    expect(page.locator(PLAYER).get_by_role("status")).to_have_text("Paused")


def test_shortcuts_work_only_inside_the_player(page, site):
    open_player(page, site.document_url)
    page.locator("article p").nth(3).click()  # focus on the page, not in the player
    for key in ("k", "n", "p", "j", "l", "s", "?", "Space", ">"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    now = state(page)
    assert now["paused"] and now["state"] == "ready" and now["rate"] == 1
    sections = page.get_by_role("button", name="More")
    expect(sections).to_have_attribute("aria-expanded", "false")

    sections.focus()
    page.keyboard.press("k")
    wait_until_playing(page, 0.1)
    page.keyboard.press("n")
    wait_until_playing(page, 0.1, section=1)
    page.keyboard.press(">")
    assert state(page)["rate"] == 1.25
    page.keyboard.press("s")
    expect(sections).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("?")
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.get_by_text("Previous or next section", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(sections).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_text("Previous or next section", exact=True)).to_be_hidden()


def test_media_session_metadata(page, site):
    open_player(page, site.document_url)
    page.get_by_role("button", name=f"Listen from here: {site.heading(7)}").click()
    wait_until_playing(page, 0.1, section=7)
    meta = page.evaluate("""() => { const m = navigator.mediaSession.metadata;
        return {title: m.title, artist: m.artist, album: m.album}; }""")
    heading = site.heading(7)
    assert meta == {
        "title": site.manifest["document"]["title"],
        "artist": heading,
        "album": heading,
    }


def test_audio_failure_is_visible_and_recoverable(page, site):
    page.route(site.sections[1]["audio"], lambda route: route.fulfill(status=404, body="gone"))
    open_player(page, site.document_url)
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.1)
    set_time(page, 0, site.sections[0]["duration"] - 0.4)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "error")
    status = page.locator(PLAYER).get_by_role("status")
    expect(status).to_have_text(
        re.compile(re.escape(f"section 2 ({site.heading(1)}) could not be loaded"))
    )
    skip = page.get_by_role("button", name="Skip to next section")
    expect(skip).to_be_visible()
    assert axe_violations(page) == []
    skip.click()
    wait_until_playing(page, 0.1, section=2)
    expect(skip).to_be_hidden()
    expect_http_errors(page, 404)


def test_refused_play_is_reported(page, site):
    open_player(page, site.document_url)
    page.evaluate("""() => { HTMLMediaElement.prototype.play =
        () => Promise.reject(new DOMException('no', 'NotAllowedError')); }""")
    page.get_by_role("button", name=START).click()
    expect(page.locator(PLAYER).get_by_role("status")).to_have_text(
        "The browser did not let the audio start. Press Play to try again."
    )
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")


def test_manifest_failure_keeps_the_fallback_links(page, site):
    page.route(site.manifest_url, lambda route: route.fulfill(status=500, body="broken"))
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "error")
    expect(page.locator(PLAYER).get_by_role("status")).to_have_text(re.compile("could not load"))
    expect(page.locator(".vr-fallback")).to_be_visible()
    expect(page.locator(".vr-listen a")).to_have_count(len(site.sections))
    assert axe_violations(page) == []
    expect_http_errors(page, 500)


def test_auto_scroll_follows_and_stops_when_the_visitor_scrolls_away(new_page, site):
    page = new_page(viewport={"width": 800, "height": 360})
    open_player(page, site.document_url)
    page.get_by_role("button", name="More").click()
    page.get_by_role("button", name=site.heading(-1), exact=True).click()
    wait_until_playing(page, 0.5, section=len(site.sections) - 1)
    in_view = """() => { const r = [...CSS.highlights.get('voice-reader-sentence')][0]
        .getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"""
    until(page, in_view)
    page.wait_for_timeout(1000)  # let our smooth scroll settle
    page.mouse.move(400, 200)
    page.mouse.wheel(0, -50000)
    back = controls(page).get_by_role("button", name="Back to the sentence")
    expect(back).to_be_visible()
    back.click()
    until(page, in_view)
    expect(back).to_be_hidden()


def test_without_the_highlight_api_the_block_is_marked(page, site):
    page.add_init_script("delete window.Highlight;")
    open_player(page, site.document_url)
    page.get_by_role("button", name=f"Listen from here: {site.heading(1)}").click()
    wait_until_playing(page, site.sections[1]["sentences"][1]["start"] + 0.1, section=1)
    marked = page.locator(".vr-reading")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text(site.sections[1]["sentences"][1]["text"])
    assert page.evaluate("() => CSS.highlights.size") == 0
