"""Fixtures for the player widget's browser tests: a served document, host pages, helpers."""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, Response, send_from_directory

from reader import create_app

HERE = Path(__file__).resolve().parent
STATIC = HERE.parents[1] / "static"
NETS = "neuroendocrine-tumours"


def _load(name: str, path: Path):
    # By path: tests/conftest.py and tests/browser/conftest.py are both "conftest" to Python.
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return sys.modules[name]


_browser = _load("browser_conftest", HERE / "conftest.py")
LiveServer, axe_violations = _browser.LiveServer, _browser.axe_violations


def page_html(body: str, title: str, head: str = "", scripts: str = "") -> str:
    """Wrap body HTML in a plain page."""
    return (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>{head}</head><body>"
        f'<main id="main">{body}</main>{scripts}</body></html>'
    )


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


# Named explicitly so that tests can import them without shadowing (ruff F811).
@pytest.fixture(scope="session", name="site")
def site_fixture(published) -> Site:
    """Serve create_app over the session's fake-engine build of content/ (tests/conftest.py)."""
    app = create_app(
        {"TESTING": True, "CONTENT_DIR": published.content_dir, "BUILD_DIR": published.out_dir}
    )
    with LiveServer(app) as server:
        with urllib.request.urlopen(f"{server.url}/api/documents/{NETS}/manifest.json") as r:
            manifest = json.load(r)
        yield Site(server.url, NETS, manifest)


# ---------------------------------------------------------------- page helpers

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


@pytest.fixture(name="new_page")
def new_page_fixture(browser):
    """Open pages with context options (viewport, reduced motion…) that fail like `page` does."""
    contexts, pages = [], []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
        pages.append(page)
        return page

    yield make
    problems = [p for page in pages for p in page.problems]
    for context in contexts:
        context.close()
    assert not problems, problems


def expect_http_errors(page, status: int) -> None:
    """Forgive the browser's own 'Failed to load resource' line for responses a test forced."""
    page.problems[:] = [p for p in page.problems if f"status of {status}" not in p]


def host_app(folder: Path, reader_origin: str, body: str, hostile_css: str = "") -> Flask:
    """Serve a third-party page that embeds the player from `reader_origin` under a strict CSP."""
    (folder / "hostile.css").write_text(hostile_css)
    app = Flask(__name__, static_folder=None)
    # The host lets our origin in for scripts, fetches and media only: never for styles.
    csp = (
        f"default-src 'none'; style-src 'self'; script-src {reader_origin}; "
        f"connect-src {reader_origin}; media-src {reader_origin}"
    )

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = csp
        return response

    @app.get("/")
    def index():
        return page_html(
            body,
            "A host page",
            '<link rel="stylesheet" href="/hostile.css">',
            f'<script src="{reader_origin}/static/voice-reader.js" defer></script>',
        )

    @app.get("/hostile.css")
    def css():
        return send_from_directory(folder, "hostile.css", mimetype="text/css")

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    return app
