"""The player's states: rest, playing, More, the timeline, the mini-player, words, the download."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from playwright.sync_api import expect

from reader.manifest import Sentence
from tests.support.browser import (
    PLAYER,
    START,
    axe_violations,
    controls,
    focused,
    open_player,
    spoken_time,
    state,
)
from tests.support.player import (
    FIRST_PARAGRAPH_JS,
    PHONE,
    until,
    wait_until_playing,
    wait_until_state,
)

HEIGHT_JS = "() => document.querySelector('voice-reader').getBoundingClientRect().height"
MINI = 'region[name="Audio controls"]'
# Counts calls of the window and document listeners that voice-reader.js adds, and the
# intersection observers it has watching.
COUNT_LISTENERS_JS = """(() => {
  const ours = () => String(new Error().stack).includes('voice-reader.js');
  window.__widgetCalls = 0;
  for (const target of [window, document]) {
    const add = target.addEventListener.bind(target);
    target.addEventListener = (type, fn, options) => {
      if (!ours()) return add(type, fn, options);
      return add(type, (e) => { window.__widgetCalls++; return fn(e); }, options);
    };
  }
  window.__widgetObserving = 0;
  window.IntersectionObserver = class extends IntersectionObserver {
    observe(target) {
      if (ours()) { this.watching = (this.watching || 0) + 1; window.__widgetObserving++; }
      return super.observe(target);
    }
    disconnect() {
      window.__widgetObserving -= this.watching || 0;
      this.watching = 0;
      return super.disconnect();
    }
  };
})();"""
# Keeps the page's <voice-reader> and its place, takes it out of the page, and puts it back.
REMOVE_JS = """() => { const el = document.querySelector('voice-reader');
  window.__player = el; window.__place = [el.parentNode, el.nextSibling]; el.remove(); }"""
PUT_BACK_JS = "() => window.__place[0].insertBefore(window.__player, window.__place[1])"
PAGEHIDE_CALLS_JS = """() => { window.__widgetCalls = 0; dispatchEvent(new Event('pagehide'));
  return window.__widgetCalls; }"""
READY_JS = """() => new Promise((resolve) => window.__player.state === 'ready' ? resolve()
  : window.__player.addEventListener('voice-reader-ready', () => resolve(), {once: true}))"""


def mini(page):
    return page.get_by_role("region", name="Audio controls")


def play_and_scroll_away(page, site) -> None:
    """Start listening, then scroll the main player out of view with the mouse wheel."""
    page.get_by_role("button", name=f"Listen from here: {site.heading(7)}").click()
    wait_until_playing(page, 0.2, section=7)
    page.mouse.move(100, 100)
    page.mouse.wheel(0, 2500)
    expect(mini(page)).to_be_visible()


def test_rest_is_one_big_button_and_the_text_starts_on_the_first_screen(new_page, site):
    page = new_page(viewport=PHONE)
    open_player(page, site.document_url)
    total = sum(s["duration"] for s in site.sections)
    listen = page.get_by_role("button", name=START)
    expect(listen).to_have_text(f"Listen · {round(total / 60)} minutes")
    assert listen.bounding_box()["height"] >= 56
    assert page.evaluate(HEIGHT_JS) <= 120
    assert page.evaluate(FIRST_PARAGRAPH_JS) <= 360
    # Nothing but Play and More at rest.
    expect(controls(page).get_by_role("button")).to_have_count(2)
    assert axe_violations(page) == []
    desktop = new_page(viewport={"width": 1280, "height": 800})
    open_player(desktop, site.document_url)
    assert desktop.evaluate(HEIGHT_JS) <= 96


def test_playing_bar_is_compact_and_its_icons_are_labelled(new_page, site):
    page = new_page(viewport=PHONE)
    open_player(page, site.document_url)
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.2)
    assert page.evaluate(HEIGHT_JS) <= 200
    player = controls(page)
    for name in ("Pause", "Previous section", "Next section", "More"):
        expect(player.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(player.get_by_label("Speed")).to_have_value("1")
    total = sum(s["duration"] for s in site.sections)
    expect(player).to_contain_text(f"/ {int(total // 60)}:{int(total % 60):02d}")
    # On a narrow bar each icon shows a short word its name holds; on a wide one, its name.
    assert player.get_by_role("button", name="Next section").inner_text().strip() == "Next"
    assert player.get_by_role("button", name="Previous section").inner_text().strip() == "Previous"
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(player.get_by_role("button", name="Next section")).to_have_text(
        re.compile("^Next section")
    )
    assert player.get_by_role("button", name="Next section").inner_text().strip() == "Next section"
    page.set_viewport_size(PHONE)
    assert axe_violations(page) == []
    player.get_by_role("button", name="More").click()
    expect(player.get_by_role("button", name=site.heading(5), exact=True)).to_be_visible()
    assert axe_violations(page) == [], "More open"


def test_one_timeline_for_the_whole_page(page, site):
    open_player(page, site.document_url)
    starts, total = [], 0.0
    for section in site.sections:
        starts.append(total)
        total += section["duration"]
    assert page.evaluate("() => document.querySelector('voice-reader').duration") == total
    page.get_by_role("button", name=f"Listen from here: {site.heading(7)}").click()
    wait_until_playing(page, 0.5, section=7)
    slider = controls(page).get_by_role("slider", name="Position in the page")
    assert float(slider.get_attribute("max")) == total
    expect(slider).to_have_attribute(
        "aria-valuetext", re.compile(rf" of {spoken_time(total)}, {re.escape(site.heading(7))}$")
    )
    # A stretch of the bar for every section.
    expect(page.locator("voice-reader .vr-stretch")).to_have_count(len(site.sections))
    slider.focus()
    whole = "() => document.querySelector('voice-reader').currentTime"
    before = page.evaluate(whole)
    page.keyboard.press("ArrowRight")
    assert 4.5 <= page.evaluate(whole) - before <= 6
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert -6 <= page.evaluate(whole) - before <= -4
    now = state(page)["section"]  # 7, or 6 if the arrows crossed back into it
    page.keyboard.press("PageDown")
    wait_until_playing(page, 0, section=now + 1)
    page.keyboard.press("PageUp")
    wait_until_playing(page, 0, section=now)
    page.keyboard.press("Home")
    wait_until_playing(page, 0, section=0)
    # Dragging or clicking seeks across sections: the slider's input goes to that point.
    slider.fill(str(starts[12] + 2))
    wait_until_playing(page, 1.5, section=12)
    page.keyboard.press("End")
    wait_until_state(page, "ended", "paused")


def test_mini_player_docks_without_taking_focus_and_goes_away(new_page, site):
    page = new_page(viewport=PHONE)
    open_player(page, site.document_url)
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.2)
    before = focused(page)
    page.mouse.move(100, 300)
    page.mouse.wheel(0, 2500)
    bar = mini(page)
    expect(bar).to_be_visible()
    assert focused(page) == before  # it never takes focus
    box = bar.bounding_box()
    # Two rows on a phone, so that the section's name has room: Back to the player and Close
    # wrap under Play, the name and Next.
    assert box["height"] <= 120 and box["width"] == PHONE["width"]
    assert box["y"] + box["height"] == PHONE["height"]
    heading = site.heading(state(page)["section"])
    expect(bar).to_contain_text(heading)
    for name in ("Pause", "Next section", "Back to the player", "Close the mini-player"):
        expect(bar.get_by_role("button", name=name, exact=True)).to_be_visible()
    assert axe_violations(page) == [], "mini-player"
    # Nothing focused hides under it: from a control in view, Tab on down the page.
    for i in range(1, len(site.sections)):
        listen = page.get_by_role("button", name=f"Listen from here: {site.heading(i)}")
        if 0 < listen.bounding_box()["y"] < box["y"] - 60:
            listen.focus()
            break
    until(
        page,
        """(height) => parseFloat(getComputedStyle(document.documentElement).scrollPaddingBottom)
        >= height""",
        box["height"],
    )
    for _ in range(6):
        page.keyboard.press("Tab")
        bottom = page.evaluate("""() => { let el = document.activeElement;
            while (el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
            return el.getBoundingClientRect().bottom; }""")
        assert bottom <= box["y"] + 1, focused(page)
    # Back to the player: the main player is in view, with focus on its Play/Pause button.
    bar.get_by_role("button", name="Back to the player").click()
    expect(bar).to_be_hidden()
    assert focused(page) in ("Pause|BUTTON", "Play|BUTTON")
    expect(controls(page)).to_be_in_viewport()
    # Away again, then closed: it stays closed until the main player has been seen again.
    page.wait_for_timeout(1000)  # the smooth scroll back to the player ends
    page.mouse.wheel(0, 2500)
    expect(bar).to_be_visible()
    bar.get_by_role("button", name="Close the mini-player").click()
    expect(bar).to_be_hidden()
    page.mouse.wheel(0, 800)
    page.wait_for_timeout(300)
    expect(bar).to_be_hidden()
    assert page.evaluate("() => document.documentElement.style.scrollPaddingBottom") == ""


def test_mini_player_in_dark_mode_forced_colours_and_at_400_percent(new_page, site):
    for options in (
        {"color_scheme": "dark"},
        {"forced_colors": "active"},
        {"reduced_motion": "reduce"},
        {"viewport": {"width": 320, "height": 256}},
    ):
        page = new_page(**options)
        open_player(page, site.document_url)
        play_and_scroll_away(page, site)
        assert axe_violations(page) == [], options
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], options
        mini(page).get_by_role("button", name="Pause", exact=True).click()
        expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")
        expect(mini(page)).to_be_visible()  # paused partway: still docked


def test_a_host_page_can_turn_the_mini_player_off(page, site):
    open_player(page, site.document_url)
    page.evaluate("() => document.querySelector('voice-reader').setAttribute('no-mini-player', '')")
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.2)
    page.mouse.move(100, 300)
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(500)
    expect(mini(page)).to_be_hidden()
    page.evaluate("() => document.querySelector('voice-reader').removeAttribute('no-mini-player')")
    expect(mini(page)).to_be_visible()


def test_word_highlight_follows_the_audio_and_can_be_switched_off(page, site):
    open_player(page, site.document_url)
    page.evaluate("() => { document.querySelector('voice-reader').playbackRate = 2; }")
    page.get_by_role("button", name=f"Listen from here: {site.heading(2)}").click()
    wait_until_playing(page, 1, section=2)
    seen = set()
    for _ in range(10):
        page.wait_for_timeout(150)
        now = state(page)
        if now["section"] != 2 or not now["word"]:
            continue
        sentence = next(
            s for s in reversed(site.sections[2]["sentences"]) if s["start"] <= now["time"]
        )
        text = sentence["text"].encode("utf-16-le")
        # The word said at this time, or the one before it (one frame behind, at twice the speed).
        said = [
            text[2 * offset : 2 * (offset + length)].decode("utf-16-le")
            for start, offset, length in Sentence.from_dict(sentence).words
            if start <= now["time"]
        ][-2:]
        assert now["word"] in said, (now, said)
        assert now["word"] in now["highlight"]
        seen.add(now["word"])
    assert len(seen) >= 3
    more = controls(page).get_by_role("button", name="More")
    more.click()
    toggle = page.get_by_role("button", name="Highlight each word")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(300)
    assert state(page)["word"] is None and state(page)["highlight"]
    page.reload()  # the choice is remembered
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "ready")
    assert page.evaluate("() => document.querySelector('voice-reader').wordHighlight") is False


def test_download_in_more_and_without_javascript(new_page, site):
    download = site.manifest["download"]
    label = re.compile(
        rf"^Download \(MP3, {round(download['duration'] / 60)} minutes, "
        rf"{download['bytes'] / 1e6:.1f} MB\)$"
    )
    page = new_page()
    open_player(page, site.document_url)
    page.get_by_role("button", name="More").click()
    mp3 = urljoin(site.manifest_url, download["audio"])  # as the widget resolves it
    link = page.get_by_role("link", name=label)
    expect(link).to_be_visible()
    assert link.get_attribute("href") == mp3
    bare = new_page(java_script_enabled=False)
    bare.goto(site.document_url)
    link = bare.get_by_role("link", name=label)
    expect(link).to_be_visible()
    assert urljoin(site.document_url, link.get_attribute("href")) == mp3


def widget_calls(page) -> int:
    """Send the page every event the element listens for; return how many of its listeners ran."""
    page.evaluate("() => { window.__widgetCalls = 0; }")
    events = ("scroll", "wheel", "keydown", "click", "mousedown", "focusin", "pagehide")
    for name in (*events, "selectionchange", "pointerdown", "resize"):
        page.evaluate(
            f"() => {{ window.dispatchEvent(new Event('{name}'));"
            f" document.dispatchEvent(new Event('{name}')); }}"
        )
    page.mouse.wheel(0, 300)
    page.keyboard.press("PageDown")
    return page.evaluate("() => window.__widgetCalls")


def test_window_and_document_listeners_go_with_the_element(page, site):
    page.add_init_script(COUNT_LISTENERS_JS)
    open_player(page, site.document_url)
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.2)
    page.mouse.wheel(0, 300)
    assert page.evaluate("() => window.__widgetCalls") > 0
    assert page.evaluate("() => window.__widgetObserving") == 1
    page.evaluate("() => document.querySelector('voice-reader').remove()")
    assert widget_calls(page) == 0
    assert page.evaluate("() => window.__widgetObserving") == 0
    assert page.evaluate("() => CSS.highlights.size") == 0


def test_a_player_removed_while_it_loads_listens_only_once_put_back(page, site):
    page.add_init_script(COUNT_LISTENERS_JS)
    held = []
    page.route(f"**/api/documents/{site.slug}/manifest.json", lambda route: held.append(route))
    page.goto(site.document_url)
    for _ in range(200):  # the route is handed over while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the manifest was never asked for"
    assert page.evaluate("() => document.querySelector('voice-reader').state") == "loading"
    page.evaluate(REMOVE_JS)
    held[0].continue_()
    page.evaluate(READY_JS)  # built while out of the page
    assert widget_calls(page) == 0
    assert page.evaluate("() => window.__widgetObserving") == 0
    # Put back, it listens once: one `pagehide` listener runs (counted in the same task, so
    # that no scroll of the page's own comes between), and one observer watches.
    page.evaluate(PUT_BACK_JS)
    assert page.evaluate(PAGEHIDE_CALLS_JS) == 1
    assert page.evaluate("() => window.__widgetObserving") == 1
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.2)
