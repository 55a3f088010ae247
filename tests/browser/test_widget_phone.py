"""The player as a phone visitor meets it: text first, words on touch screens, names that fit,
a short section list, the timeline, following, and listening to a selection."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, PLAYER, START, axe_violations, controls
from tests.support.nu import vnu_errors
from tests.support.player import (
    DESKTOP,
    FIRST_PARAGRAPH_JS,
    PHONE,
    TOUCH,
    call_player,
    player_property,
    sentence_box,
    set_player,
    snapshot,
    until,
    wait_until_playing,
    wait_until_state,
)

MINI = "Audio controls"
SELECTION = "Listen to the selection"
CLOCK = re.compile(r"\d+:\d\d")
# The heading's last line (where its Listen control belongs), as a box in the viewport.
LAST_LINE_JS = """(id) => { const heading = document.getElementById(id);
  const range = new Range(); range.selectNodeContents(heading);
  const lines = [...range.getClientRects()];
  const last = lines[lines.length - 1];
  return {top: last.top, bottom: last.bottom,
          right: Math.max(...lines.filter((r) => r.top === last.top).map((r) => r.right)),
          column: heading.getBoundingClientRect().right}; }"""
# Where a piece of the article's text is: the middle of character `offset` of `text`.
TEXT_POINT_JS = """([text, offset]) => {
  const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.replace(/\\s+/g, ' ').indexOf(text);
    if (at < 0 || node.data.replace(/\\s+/g, ' ') !== node.data) continue;
    node.parentElement.scrollIntoView({block: 'center'});
    const range = new Range();
    range.setStart(node, at + offset);
    range.setEnd(node, at + offset + 1);
    const r = range.getBoundingClientRect();
    return {x: r.left + 1, y: r.top + r.height / 2};
  }
  return null; }"""
# What a long press on a touch screen leaves: a selection from character `firstOffset` of the
# text `first` to character `lastOffset` of `last` (texts as the manifest has them).
SELECT_JS = """([first, firstOffset, last, lastOffset]) => {
  const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
  const where = []; let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const c = /\\s/.test(node.data[i]) ? ' ' : node.data[i];
      if (c === ' ' && text.endsWith(' ')) continue;
      text += c; where.push([node, i]);
    }
  }
  const start = where[text.indexOf(first) + firstOffset];
  const end = where[text.indexOf(last, text.indexOf(first)) + lastOffset];
  start[0].parentElement.scrollIntoView({block: 'center'});
  getSelection().setBaseAndExtent(start[0], start[1], end[0], end[1]); }"""
# A collapsed caret before character `offset` of the text `text`, as a click or caret browsing
# leaves it (the page's own Selection API).
CARET_JS = """([text, offset]) => {
  const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    node.parentElement.scrollIntoView({block: 'center'});
    getSelection().collapse(node, at + offset);
    return true;
  }
  return false; }"""
# Where the player is when it starts playing: [section, seconds into it].
WATCH_START_JS = """() => { const el = document.querySelector('voice-reader');
  window.__started = null;
  el.addEventListener('voice-reader-state', (event) => {
    if (event.detail.state === 'playing' && !window.__started) {
      window.__started = [el.section, el.sectionTime];
    }
  }); }"""
# Whether the sentence being read is none of those given.
NEW_SENTENCE_JS = """(seen) => { const hl = CSS.highlights.get('voice-reader-sentence');
  const range = hl && [...hl][0]; return !!range && !seen.includes(range.toString()); }"""
SENTENCE_IN_UPPER_THIRD_JS = """() => { const hl = CSS.highlights.get('voice-reader-sentence');
  const r = hl && [...hl][0].getBoundingClientRect();
  return !!r && r.top >= 0 && r.top <= innerHeight / 3; }"""
# How much of an element's text shows (the rest is cut by its line clamp).
SHOWN_CHARACTERS_JS = """(el) => { const box = el.getBoundingClientRect();
  const node = el.firstChild; let shown = 0;
  for (let i = 0; i < node.data.length; i++) {
    const range = new Range(); range.setStart(node, i); range.setEnd(node, i + 1);
    const r = range.getBoundingClientRect();
    if (r.bottom <= box.bottom + 1 && r.right <= box.right + 1) shown++; }
  return shown; }"""


def mini(page):
    return page.get_by_role("region", name=MINI)


def listen_from_here(page, heading: str):
    return page.get_by_role("button", name=f"Listen from here: {heading}", exact=True)


def scroll_away(page) -> None:
    """Scroll the main player out of view with the wheel, as a visitor does."""
    page.mouse.move(100, 200)
    # A wheel sends many small steps; one large jump can be overtaken by following's own
    # smooth scroll, which no visitor's wheel meets.
    for _ in range(10):
        page.mouse.wheel(0, 250)
        page.wait_for_timeout(30)
    expect(mini(page)).to_be_visible()


def whole_time(site, section: int, seconds: float) -> float:
    return sum(s["duration"] for s in site.sections[:section]) + seconds


def expect_selection_played(page, section: int, first: dict, last: dict) -> None:
    """Playback started at the `first` sentence of `section` and paused at the end of the `last`."""
    started = until(page, "() => window.__started", message="it never started playing")
    assert started[0] == section
    assert first["start"] - 0.05 <= started[1] <= first["start"] + 0.3, (started, first)
    wait_until_state(page, "paused")
    stopped = player_property(page, "sectionTime")
    assert last["end"] - 0.05 <= stopped <= last["end"] + 0.3, (stopped, last)
    assert player_property(page, "section") == section


def test_text_comes_first_on_a_phone(new_page, site):
    for options in ({"viewport": PHONE}, TOUCH):
        page = new_page(**options)
        page.goto(site.document_url)
        expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
        assert page.evaluate(FIRST_PARAGRAPH_JS) <= 360, options
        # No "Listen from here" for the title alone; one by every other heading.
        expect(listen_from_here(page, site.heading(0))).to_have_count(0)
        for i in range(1, len(site.sections)):
            expect(listen_from_here(page, site.heading(i))).to_have_count(1)
        # Each sits on its heading's own line, after the words, as a 44 x 44 target.
        for i in (1, 7, 15, len(site.sections) - 1):
            listen = listen_from_here(page, site.heading(i))
            listen.scroll_into_view_if_needed()
            box = listen.bounding_box()
            line = page.evaluate(LAST_LINE_JS, site.sections[i]["id"])
            assert box["width"] >= 44 and box["height"] >= 44, box
            assert box["y"] < line["bottom"] and box["y"] + box["height"] > line["top"], (box, line)
            assert box["x"] >= line["right"] and box["x"] + box["width"] <= line["column"] + 1
        page.evaluate("() => scrollTo(0, 0)")
        assert axe_violations(page) == [], options
        page.get_by_role("button", name=START).click()
        wait_until_playing(page, 0.2)
        assert page.evaluate(FIRST_PARAGRAPH_JS) <= 480, options
        assert axe_violations(page) == [], options


def test_touch_screens_show_a_word_on_every_control(new_page, site):
    page = new_page(**TOUCH)
    assert page.evaluate("() => matchMedia('(pointer: coarse)').matches")
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    expect(listen_from_here(page, site.heading(7))).to_have_text(re.compile(r"Listen"))
    assert listen_from_here(page, site.heading(7)).inner_text().strip() == "Listen"
    listen_from_here(page, site.heading(7)).tap()
    wait_until_playing(page, 0.2, section=7)
    # The accessible names are as they were; each button shows a word that its name holds.
    words = {
        "Pause": "Pause",
        "Previous section": "Previous",
        "Next section": "Next",
        "More": "More",
        "Back 10 seconds": "10",
        "Forward 10 seconds": "10",
    }
    for name, word in words.items():
        control = controls(page).get_by_role("button", name=name, exact=True)
        expect(control).to_be_visible()
        assert control.inner_text().strip() == word, name
    scroll_away(page)  # a visitor's scroll: following stops, and the way back is offered
    words = {
        "Pause": "Pause",
        "Next section": "Next",
        "Back to the sentence": "Back to the sentence",
        "Back to the player": "Back to the player",
        "Close the mini-player": "Close",
    }
    for name, word in words.items():
        control = mini(page).get_by_role("button", name=name, exact=True)
        expect(control).to_be_visible()
        assert control.inner_text().strip() == word, name
    # And nothing anywhere in the player is an icon alone.
    shown = page.locator("voice-reader button:visible, .vr-listen-control button:visible")
    for i in range(shown.count()):
        assert shown.nth(i).inner_text().strip(), shown.nth(i).get_attribute("aria-label")
    assert axe_violations(page) == []


def test_section_names_wrap_rather_than_being_cut(new_page, site):
    page = new_page(viewport=PHONE)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    longest = max(range(len(site.sections)), key=lambda i: len(site.heading(i)))
    call_player(page, "playSection", longest)
    wait_until_playing(page, 0.2, section=longest)
    page.evaluate("() => scrollTo(0, 0)")
    name = controls(page).get_by_text(site.heading(longest), exact=True).first
    expect(name).to_be_visible()
    size = name.evaluate(
        "(el) => [el.scrollHeight, el.clientHeight, parseFloat(getComputedStyle(el).lineHeight)]"
    )
    assert size[0] <= size[1] + 1 and size[1] <= 2 * size[2] + 1, size  # two lines, all shown
    scroll_away(page)
    name = mini(page).get_by_text(site.heading(longest), exact=True)
    assert name.evaluate(SHOWN_CHARACTERS_JS) >= 20
    expect(mini(page)).to_contain_text(re.compile(rf"{CLOCK.pattern} / {CLOCK.pattern}"))
    assert axe_violations(page) == []


def test_section_list_is_a_sheet_of_compact_rows(new_page, site):
    page = new_page(viewport=PHONE)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    call_player(page, "playSection", 9)
    wait_until_playing(page, 0.2, section=9)
    call_player(page, "pause")  # paused partway: following does not move the page meanwhile
    wait_until_state(page, "paused")
    page.evaluate("() => scrollTo(0, 0)")
    paragraph = page.evaluate(FIRST_PARAGRAPH_JS)
    more = controls(page).get_by_role("button", name="More")
    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    sheet = page.locator(f"voice-reader #{more.get_attribute('aria-controls')}")
    listing = page.get_by_role("list", name=f"Sections ({len(site.sections)})")
    rows = listing.get_by_role("listitem")
    expect(rows).to_have_count(len(site.sections))
    for i in (0, 9, len(site.sections) - 1):
        seconds = int(site.sections[i]["duration"])
        expect(rows.nth(i)).to_contain_text(site.heading(i))
        expect(rows.nth(i)).to_contain_text(f"{seconds // 60}:{seconds % 60:02d}")
    current = listing.get_by_role("button", name=site.heading(9), exact=True)
    expect(current).to_have_attribute("aria-current", "true")
    expect(current).to_be_in_viewport()
    assert listing.locator("[aria-current]").count() == 1
    # No taller than 60% of the screen, over the article (which does not move), and it
    # scrolls inside itself.
    box = sheet.bounding_box()
    assert box["height"] <= 0.6 * PHONE["height"] + 1, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 1, box
    assert page.evaluate(FIRST_PARAGRAPH_JS) == paragraph
    before = page.evaluate("() => scrollY")
    top = listing.evaluate("(el) => el.scrollTop")
    first = rows.first.bounding_box()
    page.mouse.move(first["x"] + 20, box["y"] + box["height"] - 30)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(300)
    assert listing.evaluate("(el) => el.scrollTop") > top
    assert page.evaluate("() => scrollY") == before
    assert axe_violations(page) == [], "More open"
    # A press outside the sheet closes it.
    page.mouse.click(5, PHONE["height"] - 5)
    expect(more).to_have_attribute("aria-expanded", "false")


def test_timeline_names_the_section_under_the_pointer_and_skips_ten_seconds(new_page, site):
    page = new_page(viewport=DESKTOP)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    call_player(page, "playSection", 7)
    wait_until_playing(page, 1, section=7)
    page.evaluate("() => scrollTo(0, 0)")
    player = controls(page)
    slider = player.get_by_role("slider", name="Position in the page")
    total = player_property(page, "duration")
    # One stretch per section; the boundaries are gaps of at least 2 px, main sections' wider.
    gaps = page.locator("voice-reader .vr-stretch").evaluate_all(
        "(all) => all.map((s) => parseFloat(getComputedStyle(s).borderInlineStartWidth))"
    )
    assert len(gaps) == len(site.sections)
    assert all(g >= 2 for g in gaps[1:])
    levels = [s["level"] for s in site.sections]
    assert all(g >= 4 for g, level in zip(gaps[1:], levels[1:], strict=True) if level <= 2)

    def bubble(i: int):
        return player.get_by_text(re.compile(rf"^{re.escape(site.heading(i))} · {CLOCK.pattern}$"))

    # Hover: the section under the pointer, in the middle of the longest section.
    longest = max(range(len(site.sections)), key=lambda i: site.sections[i]["duration"])
    middle = whole_time(site, longest, site.sections[longest]["duration"] / 2)
    box = slider.bounding_box()
    x = box["x"] + 10 + middle / total * (box["width"] - 20)
    page.mouse.move(x, box["y"] + box["height"] / 2)
    expect(bubble(longest)).to_be_visible()
    assert axe_violations(page) == [], "bubble shown"
    page.mouse.move(x, box["y"] + 200)
    expect(bubble(longest)).to_be_hidden()
    # Focus: the section at the thumb; its value is still said in words.
    slider.focus()
    expect(bubble(7)).to_be_visible()
    expect(slider).to_have_attribute(
        "aria-valuetext", re.compile(rf"^[a-z0-9 ]+ of [a-z0-9 ]+, {re.escape(site.heading(7))}$")
    )
    page.keyboard.press("PageDown")
    wait_until_playing(page, 0, section=8)
    expect(bubble(8)).to_be_visible()
    page.keyboard.press("Escape")
    expect(bubble(8)).to_be_hidden()
    # Drag: the section under the thumb while it moves, then the player goes there. Paused
    # first, so that following cannot scroll the timeline away between measuring and dragging.
    call_player(page, "pause")
    wait_until_state(page, "paused")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    x = box["x"] + 10 + middle / total * (box["width"] - 20)
    start = box["x"] + 10 + player_property(page, "currentTime") / total * (box["width"] - 20)
    y = box["y"] + box["height"] / 2
    page.mouse.move(start, y)
    page.mouse.down()
    # On the way, still pressed: the middle of another section, then of the longest.
    other = longest - 1 if longest else 1
    on_the_way = whole_time(site, other, site.sections[other]["duration"] / 2)
    page.mouse.move(box["x"] + 10 + on_the_way / total * (box["width"] - 20), y, steps=4)
    expect(bubble(other)).to_be_visible()
    page.mouse.move(x, y, steps=4)
    expect(bubble(longest)).to_be_visible()  # still pressed
    page.mouse.up()
    # The drag takes the player to the section under the thumb.
    until(page, "(i) => document.querySelector('voice-reader').section === i", longest)
    expect(bubble(longest)).to_be_visible(timeout=10_000)
    # Back and Forward ten seconds, visible in the bar.
    back = player.get_by_role("button", name="Back 10 seconds")
    forward = player.get_by_role("button", name="Forward 10 seconds")
    expect(back).to_be_visible()
    expect(forward).to_be_visible()
    call_player(page, "pause")  # paused, the time moves only by the buttons
    wait_until_state(page, "paused")
    before = player_property(page, "currentTime")
    forward.click()
    assert 9.9 <= player_property(page, "currentTime") - before <= 10.1
    before = player_property(page, "currentTime")
    back.click()
    assert -10.1 <= player_property(page, "currentTime") - before <= -9.9


def test_following_keeps_the_sentence_in_the_upper_third(new_page, site):
    page = new_page(viewport=PHONE, reduced_motion="reduce")
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    set_player(page, "playbackRate", 2)
    listen_from_here(page, site.heading(2)).click()
    wait_until_playing(page, 0.2, section=2)
    seen = set()
    for _ in range(40):
        page.wait_for_timeout(150)
        box = sentence_box(page)
        if not box or box["text"] in seen:
            continue
        page.wait_for_timeout(100)  # a frame for the scroll that follows a new sentence
        box = sentence_box(page)
        seen.add(box["text"])
        assert 0 <= box["top"] <= box["height"] / 3, box
    assert len(seen) >= 4, seen


def test_following_waits_for_keyboard_focus_and_never_hides_it(new_page, site):
    page = new_page(viewport=PHONE, reduced_motion="reduce")
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    set_player(page, "playbackRate", 2)
    # By keyboard: Listen, then the focus stays in the player on Pause.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.get_by_role("button", name=START).evaluate("(b) => b.matches(':focus')"):
            break
    page.keyboard.press("Enter")
    wait_until_playing(page, 0.2)
    call_player(page, "playSection", 3)  # further down: following would scroll to it
    wait_until_playing(page, 1.5, section=3)
    assert page.evaluate("() => scrollY") == 0
    pause = controls(page).get_by_role("button", name="Pause", exact=True)
    expect(pause).to_be_in_viewport()
    # Focus leaves the player (a click in the text): following catches up.
    page.mouse.click(5, 5)
    until(page, SENTENCE_IN_UPPER_THIRD_JS, message="following did not catch up")
    # A control with keyboard focus in the page stays on the screen while the text moves on.
    page.evaluate("() => scrollTo(0, 0)")
    listen = listen_from_here(page, site.heading(1))
    for _ in range(20):
        page.keyboard.press("Tab")
        if listen.evaluate("(b) => b.matches(':focus')"):
            break
    call_player(page, "playSection", 20)
    wait_until_playing(page, 1, section=20)
    expect(listen).to_be_in_viewport()


def test_following_never_scrolls_a_focused_control_away(new_page, site):
    for viewport in (PHONE, DESKTOP):
        page = new_page(viewport=viewport, reduced_motion="reduce")
        page.goto(site.document_url)
        expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
        set_player(page, "playbackRate", 2)
        # A pressed button takes no focus, so following carries on for a mouse or a finger.
        page.get_by_role("button", name=START).click()
        wait_until_playing(page, 0.2)
        assert not page.locator(PLAYER).evaluate("(el) => el.matches(':focus')")
        # A click on the timeline focuses it (without :focus-visible) and seeks far down the page.
        slider = controls(page).get_by_role("slider", name="Position in the page")
        box = slider.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert slider.evaluate("(s) => s.matches(':focus') && !s.matches(':focus-visible')")
        seen = [sentence_box(page)["text"]]
        for _ in range(2):  # two sentences that following meets
            until(page, NEW_SENTENCE_JS, seen)
            seen.append(sentence_box(page)["text"])
        expect(slider).to_be_in_viewport(ratio=1)
        # Focus leaves the player (a click in the page): following catches up.
        page.mouse.click(5, 5)
        until(page, SENTENCE_IN_UPPER_THIRD_JS, message=f"following did not catch up at {viewport}")


def test_wide_screens_dock_the_mini_player_full_width(new_page, site):
    page = new_page(viewport=DESKTOP)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    call_player(page, "playSection", 9)
    wait_until_playing(page, 0.2, section=9)
    scroll_away(page)
    box = mini(page).bounding_box()
    assert box["x"] == 0 and box["width"] == DESKTOP["width"], box
    assert box["y"] + box["height"] == DESKTOP["height"] and box["height"] <= 72, box
    # Back to the sentence: it is followed again, in the upper third, well above the bar.
    mini(page).get_by_role("button", name="Back to the sentence").click()
    until(page, SENTENCE_IN_UPPER_THIRD_JS, message="the sentence is not followed")
    assert axe_violations(page) == []


def test_resume_says_where_on_one_line(new_page, site):
    page = new_page(viewport=PHONE)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    longest = max(range(len(site.sections)), key=lambda i: len(site.heading(i)))
    call_player(page, "playSection", longest, 2)
    wait_until_playing(page, 2.5, section=longest)
    call_player(page, "pause")
    wait_until_state(page, "paused")
    page.reload()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    resume = page.get_by_role("button", name=f"Resume {site.heading(longest)}")
    expect(resume).to_be_visible()
    expect(resume).to_have_text(f"Resume · {site.heading(longest)}")
    assert resume.bounding_box()["height"] <= 60  # one line
    assert controls(page).bounding_box()["height"] <= 80
    assert axe_violations(page) == []


def test_listen_to_a_selection_with_the_mouse(new_page, site):
    page = new_page(viewport=DESKTOP)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    set_player(page, "playbackRate", 2)
    sentences = site.sections[1]["sentences"]
    first, last = sentences[2], sentences[3]  # one paragraph, two sentences
    start = page.evaluate(TEXT_POINT_JS, [first["text"], 2])
    end = page.evaluate(TEXT_POINT_JS, [last["text"], 8])
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    page.mouse.move(end["x"], end["y"], steps=6)
    page.mouse.up()
    listen = page.get_by_role("button", name=SELECTION)
    expect(listen).to_be_visible()
    # Beside the selection's end.
    box = listen.bounding_box()
    assert abs(box["y"] - end["y"]) <= 60 and abs(box["x"] + box["width"] - end["x"]) <= 200
    assert box["width"] >= 44 and box["height"] >= 44
    assert listen.inner_text().strip() == "Listen"
    assert axe_violations(page) == [], "selection"
    page.evaluate(WATCH_START_JS)
    listen.click()
    expect_selection_played(page, 1, first, last)


@pytest.fixture
def caret_browsing(browser):
    """A page in a Chromium of its own with caret browsing on (F7), as a keyboard-only visitor."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--enable-caret-browsing"]
    )
    page = chromium.new_page(viewport=DESKTOP)
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    yield page
    chromium.close()
    assert not problems, problems


def test_listen_to_a_selection_by_keyboard(caret_browsing, site):
    page = caret_browsing
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    set_player(page, "playbackRate", 2)
    sentences = site.sections[2]["sentences"]
    first, last = sentences[1], sentences[2]
    assert len(first["text"]) < 80
    # The caret (caret browsing moves it with the arrows) a few letters into the first sentence,
    # then Shift+Right into the next one.
    assert page.evaluate(CARET_JS, [first["text"], 3])
    for _ in range(len(first["text"]) + 5):
        page.keyboard.press("Shift+ArrowRight")
    assert last["text"][:4] in page.evaluate("() => getSelection().toString()")
    listen = page.get_by_role("button", name=SELECTION)
    expect(listen).to_be_visible()
    expect(listen).to_have_attribute("aria-keyshortcuts", "Alt+Shift+L")
    page.evaluate(WATCH_START_JS)
    page.keyboard.press("Alt+Shift+L")
    expect_selection_played(page, 2, first, last)
    # Without a selection the shortcut does nothing.
    page.evaluate("() => getSelection().removeAllRanges()")
    page.keyboard.press("Alt+Shift+L")  # its handler has run: a play would be 'loading' now
    assert player_property(page, "state") == "paused"


def test_listen_to_a_selection_by_touch(new_page, site):
    page = new_page(**TOUCH)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    set_player(page, "playbackRate", 2)
    sentences = site.sections[3]["sentences"]
    first, last = sentences[1], sentences[2]
    page.evaluate(SELECT_JS, [first["text"], 4, last["text"], 6])
    listen = page.get_by_role("button", name=SELECTION)
    expect(listen).to_be_visible()
    assert axe_violations(page) == [], "selection on a phone"
    page.evaluate(WATCH_START_JS)
    listen.tap()
    expect(listen).to_be_hidden()
    expect_selection_played(page, 3, first, last)


def test_more_names_the_voice(new_page, site):
    def described(route):
        manifest = route.fetch().json()
        manifest["voice"]["description"] = "Joe, American English"
        route.fulfill(json=manifest)

    page = new_page()
    page.route(site.manifest_url, described)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    page.get_by_role("button", name="More").click()
    expect(
        controls(page).get_by_text("Read by a computer voice: Joe, American English")
    ).to_be_visible()
    assert axe_violations(page) == []
    # As published, the fake engine's voice describes itself.
    published = new_page()
    published.goto(site.document_url)
    expect(published.locator(PLAYER)).to_have_attribute("data-state", "ready")
    published.get_by_role("button", name="More").click()
    description = site.manifest["voice"]["description"]
    expect(
        controls(published).get_by_text(f"Read by a computer voice: {description}")
    ).to_be_visible()

    # A manifest from before voices were described says nothing of the voice.
    def undescribed(route):
        manifest = route.fetch().json()
        manifest["voice"].pop("description", None)
        route.fulfill(json=manifest)

    plain = new_page()
    plain.route(site.manifest_url, undescribed)
    plain.goto(site.document_url)
    expect(plain.locator(PLAYER)).to_have_attribute("data-state", "ready")
    plain.get_by_role("button", name="More").click()
    expect(plain.get_by_text("Read by a computer voice")).to_have_count(0)


def test_every_state_is_valid_html(new_page, site, tmp_path):
    states = {}
    page = new_page(viewport=PHONE)
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    states["rest"] = snapshot(page)
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.2)
    states["playing"] = snapshot(page)
    controls(page).get_by_role("slider").focus()
    states["timeline-focused"] = snapshot(page)
    page.get_by_role("button", name="More").click()
    page.get_by_role("button", name="Keyboard shortcuts").click()
    states["more"] = snapshot(page)
    page.keyboard.press("Escape")
    page.evaluate("() => scrollTo(0, 2500)")
    expect(mini(page)).to_be_visible()
    states["mini-player"] = snapshot(page)
    sentences = site.sections[5]["sentences"]
    page.evaluate(SELECT_JS, [sentences[1]["text"], 0, sentences[1]["text"], 9])
    expect(page.get_by_role("button", name=SELECTION)).to_be_visible()
    states["selection"] = snapshot(page)
    assert vnu_errors(states, tmp_path) == []


def test_colours_motion_and_zoom_in_the_new_states(new_page, site):
    for options in (
        {"color_scheme": "dark"},
        {"forced_colors": "active"},
        {"reduced_motion": "reduce"},
        {"viewport": {"width": 320, "height": 256}},
    ):
        page = new_page(**options)
        page.goto(site.document_url)
        expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
        call_player(page, "playSection", 4)
        wait_until_playing(page, 0.2, section=4)
        page.evaluate("() => scrollTo(0, 0)")
        controls(page).get_by_role("slider").focus()
        assert axe_violations(page) == [], ("bubble", options)
        controls(page).get_by_role("button", name="More").click()
        assert axe_violations(page) == [], ("More", options)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], options
        page.keyboard.press("Escape")
        sentences = site.sections[6]["sentences"]
        page.evaluate(SELECT_JS, [sentences[1]["text"], 0, sentences[1]["text"], 9])
        expect(page.get_by_role("button", name=SELECTION)).to_be_visible()
        assert axe_violations(page) == [], ("selection", options)


def test_media_session_actions_are_released_with_the_element(page, site):
    page.add_init_script("""(() => { window.__actions = {};
      const set = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
      navigator.mediaSession.setActionHandler = (action, handler) => {
        window.__actions[action] = !!handler; return set(action, handler); }; })();""")
    page.goto(site.document_url)
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    call_player(page, "play")
    wait_until_playing(page, 0.2)
    actions = page.evaluate("() => window.__actions")
    assert actions and all(actions.values()), actions
    assert page.evaluate("() => !!navigator.mediaSession.metadata")
    page.evaluate("() => document.querySelector('voice-reader').remove()")
    actions = page.evaluate("() => window.__actions")
    assert not any(actions.values()), actions
    assert page.evaluate("() => navigator.mediaSession.metadata") is None
