"""Listening figures in Chromium: the admin's Listening page, its tables and axe in each state."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from reader.listening_store import ListeningStore, today
from tests.support.browser import LiveServer, axe_violations
from tests.support.content import NETS
from tests.support.staff import PASSWORD, staff_app


@pytest.fixture
def server(published, tmp_path, monkeypatch):
    """Serve the shipped content's fake build with the admin pages on, in its own instance."""
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    content_dir = tmp_path / "content"
    build_dir = tmp_path / "build"
    shutil.copytree(published.content_dir, content_dir)
    shutil.copytree(published.out_dir, build_dir)
    app = staff_app(tmp_path, content_dir, build_dir)
    with LiveServer(app) as live:
        live.app = app
        yield live


def sign_in(page, server) -> None:
    page.goto(server.url + "/admin")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")


def _cells(row) -> list[str]:
    return [" ".join(text.split()) for text in row.locator("th, td").all_inner_texts()]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_listening_page_and_a_document_drilled_into(new_page, server, scheme):
    sections = [
        s.id for s in server.app.extensions["reader.web.catalogue"].entry(NETS).outline.sections
    ]
    store = ListeningStore(server.app.instance_path)
    for section, event, times in (
        (sections[0], "play", 4),
        (sections[0], "progress-25", 3),
        (sections[0], "progress-50", 2),
        (sections[0], "progress-75", 1),
        (sections[2], "play", 1),
        (sections[2], "progress-25", 1),
    ):
        for _ in range(times):
            store.record(NETS, section, event, day=today())
    page = new_page(color_scheme=scheme)
    sign_in(page, server)
    page.get_by_role("link", name="Listening").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Listening")
    expect(page.get_by_role("link", name="Listening")).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Each document")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    assert _cells(rows.first) == [
        f"Neuroendocrine tumours (NETs) {NETS}",
        "5",
        "80%",
        "40%",
        "20%",
        "0%",
    ]
    assert axe_violations(page) == []
    page.get_by_label("Period").select_option("7")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{server.url}/admin/listening?days=7")
    page.get_by_role("link", name="Neuroendocrine tumours (NETs)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Listening: Neuroendocrine tumours (NETs)"
    )
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    assert _cells(rows.nth(0))[1:] == ["4", "75%", "50%", "25%", "0%"]
    assert _cells(rows.nth(1))[1:] == ["1", "100%", "0%", "0%", "0%"]
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.goto(server.url + "/admin/listening")
        page.get_by_role("link", name="Download the last 30 days as CSV").click()
    assert download.value.suggested_filename.startswith("listening-")


def test_the_listening_page_fits_a_phone(new_page, server):
    page = new_page(viewport={"width": 320, "height": 640})
    sign_in(page, server)
    page.goto(server.url + "/admin/listening")
    expect(page.get_by_text("Nothing was listened to")).to_be_visible()
    assert axe_violations(page) == []
    outline = server.app.extensions["reader.web.catalogue"].entry(NETS).outline
    ListeningStore(server.app.instance_path).record(NETS, outline.sections[-1].id, "play")
    for path in ("/admin/listening", f"/admin/listening/{NETS}"):
        page.goto(server.url + path)
        expect(page.get_by_role("table")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    assert axe_violations(page) == []
