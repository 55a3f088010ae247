"""The admin for a team in Chromium, axe in each state: search, pages, removals, changes, words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_page import BROKEN_WORDS, WIDTHS
from tests.support.admin_browser import admin_server, signed_in
from tests.support.browser import axe_violations
from tests.support.content import NETS, SMALL
from tests.support.staff import run_worker

LEAFLETS = 30
"""Unbuilt documents beside the NETs page, so the dashboard has two pages."""


@pytest.fixture
def server(published, tmp_path, monkeypatch):
    """Serve the shipped content's fake build and LEAFLETS small pages, admin pages on."""
    yield from admin_server(
        published,
        tmp_path,
        monkeypatch,
        {
            f"leaflet-{n:02}": SMALL.replace("Small page", f"Leaflet {n:02}")
            for n in range(1, LEAFLETS + 1)
        },
    )


def assert_targets_and_focus(page, locator) -> None:
    """Each control is at least 24 by 24 pixels and shows where the focus is."""
    for i in range(locator.count()):
        control = locator.nth(i)
        box = control.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, control.text_content()
    first = locator.first
    first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert first.evaluate("e => e === document.activeElement")
    assert first.evaluate("e => getComputedStyle(e).outlineStyle") != "none"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_pages_and_sort_by_keyboard(new_page, server, scheme):
    page = new_page(color_scheme=scheme)
    signed_in(page, server)
    rows = page.locator(".vr-admin-document")
    expect(rows).to_have_count(25)
    expect(page.locator("#vr-admin-count")).to_contain_text("page 1 of 2")
    assert axe_violations(page) == []
    pages = page.get_by_role("navigation", name="Pages of documents")
    assert_targets_and_focus(page, pages.get_by_role("link"))
    pages.get_by_role("link", name="Next page").press("Enter")
    expect(page.locator("#vr-admin-count")).to_contain_text("page 2 of 2")
    expect(rows).to_have_count(LEAFLETS + 1 - 25)
    expect(pages.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    assert axe_violations(page) == []

    search = page.get_by_role("searchbox", name="Search by title or page name")
    search.fill("leaflet-1")
    page.get_by_label("Sort by").select_option("-name")
    search.press("Enter")
    expect(rows.first.locator(".vr-admin-name")).to_have_text("Page name: leaflet-19")
    expect(rows).to_have_count(10)
    expect(page.locator("#vr-admin-count")).to_contain_text("10 of 31 documents match")
    assert axe_violations(page) == []

    search.fill("no such page")
    search.press("Enter")
    expect(page.locator("#vr-admin-count")).to_contain_text("No documents match")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Show every document").click()
    expect(rows).to_have_count(25)


def test_unpublish_and_delete_are_confirmed_first(new_page, server):
    page = new_page()
    signed_in(page, server)
    page.get_by_role("searchbox").fill("leaflet-0")
    page.get_by_role("searchbox").press("Enter")
    row = page.locator("#doc-leaflet-03")
    assert_targets_and_focus(page, row.get_by_role("link", name="Unpublish"))
    row.get_by_role("link", name="Unpublish").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Unpublish “Leaflet 03”?")
    assert axe_violations(page) == []
    assert_targets_and_focus(page, page.get_by_role("button", name="Unpublish leaflet-03"))
    page.get_by_role("link", name="Cancel: keep it as it is").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")

    page.goto(server.url + "/admin/documents/leaflet-03/unpublish")
    page.get_by_role("button", name="Unpublish leaflet-03").press("Enter")
    expect(page.get_by_text("Unpublished: Leaflet 03 (leaflet-03)")).to_be_visible()
    assert axe_violations(page) == []

    page.goto(server.url + "/admin/documents/leaflet-04/delete")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete “Leaflet 04”?")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Delete leaflet-04").click()
    expect(page.get_by_text("Deleted: Leaflet 04 (leaflet-04)")).to_be_visible()
    page.get_by_role("searchbox").fill("leaflet-0")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator("#doc-leaflet-04")).to_have_count(0)
    expect(page.locator("#doc-leaflet-03")).to_contain_text("Unpublished")
    expect(page.locator("#doc-leaflet-03").get_by_role("button")).to_have_text("Publish again")
    assert axe_violations(page) == []


def test_a_move_by_keyboard_is_refused_in_words_then_done(new_page, server):
    page = new_page()
    signed_in(page, server)
    page.get_by_role("searchbox").fill("leaflet-05")
    page.get_by_role("searchbox").press("Enter")
    move = page.locator("#doc-leaflet-05").get_by_role("link", name="Move or rename")
    assert_targets_and_focus(page, move)
    move.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Move or rename leaflet-05")
    assert axe_violations(page) == []
    name = page.get_by_role("textbox", name="New name")
    name.fill("Leaflets/Five")
    name.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("lower case")
    expect(name).to_have_value("Leaflets/Five")
    assert axe_violations(page) == []
    # The refusal is the form again, answered 400, which Chromium notes in its console.
    assert page.problems == [
        "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
    ]
    page.problems.clear()
    name.fill("leaflets/five")
    assert_targets_and_focus(page, page.get_by_role("button", name="Move"))
    page.get_by_role("button", name="Move").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    assert axe_violations(page) == []
    page.get_by_role("searchbox").fill("five")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator(".vr-admin-name code")).to_have_text(["leaflets/five"])
    assert axe_violations(page) == []


def test_every_column_updates_live_after_a_build(new_page, server):
    page = new_page()
    signed_in(page, server)
    page.get_by_role("searchbox").fill("leaflet-07")
    page.get_by_role("searchbox").press("Enter")
    row = page.locator("#doc-leaflet-07")
    expect(row.locator('[data-field="last"] dd')).to_have_text("None yet")
    row.get_by_role("button", name="Rebuild audio").click()
    expect(row.locator('[data-field="audio"] dd')).to_have_text("Queued for building")
    run_worker(server.app)
    # No reload: the page's script fetches the row's columns when the build ends.
    expect(page.locator("#vr-admin-live")).to_have_text("No builds are running.", timeout=15000)
    expect(row.locator('[data-field="audio"] dd')).to_have_text("Ready")
    expect(row.locator('[data-field="last"] dd')).to_contain_text("Succeeded")
    expect(row.locator('[data-field="sections"] dd')).to_have_text("4")
    expect(row.locator('[data-field="duration"] dd')).not_to_have_text("Not known yet")
    expect(row.locator('[data-field="check"] dd')).not_to_have_text(
        "Checked when the document is built"
    )
    assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_preview_marks_changes_to_hear_and_jump_between(new_page, server, tmp_path, scheme):
    page = new_page(color_scheme=scheme)
    signed_in(page, server)
    source = (server.content_dir / f"{NETS}.html").read_text()
    first, second = re.findall(r"<p>([^<]{40,}?\.)", source)[2:4]
    edited = source.replace(first, "This sentence is new.").replace(second, second + " Also new.")
    upload = tmp_path / "edited.html"
    upload.write_text(edited)
    page.goto(server.url + "/admin/documents/new")
    page.get_by_label("Document name").fill(NETS)
    page.get_by_label("HTML file").set_input_files(str(upload))
    page.get_by_role("button", name="Preview").click()
    run_worker(server.app)
    page.get_by_role("link", name="Check again").click()
    summary = page.locator("#vr-admin-changes")
    expect(summary).to_contain_text(re.compile(r"\d+ of \d+ sentences change"))
    changed = page.locator(".vr-admin-changed")
    assert changed.count() >= 2
    assert axe_violations(page) == []
    assert_targets_and_focus(page, changed.get_by_role("button", name=re.compile("^Hear it")))
    summary.get_by_role("link", name="Go to the first change").press("Enter")
    first_id = changed.first.get_attribute("id")
    assert page.url.endswith("#" + first_id)
    changed.first.get_by_role("link", name=re.compile("^Next change")).press("Enter")
    assert page.url.endswith("#" + changed.nth(1).get_attribute("id"))
    changed.nth(1).get_by_role("button", name=re.compile("^Hear it")).press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The clip is being made")
    assert axe_violations(page) == []
    run_worker(server.app)
    page.get_by_role("link", name="Check again").click()
    audio = page.locator(".vr-admin-changed audio")
    expect(audio).to_have_count(1)
    duration = audio.evaluate(
        """(a) => new Promise((resolve) => a.readyState >= 1 ? resolve(a.duration)
             : a.addEventListener('loadedmetadata', () => resolve(a.duration), {once: true}))"""
    )
    assert duration > 0.3
    assert axe_violations(page) == []


def test_hear_it_keeps_the_spelling_tried_and_an_existing_word_opens(new_page, server):
    page = new_page()
    signed_in(page, server)
    page.get_by_role("link", name="Pronunciation").click()
    page.get_by_label("Word as written").fill("NICE")
    page.get_by_label("Say it as").fill("nyce")
    page.get_by_label("Why (optional)").fill("trying it")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("“NICE” is already in the lexicon")
    expect(page.get_by_role("heading", name="Change an entry")).to_be_visible()
    expect(page.get_by_label("Say it as")).to_have_value("nyce")
    expect(page.get_by_label("Why (optional)")).to_have_value("trying it")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Hear it", exact=True).click()
    run_worker(server.app)
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Hear it"))).to_have_text(
        "Hear it: NICE said as “nyce”"
    )
    expect(page.get_by_text("What is said:")).to_contain_text("nyce")
    expect(page.get_by_label("Word as written")).to_have_value("NICE")
    expect(page.get_by_label("Say it as")).to_have_value("nyce")
    expect(page.get_by_label("Why (optional)")).to_have_value("trying it")
    expect(page.get_by_role("heading", name="Change an entry")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “NICE”")
    assert "NICE\tnyce\t\ttrying it" in (server.content_dir / "lexicon.tsv").read_text()


def test_no_word_is_broken_and_nothing_scrolls_sideways(new_page, server):
    page = new_page()
    signed_in(page, server)
    paths = ("/admin?page=2", "/admin?q=nothing", "/admin/documents/leaflet-01/delete")
    for path in paths:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(server.url + path)
            assert page.evaluate(BROKEN_WORDS) == [], (path, width)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (path, width, scroll)
