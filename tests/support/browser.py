"""Helpers for browser tests: Chromium, axe-core, live servers, the player and host pages."""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.support.content import REPO

STATIC = REPO / "static"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling hosts that this
# closed network refuses; audio must play without a gesture in tests only.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


class LiveServer:
    """A WSGI app served from a thread on a free loopback port."""

    def __init__(self, app, host: str = "127.0.0.1"):
        self._server = make_server(host, 0, app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


_AXE = Axe()


def axe_violations(page: Page, context=None, frames: bool = False) -> list[dict]:
    """Run axe-core on the page with the WCAG 2.0-2.2 A/AA and best-practice rules.

    With `frames`, the content of the page's frames (of any origin) is audited as part of it.
    """
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if frames:
        for frame in page.frames:
            frame.evaluate(_AXE.axe_script)
            # axe answers a parent of another origin only when told it may.
            frame.evaluate("() => axe.configure({allowedOrigins: ['<unsafe_all_origins>']})")
        response = page.evaluate(
            "([context, options]) => axe.run(context || document, options)", [context, options]
        )
    else:
        response = _AXE.run(page, context=context, options=options).response
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in response["violations"]
    ]


def axe_incomplete(page: Page) -> list[str]:
    """Return the ids of the axe rules whose result needs a human review."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["incomplete"]}
    results = _AXE.run(page, options=options)
    return sorted({item["id"] for item in results.response["incomplete"]})


@dataclass
class Site:
    """The real service on a free port, serving the shipped content built with the fake engine."""

    url: str
    slug: str
    manifest: dict
    """The manifest exactly as the service serves it (absolute audio URLs)."""

    @property
    def document_url(self) -> str:
        return f"{self.url}/documents/{self.slug}"

    @property
    def manifest_url(self) -> str:
        return f"{self.url}/api/documents/{self.slug}/manifest.json"

    @property
    def sections(self) -> list[dict]:
        return self.manifest["sections"]

    def heading(self, i: int) -> str:
        return self.sections[i]["heading"]

    def index(self, section_id: str) -> int:
        return [s["id"] for s in self.sections].index(section_id)


# ---------------------------------------------------------------- page helpers

PLAYER = "voice-reader"
READY = "voice-reader[data-state]:not([data-state='loading'])"

STATE_JS = """() => {
  const el = document.querySelector('voice-reader');
  const a = el.audio;
  const hl = window.CSS && CSS.highlights && CSS.highlights.get('voice-reader-sentence');
  const range = hl ? [...hl][0] : null;
  return {state: el.dataset.state, section: el.i, time: a ? a.currentTime : 0,
          paused: a ? a.paused : true, rate: a ? a.playbackRate : 1,
          preservesPitch: a ? a.preservesPitch : null,
          status: el.shadowRoot.querySelector('[role=status]').textContent,
          highlight: range ? range.toString().replace(/\\s+/g, ' ').trim() : null};
}"""

FOCUS_JS = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el) return null;
  return (el.getAttribute('aria-label') || el.textContent.trim() || el.tagName) + '|' + el.tagName;
}"""


def state(page) -> dict:
    """Return the player's state, current time, status message and highlighted text."""
    return page.evaluate(STATE_JS)


def focused(page) -> str:
    """Describe the deepest focused element as 'name|TAG'."""
    return page.evaluate(FOCUS_JS)


def open_player(page, url: str):
    """Go to a document page and wait for the player to be ready."""
    page.goto(url)
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    return page


def wait_playing(page, at_least: float = 0.3, section: int | None = None):
    """Wait until the player is playing (in `section`, if given) past `at_least` seconds."""
    check = f"el.dataset.state === 'playing' && el.audio.currentTime > {at_least}"
    if section is not None:
        check += f" && el.i === {section}"
    page.wait_for_function(
        f"() => {{ const el = document.querySelector('voice-reader'); return {check}; }}",
        timeout=10_000,
    )


def sentence_at(site, section: int, t: float) -> str:
    """Return the manifest's sentence being read at `t` seconds into `section`."""
    current = None
    for sentence in site.sections[section]["sentences"]:
        if sentence["start"] <= t:
            current = sentence["text"]
    return current


def playing_status(site, i: int) -> str:
    """Return the status the player gives when section `i` starts."""
    return f"Playing section {i + 1} of {len(site.sections)}: {site.heading(i)}"


def keyboard_journey(page, site) -> None:
    """Use a ready player by keyboard alone: play, next, the section list, speed, seek, leave."""
    sections = f"Sections ({len(site.sections)})"
    for _ in range(12):
        page.keyboard.press("Tab")
        if focused(page) == "Play|BUTTON":
            break
    assert focused(page) == "Play|BUTTON"
    page.keyboard.press("Enter")
    wait_playing(page, 0.2)
    first = state(page)["time"]
    page.wait_for_timeout(400)
    assert state(page)["time"] > first
    assert focused(page) == "Pause|BUTTON"  # the same button, renamed

    for _ in range(4):
        page.keyboard.press("Tab")
    assert focused(page) == "Next section|BUTTON"
    page.keyboard.press("Enter")
    wait_playing(page, 0.1, section=1)
    assert state(page)["status"] == playing_status(site, 1)

    for _ in range(4):  # the slider, the speed, Click to listen, Sections
        page.keyboard.press("Tab")
    assert focused(page) == f"{sections}|BUTTON"
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=sections)).to_have_attribute("aria-expanded", "true")
    for _ in range(20):
        page.keyboard.press("Tab")
        if focused(page) == f"{site.heading(7)}|BUTTON":
            break
    page.keyboard.press("Enter")
    wait_playing(page, 0.1, section=7)
    item = page.get_by_role("button", name=site.heading(7), exact=True)
    expect(item).to_have_attribute("aria-current", "true")
    assert state(page)["status"] == playing_status(site, 7)

    page.keyboard.press("Escape")  # closes the list; focus returns to its button
    assert focused(page) == f"{sections}|BUTTON"
    expect(item).to_be_hidden()

    # Speed, with the keyboard on the native select; pitch is preserved.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page).endswith("|SELECT")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "() => document.querySelector('voice-reader').audio.playbackRate === 1.25"
    )
    assert state(page)["preservesPitch"] is True

    # K pauses while focus is in the player; arrow keys on the slider seek.
    page.keyboard.press("k")  # in a field: ignored
    assert state(page)["state"] == "playing"
    page.keyboard.press("Shift+Tab")
    assert focused(page).endswith("|INPUT")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("k")
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")
    page.keyboard.press("Tab")
    before = state(page)["time"]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"() => document.querySelector('voice-reader').audio.currentTime > {before} + 1"
    )
    total = round(site.sections[7]["duration"])
    slider = page.get_by_role("slider", name="Position in section")
    expect(slider).to_have_attribute(
        "aria-valuetext", re.compile(rf"^\d+ seconds? of {total} seconds$")
    )

    # Tab leaves the player: no trap.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.tagName") != "VOICE-READER":
            break
    assert page.evaluate("() => document.activeElement?.tagName") != "VOICE-READER"


def expect_http_errors(page, status: int) -> None:
    """Forgive the browser's own 'Failed to load resource' line for responses a test forced."""
    page.problems[:] = [p for p in page.problems if f"status of {status}" not in p]
