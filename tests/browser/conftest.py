"""Fixtures for browser tests: pages that fail on console errors, and live sites."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page

from reader import create_app
from tests.support.browser import LiveServer, Site
from tests.support.content import NETS
from tests.support.host import FRAMING_HOSTS, HOSTILE, host_app


def pytest_collection_modifyitems(items):
    """Mark every test in this folder as a browser test."""
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Open a fresh page that fails the test on any console error or uncaught exception."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.problems = problems
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def new_page(browser):
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


@pytest.fixture(scope="session")
def site(published) -> Iterator[Site]:
    """Serve create_app over the session's fake-engine build of content/ on a free port.

    In this folder it stands in for tests/conftest.py's `site` (folders for a test client):
    browser tests want the service running. Pages on localhost may frame its embed page.
    """
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": published.content_dir,
            "BUILD_DIR": published.out_dir,
            "FRAME_ANCESTORS": FRAMING_HOSTS,
        }
    )
    with LiveServer(app) as server:
        manifest_url = f"{server.url}/api/documents/{NETS}/manifest.json"
        with urllib.request.urlopen(manifest_url) as r:
            manifest = json.load(r)
        for section in manifest["sections"]:
            # As the widget does: new URL(audio, manifestUrl).
            section["audio"] = urljoin(manifest_url, section["audio"])
        yield Site(server.url, NETS, manifest)


@pytest.fixture
def host(tmp_path, site):
    """Run third-party pages on another origin (localhost, not 127.0.0.1) embedding the player.

    `host(body, hostile_css, address=…, script=…, csp_extra=…)` returns the page's origin;
    see `host_app` for its routes.
    """

    def serve(body: str, hostile_css: str = HOSTILE, address: str = "localhost", **options):
        folder = tmp_path / f"host-{len(servers)}"
        folder.mkdir()
        server = LiveServer(host_app(folder, site.url, body, hostile_css, **options), address)
        servers.append(server.__enter__())
        return server.url

    servers: list[LiveServer] = []
    yield serve
    for server in servers:
        server.__exit__(None)
