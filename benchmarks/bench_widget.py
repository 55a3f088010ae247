"""Measure the player in a real browser: time to sound, section joins, the text's place, sizes.

Run: python benchmarks/bench_widget.py [--runs N] [--screenshots DIR]
Builds content/ with the fake engine into a temporary folder, serves it with the real app on
loopback and drives Debian's Chromium through Playwright, only through the element's documented
API. Targets: Play → playing ≤ 150 ms, gap at a section boundary ≤ 100 ms; at 375x667 the
article's first paragraph starts within the top 360 px at rest and 480 px while playing, the
sentence being followed stays in the upper third, More is at most 60% of the screen tall; at rest
≤ 120 px tall at 375 px wide and ≤ 96 px at 1280; mini-player ≤ 120 px at 375 and ≤ 72 px at 1280;
JS ≤ 15 KB and CSS ≤ 5 KB gzipped. With --screenshots, writes the player's screenshots (375 and
1280 px: rest, playing, mini-player, More, a selection) into DIR, as docs/screenshots holds them.
The word-timing error figures are measured by benchmarks/bench_words.py (it is run, and its output
printed, when it exists).
"""

from __future__ import annotations

import argparse
import gzip
import logging
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reader import create_app  # noqa: E402
from reader.pipeline.build import BuildOptions, build_documents  # noqa: E402

SLUG = "neuroendocrine-tumours"
START = re.compile(r"^Listen \d+ minutes?$")  # the big button at rest: "Listen · 12 minutes"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Time from the key press that means "Listen" to the audio's `playing` event.
# Wrapped in an object so that evaluate_handle returns at once instead of awaiting the promise.
# Media events do not bubble, but a capturing listener on the shadow root sees every <audio>'s.
LISTEN_JS = """() => ({done: new Promise((resolve) => {
  const el = document.querySelector('voice-reader');
  let t0 = 0;
  addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
  el.shadowRoot.addEventListener('playing', () => resolve(performance.now() - t0),
                                 {capture: true, once: true});
})})"""

# Time from one section's `ended` to the next section's `playing`, near a boundary.
GAP_JS = """(i) => new Promise((resolve) => {
  const el = document.querySelector('voice-reader');
  const current = el.media;
  let ended = 0;
  current.addEventListener('ended', () => { ended = performance.now(); }, {once: true});
  let playing = 0;
  const seen = (e) => {
    if (e.target === current) return;  // the section ending may report 'playing' after its seek
    playing = performance.now() - ended;
    el.shadowRoot.removeEventListener('playing', seen, true);
  };
  el.shadowRoot.addEventListener('playing', seen, true);
  // A stricter figure too: until the next section's clock has visibly moved (frame-accurate).
  const poll = () => (ended && playing && el.section === i + 1 && el.sectionTime > 0
    ? resolve([playing, performance.now() - ended]) : requestAnimationFrame(poll));
  requestAnimationFrame(poll);
  el.currentTime = el.sections[i].start + Math.max(0, el.sections[i].duration - 0.4);
})"""

# The player's height, and where the article's first paragraph starts (in the page).
HEIGHTS_JS = """() => {
  const el = document.querySelector('voice-reader');
  const first = [...document.querySelectorAll('article p')]
    .find((p) => !p.closest('voice-reader') && !p.matches('.vr-listen'));
  return {player: el.getBoundingClientRect().height,
          paragraph: first.getBoundingClientRect().top + scrollY};
}"""
MINI_JS = """() => { const bar = document.querySelector('voice-reader').shadowRoot
  .querySelector('[role=region][aria-label="Audio controls"]');
  const box = bar.getBoundingClientRect(); return [box.width, box.height]; }"""
# The sentence being read: its text and where its top is on the screen.
SENTENCE_JS = """() => { const hl = CSS.highlights.get('voice-reader-sentence');
  const range = hl && [...hl][0]; if (!range) return null;
  return [range.toString(), range.getBoundingClientRect().top, innerHeight]; }"""
# The More sheet's box (the disclosure's aria-controls names it).
MORE_JS = """() => { const root = document.querySelector('voice-reader').shadowRoot;
  const more = [...root.querySelectorAll('button[aria-controls]')]
    .find((b) => b.textContent.trim() === 'More');
  const sheet = root.getElementById(more.getAttribute('aria-controls'));
  return sheet.getBoundingClientRect().height; }"""


@contextmanager
def nets_page() -> Iterator[str]:
    """Build NETs with the fake engine into a temporary folder, serve it; yield its page's URL."""
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        build_documents(content, Path(tmp) / "build", [SLUG], BuildOptions(engine="fake", jobs=1))
        app = create_app(
            {"TESTING": True, "CONTENT_DIR": content, "BUILD_DIR": Path(tmp) / "build"}
        )
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        try:
            yield f"http://127.0.0.1:{server.server_port}/documents/{SLUG}"
        finally:
            server.shutdown()


def listen_latency(browser, url: str, button) -> float:
    """Open the page in a fresh context (cold cache) and time one press of `button`."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    page.wait_for_timeout(300)  # the visitor reads the page before pressing
    page.get_by_role("button", name=button).focus()
    result = page.evaluate_handle(LISTEN_JS)
    page.keyboard.press("Enter")
    ms = page.evaluate("(h) => h.done", result)
    context.close()
    return ms


def gaps(browser, url: str, sections: list[int]) -> list[float]:
    """Play into each boundary after `sections` and time the silence between the two."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    results = []
    for i in sections:
        page.evaluate(f"() => document.querySelector('voice-reader').playSection({i})")
        page.wait_for_function(
            "() => { const el = document.querySelector('voice-reader'); "
            f"return el.section === {i} && el.state === 'playing'; }}"
        )
        page.wait_for_timeout(800)  # the next section preloads meanwhile
        results.append(page.evaluate(GAP_JS, i))
    context.close()
    return results


def heights(browser, url: str, width: int, height: int) -> dict:
    """The player at rest and playing at one viewport size, More, and the mini-player's box."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    rest = page.evaluate(HEIGHTS_JS)
    page.evaluate("() => document.querySelector('voice-reader').play()")
    page.wait_for_function("() => document.querySelector('voice-reader').state === 'playing'")
    playing = page.evaluate(HEIGHTS_JS)
    page.get_by_role("button", name="More").click()
    more = page.evaluate(MORE_JS)
    page.keyboard.press("Escape")
    page.evaluate("() => scrollTo(0, document.body.scrollHeight / 2)")
    page.wait_for_function(MINI_JS.replace("return [", "return box.height > 0 && ["))
    mini = page.evaluate(MINI_JS)
    context.close()
    return {
        "rest": rest["player"],
        "paragraph": rest["paragraph"],
        "playing": playing["player"],
        "playing_paragraph": playing["paragraph"],
        "more": more,
        "mini": mini,
    }


def following(browser, url: str, sentences: int = 12) -> list[float]:
    """Where each new sentence's top settles on a 375x667 screen while following, in screens."""
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    page.evaluate("""() => { const el = document.querySelector('voice-reader');
        el.playbackRate = 2; el.playSection(2); }""")
    seen, places = set(), []
    while len(places) < sentences:
        page.wait_for_timeout(100)
        now = page.evaluate(SENTENCE_JS)
        if not now or now[0] in seen:
            continue
        seen.add(now[0])
        page.wait_for_timeout(700)  # the smooth scroll that follows a new sentence
        now = page.evaluate(SENTENCE_JS)
        if now:
            places.append(now[1] / now[2])
    context.close()
    return places


def screenshots(browser, url: str, folder: Path) -> None:
    """Write the screenshots at 375 and 1280 px: rest, playing, mini-player, More, a selection."""
    folder.mkdir(parents=True, exist_ok=True)
    for width, height, options in (
        (375, 667, {"has_touch": True, "is_mobile": True, "device_scale_factor": 2}),
        (1280, 800, {}),
    ):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
        page.wait_for_timeout(300)
        page.screenshot(path=folder / f"player-{width}-rest.png")
        page.get_by_role("button", name=START).click()
        page.wait_for_function("() => document.querySelector('voice-reader').sectionTime > 1.2")
        page.screenshot(path=folder / f"player-{width}-playing.png")
        page.get_by_role("button", name="More").click()
        page.wait_for_timeout(400)
        page.screenshot(path=folder / f"player-{width}-more.png")
        page.keyboard.press("Escape")
        # Focus left in the player holds following back: leave it, as a visitor reading on does.
        page.evaluate(
            "() => document.querySelector('voice-reader').shadowRoot.activeElement.blur()"
        )
        page.evaluate("() => document.querySelector('voice-reader').playSection(9)")
        page.wait_for_timeout(2000)
        page.screenshot(path=folder / f"player-{width}-mini.png")
        page.evaluate("() => document.querySelector('voice-reader').pause()")
        page.evaluate("""() => { const p = [...document.querySelectorAll('article p')]
            .find((p) => p.textContent.startsWith('Cells that are similar'));
            p.scrollIntoView({block: 'center'});
            const text = p.firstChild, at = text.data.indexOf('They make');
            getSelection().setBaseAndExtent(text, 6, text, at + 18); }""")
        page.wait_for_timeout(400)
        page.screenshot(path=folder / f"player-{width}-selection.png")
        context.close()


def word_figures() -> str:
    """Run the word-timing benchmark of helper `words`, if it is there, and return its output."""
    script = ROOT / "benchmarks" / "bench_words.py"
    if not script.is_file():
        return "word timing: benchmarks/bench_words.py is not there yet"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    return (result.stdout + result.stderr).strip()


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.1f} ms   max {max(values):6.1f} ms   "
        f"({', '.join(f'{v:.0f}' for v in values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--screenshots", type=Path, help="write the screenshots into this folder")
    args = parser.parse_args()

    with nets_page() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        play = [listen_latency(browser, url, START) for _ in range(args.runs)]
        listen = [
            listen_latency(browser, url, "Listen from here: Ultrasound scan")
            for _ in range(args.runs)
        ]
        gap = gaps(browser, url, [0, 1, 6, 7, 8, 13, 20][: max(3, args.runs)])
        phone = heights(browser, url, 375, 667)
        desktop = heights(browser, url, 1280, 800)
        places = following(browser, url)
        if args.screenshots:
            screenshots(browser, url, args.screenshots)
        browser.close()

    js = len(gzip.compress((ROOT / "static/voice-reader.js").read_bytes(), 9))
    css = len(gzip.compress((ROOT / "static/voice-reader.css").read_bytes(), 9))
    print(f"Play → playing (first section, metadata preloaded):  {summary(play)}   target ≤ 150 ms")
    print(
        f"Listen from here → playing (a section not preloaded): {summary(listen)}   target ≤ 150 ms"
    )
    print(
        f"Gap at a section boundary (ended → next playing):    {summary([g[0] for g in gap])}"
        "   target ≤ 100 ms"
    )
    print(f"  … until the next section's clock moves (per frame): {summary([g[1] for g in gap])}")
    print(
        f"First paragraph, 375x667: at {phone['paragraph']:.0f} px at rest (≤ 360), "
        f"{phone['playing_paragraph']:.0f} px while playing (≤ 480)"
    )
    print(
        f"Following, 375x667: each new sentence's top settles at {min(places):.2f} to "
        f"{max(places):.2f} of the screen, median {statistics.median(places):.2f} "
        f"({len(places)} sentences; target ≤ 0.33)"
    )
    print(
        f"More, open:        {phone['more']:5.0f} px tall at 375x667 ({phone['more'] / 667:.0%}; "
        f"≤ 60%), {desktop['more']:.0f} px at 1280x800 ({desktop['more'] / 800:.0%})"
    )
    print(f"At rest, 375x667:  {phone['rest']:5.0f} px tall (≤ 120)")
    print(f"At rest, 1280x800: {desktop['rest']:5.0f} px tall (≤ 96)")
    print(
        f"Playing, 375 px:   {phone['playing']:5.0f} px tall (≤ 200); 1280 px: "
        f"{desktop['playing']:.0f} px"
    )
    print(
        f"Mini-player:       {phone['mini'][1]:5.0f} px tall, {phone['mini'][0]:.0f} px wide "
        f"at 375 (≤ 120, full width); {desktop['mini'][1]:.0f} px tall, "
        f"{desktop['mini'][0]:.0f} px wide at 1280 (≤ 72, full width)"
    )
    print(f"voice-reader.js  {js:6d} bytes gzipped   budget {15 * 1024}")
    print(f"voice-reader.css {css:6d} bytes gzipped   budget {5 * 1024}")
    print(word_figures())


if __name__ == "__main__":
    main()
