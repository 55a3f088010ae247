"""Audit the admin page in Chromium: axe, target sizes, focus, and a rebuild from its button."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from reader import create_app
from tests.support.browser import LiveServer, axe_violations
from tests.support.content import write_document
from tests.support.web import PLAIN, PLAIN_HTML

PASSWORD = "correct horse battery staple"
CREDENTIALS = {"username": "admin", "password": PASSWORD}


@pytest.fixture
def server(published, tmp_path, monkeypatch):
    """Serve the shipped content's fake build plus one page with no audio, admin page on."""
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    content_dir = tmp_path / "content"
    build_dir = tmp_path / "build"
    shutil.copytree(published.content_dir, content_dir)
    shutil.copytree(published.out_dir, build_dir)
    write_document(content_dir, PLAIN, PLAIN_HTML)
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content_dir,
            "BUILD_DIR": build_dir,
            "ADMIN_PASSWORD_HASH": generate_password_hash(PASSWORD),
            "BUILD_ENGINE": "fake",
        }
    )
    with LiveServer(app) as live:
        yield live


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_admin_page(new_page, server, scheme):
    page = new_page(http_credentials=CREDENTIALS, color_scheme=scheme)
    response = page.goto(server.url + "/admin")
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert page.context.cookies() == []
    assert axe_violations(page) == []


def test_buttons_are_big_enough_and_show_focus(new_page, server):
    page = new_page(http_credentials=CREDENTIALS)
    page.goto(server.url + "/admin")
    buttons = page.get_by_role("button")
    assert buttons.count() == 3  # one per document, and Rebuild all
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
    button = page.get_by_role("button", name="Rebuild audio for Coughs and colds")
    button.focus()
    outline = button.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline != "none"


def test_rebuild_from_the_button_then_check_again(new_page, server):
    page = new_page(http_credentials=CREDENTIALS)
    page.goto(server.url + "/admin")
    row = page.get_by_role("row", name="Coughs and colds")
    expect(row).to_contain_text("Not built")
    page.get_by_role("button", name="Rebuild audio for Coughs and colds").click()
    expect(page.get_by_role("status")).to_contain_text("Rebuilding audio for Coughs and colds")
    assert axe_violations(page) == []
    for _ in range(300):
        page.get_by_role("link", name="Check again").click()
        if "Being built" not in page.get_by_role("row", name="Coughs and colds").inner_text():
            break
        page.wait_for_timeout(200)
    expect(page.get_by_role("row", name="Coughs and colds")).to_contain_text("Ready")
    expect(page.get_by_role("row", name="Coughs and colds")).to_contain_text("Succeeded")
