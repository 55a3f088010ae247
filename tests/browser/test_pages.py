"""Audit the service's pages in Chromium: axe, the heading outline, size and reading comfort."""

from __future__ import annotations

import gzip
import itertools
import re
import shutil

import pytest

from reader import create_app
from reader.manifest import load_manifest
from tests.support.browser import LiveServer, axe_incomplete, axe_violations
from tests.support.content import write_document
from tests.support.web import NETS, PLAIN, PLAIN_HTML, publish

# axe rules that could not decide alone on a page, by page, each with the reason it is fine.
# Reviewed: axe reports none on these pages in light or dark mode (colours are plain, text
# sits on solid backgrounds, nothing overlaps), so any new entry needs a reason here first.
EXPLAINED_INCOMPLETE: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def server(published, tmp_path_factory):
    """Serve the shipped content built with the fake engine, plus one page with no audio."""
    root = tmp_path_factory.mktemp("site")
    content_dir, build_dir = root / "content", root / "build"
    shutil.copytree(published.content_dir, content_dir)
    shutil.copytree(published.out_dir, build_dir)
    write_document(content_dir, PLAIN, PLAIN_HTML)
    publish(content_dir, build_dir, PLAIN, audio=False)
    app = create_app({"TESTING": True, "CONTENT_DIR": content_dir, "BUILD_DIR": build_dir})
    with LiveServer(app) as live:
        yield live


PAGES = {
    "document": f"/documents/{NETS}",
    "index": "/",
    "index-filtered": "/?q=tumours",
    "index-no-match": "/?q=nothing-like-this",
    "no-audio": f"/documents/{PLAIN}",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(page, server, name, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(server.url + PAGES[name])
    assert axe_violations(page) == []
    assert set(axe_incomplete(page)) == EXPLAINED_INCOMPLETE.get(name, set())


def _headings(page) -> list[tuple[int, str]]:
    snapshot = page.locator("body").aria_snapshot()
    return [
        (int(level), text)
        for text, level in re.findall(r'- heading "(.*?)" \[level=(\d)\]', snapshot)
    ]


@pytest.mark.parametrize("name", PAGES)
def test_heading_outline_has_one_h1_and_no_skipped_levels(page, server, name):
    page.goto(server.url + PAGES[name])
    headings = _headings(page)
    assert headings, "no headings found"
    levels = [level for level, _ in headings]
    assert levels[0] == 1
    assert levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, headings


def test_compressed_nets_page_is_small(page, server):
    response = page.request.get(server.url + PAGES["document"])
    assert len(gzip.compress(response.body())) <= 30 * 1024


def test_base_font_is_at_least_18px(page, server):
    page.goto(server.url + PAGES["document"])
    # A paragraph of the document's own text (the player's fallback is hidden once upgraded).
    size, line_height = page.evaluate(
        "(() => { const p = document.querySelector('.vr-document > p:not(.vr-listen)');"
        " const s = getComputedStyle(p);"
        " return [parseFloat(s.fontSize), parseFloat(s.lineHeight)]; })()"
    )
    assert size >= 18
    assert line_height / size >= 1.5


@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scroll_at_320px(page, server, name):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(server.url + PAGES[name])
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_listen_links_work_without_javascript(browser, server, published):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + PAGES["document"])
    links = page.get_by_role("link", name=re.compile(r"^Listen to this section \(MP3, "))
    assert links.count() == len(load_manifest(published.out_dir, NETS).sections)
    href = links.first.get_attribute("href")
    response = page.request.get(server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "audio/mpeg"
    context.close()


def test_skip_link_is_first_and_visible_on_focus(page, server):
    page.goto(server.url + PAGES["document"])
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.inner_text() == "Skip to main content"
    box = focused.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24
    outline = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert outline >= 2


def test_title_filter_works_by_keyboard_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    field = page.get_by_role("searchbox", name="Find a page by its title")
    field.focus()
    page.keyboard.type("colds")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=colds")
    assert page.get_by_role("link", name="Coughs and colds").count() == 1
    assert page.get_by_role("link", name="Neuroendocrine tumours (NETs)").count() == 0
    # (The filtered page's axe audit is in test_axe_finds_no_violations: axe needs JavaScript.)
    box = page.get_by_role("button", name="Find").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    context.close()
