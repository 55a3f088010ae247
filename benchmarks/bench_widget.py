"""Measure the player in a real browser: time to sound, section joins, its heights, its size.

Run: python benchmarks/bench_widget.py [--runs N]
Builds content/ with the fake engine into a temporary folder, serves it with the real app on
loopback and drives Debian's Chromium through Playwright, only through the element's documented
API. Targets: Play → playing ≤ 150 ms, gap at a section boundary ≤ 100 ms; at rest ≤ 120 px tall
at 375 px wide and ≤ 96 px at 1280, the first paragraph on the first 375x667 screen, playing
≤ 160 px at 375, mini-player ≤ 72 px; JS ≤ 14 KB and CSS ≤ 5 KB gzipped. The word-timing error
figures are measured by benchmarks/bench_words.py (it is run, and its output printed, when it
exists).
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

# The player's height, and where the article's first paragraph starts.
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


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


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
    """The player at rest and playing at one viewport size, and the mini-player's box."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    rest = page.evaluate(HEIGHTS_JS)
    page.evaluate("() => document.querySelector('voice-reader').play()")
    page.wait_for_function("() => document.querySelector('voice-reader').state === 'playing'")
    playing = page.evaluate(HEIGHTS_JS)["player"]
    page.evaluate("() => scrollTo(0, document.body.scrollHeight / 2)")
    page.wait_for_function(MINI_JS.replace("return [", "return box.height > 0 && ["))
    mini = page.evaluate(MINI_JS)
    context.close()
    return {
        "rest": rest["player"],
        "paragraph": rest["paragraph"],
        "playing": playing,
        "mini": mini,
    }


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
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        build_documents(content, Path(tmp) / "build", [SLUG], BuildOptions(engine="fake", jobs=1))
        app = create_app(
            {"TESTING": True, "CONTENT_DIR": content, "BUILD_DIR": Path(tmp) / "build"}
        )
        server, origin = serve(app)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        url = f"{origin}/documents/{SLUG}"
        try:
            with sync_playwright() as playwright:
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
                browser.close()
        finally:
            server.shutdown()

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
        f"At rest, 375x667:  {phone['rest']:5.0f} px tall (≤ 120); first paragraph at "
        f"{phone['paragraph']:.0f} px (≤ 667)"
    )
    print(f"At rest, 1280x800: {desktop['rest']:5.0f} px tall (≤ 96)")
    print(
        f"Playing, 375 px:   {phone['playing']:5.0f} px tall (≤ 160); 1280 px: "
        f"{desktop['playing']:.0f} px"
    )
    print(
        f"Mini-player:       {phone['mini'][1]:5.0f} px tall, {phone['mini'][0]:.0f} px wide "
        f"at 375 (≤ 72, full width); {desktop['mini'][1]:.0f} px at 1280"
    )
    print(f"voice-reader.js  {js:6d} bytes gzipped   budget {14 * 1024}")
    print(f"voice-reader.css {css:6d} bytes gzipped   budget {5 * 1024}")
    print(word_figures())


if __name__ == "__main__":
    main()
