"""Helpers for the player's browser tests: waiting without eval, boxes, state snapshots for vnu."""

from __future__ import annotations

import time

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
# A touch screen: Chromium then matches (pointer: coarse) and (hover: none).
TOUCH = {"viewport": PHONE, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}

# The article's first paragraph of its own text, and where it starts in the page.
FIRST_PARAGRAPH_JS = """() => [...document.querySelectorAll('article p')]
  .find((p) => !p.closest('voice-reader') && !p.matches('.vr-listen'))
  .getBoundingClientRect().top + scrollY"""
# The sentence being read (the CSS highlight the element paints), as a box in the viewport.
SENTENCE_BOX_JS = """() => { const hl = CSS.highlights.get('voice-reader-sentence');
  const range = hl && [...hl][0]; if (!range) return null;
  const r = range.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, height: innerHeight, text: range.toString()}; }"""
# The page as it is now, the shadow roots of the player and its controls written out as
# declarative shadow DOM, so that the Nu Html Checker sees every state's markup.
SNAPSHOT_JS = """() => {
  const roots = [...document.querySelectorAll('voice-reader, .vr-listen-control')]
    .map((e) => e.shadowRoot).filter(Boolean);
  const html = document.documentElement;
  return `<!doctype html><html lang="${html.lang}">${html.getHTML({shadowRoots: roots})}</html>`;
}"""


def until(page, script: str, arg=None, timeout: float = 10.0, message: str = ""):
    """Evaluate `script` (a function) until it returns something truthy; return that.

    A poll from the test's side: `page.wait_for_function` would need eval in the page, which
    the page's Content-Security-Policy forbids.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"never true: {script} (last {value!r})")
        page.wait_for_timeout(50)


def wait_until_playing(page, at_least: float = 0.3, section: int | None = None) -> None:
    """Wait until the player is playing (in `section`, if given) past `at_least` seconds."""
    until(
        page,
        """([atLeast, section]) => { const el = document.querySelector('voice-reader');
        return el.state === 'playing' && el.sectionTime > atLeast
          && (section === null || el.section === section); }""",
        [at_least, section],
        message=f"never playing past {at_least} s (section {section})",
    )


def wait_until_state(page, *states: str) -> str:
    """Wait until the player's documented state is one of `states`; return it."""
    return until(
        page,
        "(states) => states.includes(document.querySelector('voice-reader').state)"
        " && document.querySelector('voice-reader').state",
        list(states),
        message=f"never {states}",
    )


def player_property(page, name: str):
    """Read one documented property of the page's <voice-reader>."""
    return page.evaluate("(name) => document.querySelector('voice-reader')[name]", name)


def set_player(page, name: str, value) -> None:
    """Set one documented property of the page's <voice-reader>."""
    page.evaluate(
        "([name, value]) => { document.querySelector('voice-reader')[name] = value; }",
        [name, value],
    )


def call_player(page, method: str, *args):
    """Call one documented method of the page's <voice-reader>."""
    return page.evaluate(
        "([method, args]) => document.querySelector('voice-reader')[method](...args)",
        [method, list(args)],
    )


def sentence_box(page) -> dict | None:
    """Return the viewport box of the sentence being read, or None."""
    return page.evaluate(SENTENCE_BOX_JS)


def snapshot(page) -> str:
    """Return the page's markup now, with the player's shadow roots, as a whole document."""
    return page.evaluate(SNAPSHOT_JS)
