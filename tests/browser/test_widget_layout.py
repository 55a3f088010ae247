"""The player widget's shape: accessibility tree, target sizes, reflow, motion, colours, focus."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import (
    START,
    axe_violations,
    controls,
    open_player,
    state,
)
from tests.support.player import DESKTOP, PHONE, TOUCH, wait_until_playing

CONTROLS = (
    "voice-reader button:visible, voice-reader input:visible, voice-reader select:visible, "
    "voice-reader a:visible"
)
LISTEN = ".vr-listen-control button"


def headings(page) -> list[str]:
    """The page outline from the accessibility tree: one line per heading."""
    snapshot = page.locator("body").aria_snapshot()
    return [line.strip() for line in snapshot.splitlines() if "heading" in line]


def open_everything(page) -> None:
    """Start playing, then open More and the shortcuts panel inside it."""
    page.get_by_role("button", name=START).click()
    wait_until_playing(page, 0.1)
    page.get_by_role("button", name="More").click()
    page.get_by_role("button", name="Keyboard shortcuts").click()


def luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_no_heading_in_the_player_and_outline_unchanged(new_page, site):
    without_js = new_page(java_script_enabled=False)
    without_js.goto(site.document_url)
    before = headings(without_js)
    page = new_page()
    open_player(page, site.document_url)
    open_everything(page)
    assert "heading" not in page.locator("voice-reader").aria_snapshot()
    assert headings(page) == before
    assert len(before) == len(site.sections)


def test_every_control_is_at_least_44_by_44(page, site):
    open_player(page, site.document_url)
    open_everything(page)
    controls = page.locator(f"{CONTROLS}, {LISTEN}")
    # Play, Previous, Next, More, speed, the timeline, Back and Forward, Click to listen,
    # Highlight each word, Download, Keyboard shortcuts, then for each section an item and,
    # but for the title, a "Listen from here".
    assert controls.count() == 12 + 2 * len(site.sections) - 1
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (controls.nth(i).inner_text(), box)


def test_the_mini_players_buttons_are_at_least_44_by_44(new_page, site):
    for options in (TOUCH, {"viewport": PHONE}, {"viewport": DESKTOP}):
        page = new_page(**options)
        open_player(page, site.document_url)
        page.get_by_role("button", name=START).click()
        wait_until_playing(page, 0.1)
        page.mouse.move(100, 300)
        page.mouse.wheel(0, 2500)
        mini = page.get_by_role("region", name="Audio controls")
        expect(mini).to_be_visible()
        # Play/Pause, Next section, Back to the player and Close (Back to the sentence, too,
        # now that the wheel has stopped following).
        buttons = mini.get_by_role("button")
        expect(buttons).to_have_count(5)
        for i in range(buttons.count()):
            box = buttons.nth(i).bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, (options, buttons.nth(i), box)


def test_focus_is_visible_with_3_to_1_contrast(page, site):
    open_player(page, site.document_url)
    page.get_by_role("button", name="More").focus()
    page.keyboard.press("Shift+Tab")  # keyboard focus, so :focus-visible applies
    style = page.evaluate("""() => {
        const root = document.querySelector('voice-reader').shadowRoot;
        const b = root.activeElement, s = getComputedStyle(b);
        const player = root.querySelector('.vr-player');
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
                background: getComputedStyle(player).backgroundColor}; }""")
    assert style["style"] == "solid" and style["width"] >= 3
    assert contrast(style["color"], style["background"]) >= 3


def test_axe_in_dark_mode_and_forced_colors(new_page, site):
    for options in ({"color_scheme": "dark"}, {"forced_colors": "active"}):
        page = new_page(**options)
        open_player(page, site.document_url)
        open_everything(page)
        assert axe_violations(page) == [], options


def test_reflows_at_320_css_pixels_and_400_percent_zoom(new_page, site):
    # 1280 x 1024 at 400% zoom is a 320 x 256 CSS pixel viewport.
    for viewport in ({"width": 320, "height": 640}, {"width": 320, "height": 256}):
        page = new_page(viewport=viewport)
        open_player(page, site.document_url)
        open_everything(page)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        shown = page.locator(CONTROLS)
        for i in range(shown.count()):
            box = shown.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
        # Still usable: the controls answer (paused first: the first sections are short).
        controls(page).get_by_role("button", name="Pause", exact=True).press("Enter")
        expect(page.locator("voice-reader")).to_have_attribute("data-state", "paused")
        now = state(page)["section"]
        controls(page).get_by_role("button", name="Next section").click()
        wait_until_playing(page, 0.1, section=now + 1)


def test_no_animation_under_reduced_motion(new_page, site):
    page = new_page(reduced_motion="reduce", viewport={"width": 800, "height": 360})
    open_player(page, site.document_url)
    button = page.get_by_role("button", name="More")
    button.hover()
    button.click()
    page.get_by_role("button", name=site.heading(-1), exact=True).click()
    wait_until_playing(page, 0.1, section=len(site.sections) - 1)
    running = page.evaluate("""() => document.getAnimations().length
        + document.querySelector('voice-reader').shadowRoot.getAnimations().length""")
    assert running == 0
    # Following the text jumped (no smooth scroll): the sentence is already in view.
    in_view = page.evaluate("""() => { const r = [...CSS.highlights.get('voice-reader-sentence')][0]
        .getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }""")
    assert in_view
