"""Measure the player in a real browser: time to sound, the gap between sections, its size.

Run: python benchmarks/bench_widget.py [--runs N]
Builds content/ with the fake engine into a temporary folder, serves it with the real app on
loopback and drives Debian's Chromium through Playwright. Targets: Listen → playing ≤ 150 ms,
gap at a section boundary ≤ 100 ms, JS ≤ 12 KB and CSS ≤ 4 KB gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import shutil
import statistics
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
LISTEN_JS = """() => ({done: new Promise((resolve) => {
  const el = document.querySelector('voice-reader');
  let t0 = 0;
  addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
  el.audios.forEach((a) => a.addEventListener('playing', () => resolve(performance.now() - t0),
                                               {once: true}));
})})"""

# Time from one section's `ended` to the next section's `playing`, near a boundary.
GAP_JS = """(i) => new Promise((resolve) => {
  const el = document.querySelector('voice-reader');
  const current = el.audio, next = el.audios.find((a) => a !== current);
  let ended = 0;
  current.addEventListener('ended', () => { ended = performance.now(); }, {once: true});
  let playing = 0;
  next.addEventListener('playing', () => { playing = performance.now() - ended; }, {once: true});
  // A stricter figure too: until the next section's clock has visibly moved (frame-accurate).
  const start = next.currentTime;
  const poll = () => (ended && playing && next.currentTime > start
    ? resolve([playing, performance.now() - ended]) : requestAnimationFrame(poll));
  requestAnimationFrame(poll);
  current.currentTime = Math.max(0, el.secs[i].duration - 0.4);
})"""


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def listen_latency(browser, url: str, button: str) -> float:
    """Open the page in a fresh context (cold cache) and time one press of `button`."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    page.wait_for_timeout(300)  # the visitor reads the page before pressing
    page.get_by_role("button", name=button, exact=True).focus()
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
        page.evaluate(f"() => document.querySelector('voice-reader').start({i})")
        page.wait_for_function(
            f"() => {{ const el = document.querySelector('voice-reader'); return el.i === {i} "
            "&& el.dataset.state === 'playing'; }"
        )
        page.wait_for_timeout(800)  # the next section preloads meanwhile
        results.append(page.evaluate(GAP_JS, i))
    context.close()
    return results


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
                play = [listen_latency(browser, url, "Play") for _ in range(args.runs)]
                listen = [
                    listen_latency(browser, url, "Listen from here: Ultrasound scan")
                    for _ in range(args.runs)
                ]
                gap = gaps(browser, url, [0, 1, 6, 7, 8, 13, 20][: max(3, args.runs)])
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
    print(f"voice-reader.js  {js:6d} bytes gzipped   budget {12 * 1024}")
    print(f"voice-reader.css {css:6d} bytes gzipped   budget {4 * 1024}")


if __name__ == "__main__":
    main()
