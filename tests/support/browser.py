"""Helpers for browser tests: Chromium, axe-core, live servers, the player and host pages."""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from waitress.server import create_server

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
    """A WSGI app served by waitress, as `reader serve` serves it, from a thread on a free port.

    Werkzeug's development server left a response's file open whenever a browser dropped the
    connection mid-stream (it reads the dead socket before closing the response), which a
    later test met as a ResourceWarning; waitress closes every response.
    """

    def __init__(self, app, host: str = "127.0.0.1"):
        self._server = create_server(app, host=host, port=0, threads=8)
        self.url = f"http://{host}:{self._server.effective_port}"
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.task_dispatcher.shutdown()
        self._server.close()
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
    """The manifest as the service serves it, audio URLs resolved against the manifest's URL."""

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
# The big button at rest: "Listen · 12 minutes" (the dot is not part of its name).
START = re.compile(r"^Listen (\d+ minutes?|less than a minute)$")

# Everything here goes through the element's documented API (docs/widget.md).
STATE_JS = """() => {
  const el = document.querySelector('voice-reader');
  const a = el.media;
  const text = (name) => { const hl = window.CSS && CSS.highlights && CSS.highlights.get(name);
    const range = hl ? [...hl][0] : null;
    return range ? range.toString().replace(/\\s+/g, ' ').trim() : null; };
  return {state: el.state, section: el.section, time: el.sectionTime, whole: el.currentTime,
          paused: el.paused, rate: el.playbackRate, preservesPitch: a ? a.preservesPitch : null,
          highlight: text('voice-reader-sentence'), word: text('voice-reader-word')};
}"""

FOCUS_JS = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el) return null;
  return (el.getAttribute('aria-label') || el.textContent.trim() || el.tagName) + '|' + el.tagName;
}"""


WAIT_FOR_PLAYER_JS = """([want, timeout]) => new Promise((resolve) => {
  // Waits on the element's own events and its audio's, never on a polled string: the page's
  // CSP (no 'unsafe-eval') refuses what page.wait_for_function("...") evaluates.
  const el = document.querySelector('voice-reader');
  const met = () => (want.state === undefined || el.state === want.state)
    && (want.section === undefined || el.section === want.section)
    && (want.sectionTime === undefined || el.sectionTime > want.sectionTime)
    && (want.currentTime === undefined || el.currentTime >= want.currentTime)
    && (want.playbackRate === undefined || el.playbackRate === want.playbackRate);
  const elementEvents = ['voice-reader-state', 'voice-reader-section', 'voice-reader-ready'];
  const mediaEvents = ['timeupdate', 'ratechange', 'playing', 'seeked'];
  const heard = new Set();
  const finish = (value) => {
    clearTimeout(timer);
    for (const type of elementEvents) el.removeEventListener(type, check);
    for (const audio of heard) {
      for (const type of mediaEvents) audio.removeEventListener(type, check);
    }
    resolve(value);
  };
  // The element changes its audio between sections: listen to each one it uses.
  const listen = () => {
    const audio = el.media;
    if (audio && !heard.has(audio)) {
      heard.add(audio);
      for (const type of mediaEvents) audio.addEventListener(type, check);
    }
  };
  function check() { if (met()) finish(true); else listen(); }
  const timer = setTimeout(() => finish(met()), timeout);
  for (const type of elementEvents) el.addEventListener(type, check);
  check();
})"""


def wait_for_player(page, timeout: float = 10_000, **want) -> None:
    """Wait until the player's properties are as `want` says, through its events and its audio's.

    `want` names any of: state, section (equal), sectionTime (greater), currentTime (at least),
    playbackRate (equal).
    """
    if not page.evaluate(WAIT_FOR_PLAYER_JS, [want, timeout]):
        raise AssertionError(f"the player never reached {want}; it is at {state(page)}")


def controls(page):
    """The main player's region (the docked mini-player repeats some of its buttons)."""
    return page.get_by_role("region", name="Listen to this page")


def state(page) -> dict:
    """Return the player's state, current time, status message and highlighted text."""
    now = page.evaluate(STATE_JS)
    now["status"] = page.locator(PLAYER).first.get_by_role("status").text_content()
    return now


def focused(page) -> str:
    """Describe the deepest focused element as 'name|TAG'."""
    return page.evaluate(FOCUS_JS)


def spoken_time(seconds: float) -> str:
    """Say a time as the timeline's aria-valuetext does: "3 minutes 10 seconds"."""
    total = max(0, round(seconds))
    parts = [(total // 3600, "hour"), (total // 60 % 60, "minute"), (total % 60, "second")]
    said = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(said) or "0 seconds"


def open_player(page, url: str):
    """Go to a document page and wait for the player to be ready."""
    page.goto(url)
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    return page


def wait_playing(page, at_least: float = 0.3, section: int | None = None):
    """Wait until the player is playing (in `section`, if given) past `at_least` seconds."""
    want = {"state": "playing", "sectionTime": at_least}
    if section is not None:
        want["section"] = section
    wait_for_player(page, **want)


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


def tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element is `name` ('name|TAG')."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == name:
            return
    raise AssertionError(f"Tab never reached {name}; last {focused(page)}")


def keyboard_journey(page, site) -> None:
    """Use a ready player by keyboard alone: play, next, More, a section, speed, seek, leave."""
    for _ in range(12):
        page.keyboard.press("Tab")
        if focused(page).startswith("Listen · "):
            break
    assert re.fullmatch(r"Listen · .+\|BUTTON", focused(page)), focused(page)
    page.keyboard.press("Enter")
    wait_playing(page, 0.2)
    first = state(page)["time"]
    page.wait_for_timeout(400)
    assert state(page)["time"] > first
    assert focused(page) == "Pause|BUTTON"  # the same button, renamed

    page.keyboard.press("Tab")
    assert focused(page) == "Previous section|BUTTON"
    page.keyboard.press("Tab")
    assert focused(page) == "Next section|BUTTON"
    page.keyboard.press("Enter")
    wait_playing(page, 0.1, section=1)
    assert state(page)["status"] == playing_status(site, 1)

    page.keyboard.press("Tab")
    assert focused(page) == "More|BUTTON"
    page.keyboard.press("Enter")
    more = page.get_by_role("button", name="More")
    expect(more).to_have_attribute("aria-expanded", "true")
    tab_to(page, f"{site.heading(7)}|BUTTON")
    page.keyboard.press("Enter")
    wait_playing(page, 0.1, section=7)
    item = page.get_by_role("button", name=site.heading(7), exact=True)
    expect(item).to_have_attribute("aria-current", "true")
    assert state(page)["status"] == playing_status(site, 7)

    page.keyboard.press("Escape")  # closes More; focus returns to its button
    assert focused(page) == "More|BUTTON"
    expect(item).to_be_hidden()

    # Speed, with the keyboard on the native select; pitch is preserved.
    page.keyboard.press("Tab")
    assert focused(page).endswith("|SELECT")
    page.keyboard.press("ArrowDown")
    wait_for_player(page, playbackRate=1.25)
    assert state(page)["preservesPitch"] is True
    page.keyboard.press("k")  # in a field: ignored
    assert state(page)["state"] == "playing"

    # The timeline: arrow keys move 5 seconds, Page Down the next section; time in words.
    page.keyboard.press("Tab")
    assert focused(page) == "Position in the page|INPUT"
    before = state(page)["whole"]
    page.keyboard.press("ArrowRight")
    wait_for_player(page, currentTime=before + 4.5)
    total = sum(s["duration"] for s in site.sections)
    slider = page.get_by_role("slider", name="Position in the page")
    expect(slider).to_have_attribute(
        "aria-valuetext",
        re.compile(rf"^[\w ]+ of {spoken_time(total)}, {re.escape(site.heading(7))}$"),
    )
    page.keyboard.press("PageDown")
    wait_playing(page, 0, section=8)

    # K pauses while focus is in the player, outside a field.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "More|BUTTON"
    page.keyboard.press("k")
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")

    # Tab leaves the player: no trap.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.tagName") != "VOICE-READER":
            break
    assert page.evaluate("() => document.activeElement?.tagName") != "VOICE-READER"


def expect_http_errors(page, status: int) -> None:
    """Forgive the browser's own 'Failed to load resource' line for responses a test forced."""
    page.problems[:] = [p for p in page.problems if f"status of {status}" not in p]
