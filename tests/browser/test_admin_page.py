"""Staff flows in Chromium, axe in each state: sign in, upload, preview, publish, lexicon."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.admin_browser import admin_server, sign_in
from tests.support.browser import axe_violations
from tests.support.content import NETS
from tests.support.staff import PASSWORD, run_worker
from tests.support.web import PLAIN, PLAIN_HTML

WIDTHS = (320, 375, 768, 1024, 1280)
# For every word in the page's text, the number of boxes it is drawn in: more than one means a
# word broken across lines ("Au dio"). Whitespace-separated runs only: a break at a hyphen or
# slash inside a long name is allowed by the browser and is not a broken word.
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const style = getComputedStyle(node.parentElement);
    if (style.display === "none" || node.parentElement.closest(".vr-visually-hidden")) continue;
    for (const match of node.textContent.matchAll(/[A-Za-z]{2,}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


@pytest.fixture
def server(published, tmp_path, monkeypatch):
    """Serve the shipped content's fake build plus one page with no audio, admin pages on."""
    yield from admin_server(published, tmp_path, monkeypatch, {PLAIN: PLAIN_HTML})


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sign_in_then_the_dashboard(new_page, server, scheme):
    page = new_page(color_scheme=scheme)
    sign_in(page, server, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("not right")
    # The refusal is a 401 on purpose; Chromium logs every 4xx page load as a console error.
    page.problems[:] = [p for p in page.problems if "status of 401" not in p]
    assert axe_violations(page) == []
    expect(page.get_by_label("User name")).to_have_value("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    cookie = next(c for c in page.context.cookies() if c["name"] == "vr_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    expect(page.get_by_role("status")).to_have_text("No builds are running.")
    expect(page.get_by_text("admin, sign in admin: ok")).to_be_visible()
    assert axe_violations(page) == []


def test_no_word_is_broken_at_any_width(new_page, server):
    page = new_page()
    sign_in(page, server)
    for path in ("/admin", "/admin/pronunciation", "/admin/documents/new"):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(server.url + path)
            assert page.evaluate(BROKEN_WORDS) == [], (path, width)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (path, width, scroll)


def test_buttons_are_big_enough_and_show_focus(new_page, server):
    page = new_page()
    sign_in(page, server)
    buttons = page.get_by_role("button")
    assert buttons.count() >= 4  # a Rebuild per document, Rebuild all, Sign out
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
    button = page.get_by_role("button", name="Rebuild all")
    page.keyboard.press("Tab")
    button.focus()
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") != "none"


def test_upload_preview_and_publish(new_page, server, tmp_path):
    page = new_page()
    sign_in(page, server)
    page.get_by_role("link", name="Add or replace a document").click()
    assert axe_violations(page) == []
    source = tmp_path / "upload.html"
    extra = "<p>Take 2 tablets, e.g. with food.</p></body>"
    source.write_text(PLAIN_HTML.replace("</body>", extra))
    page.get_by_label("Document name").fill("new-page")
    page.get_by_label("HTML file").set_input_files(str(source))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("status")).to_contain_text("being prepared")
    assert axe_violations(page) == []
    run_worker(server.app)
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_text("This adds a new document.")).to_be_visible()
    expect(page.get_by_text("Take 2 tablets, e.g. with food.")).to_be_visible()
    expect(page.get_by_text("for example", exact=False).first).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="See the page as it will be shown").click()
    expect(page.get_by_text("Preview: not published yet")).to_be_visible()
    assert axe_violations(page) == []
    page.go_back()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.locator("#doc-new-page")).to_contain_text("Queued for building")
    assert axe_violations(page) == []
    run_worker(server.app)
    page.get_by_role("link", name="Check again").click()
    expect(page.locator("#doc-new-page")).to_contain_text("Ready")
    expect(page.locator("#doc-new-page")).to_contain_text("Succeeded")
    assert axe_violations(page) == []


def test_cancel_leaves_the_document_as_it_was(new_page, server):
    page = new_page()
    sign_in(page, server)
    before = (server.content_dir / f"{NETS}.html").read_bytes()
    page.goto(server.url + "/admin/documents/new")
    page.get_by_label("Document name").fill(NETS)
    page.get_by_label("Or paste the HTML").fill("<h1>Only a title</h1><p>And one line.</p>")
    page.get_by_role("button", name="Preview").click()
    run_worker(server.app)
    page.reload()
    expect(page.get_by_text("This replaces the published document")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text(f"Cancelled: {NETS} is unchanged")).to_be_visible()
    assert (server.content_dir / f"{NETS}.html").read_bytes() == before


def test_lexicon_edit_with_hear_it(new_page, server):
    page = new_page()
    sign_in(page, server)
    page.get_by_role("link", name="Pronunciation").click()
    assert axe_violations(page) == []
    page.get_by_label("Search the entries").fill("NICE")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("entries match")).to_be_visible()
    page.get_by_role("link", name="Change NICE").click()
    expect(page.get_by_role("heading", name="Change an entry")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Say it as").fill("nyce")
    page.get_by_role("button", name="Hear it", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The clip is being made")
    assert axe_violations(page) == []
    run_worker(server.app)
    page.get_by_role("link", name="Check again").click()
    audio = page.locator("audio")
    expect(audio).to_be_visible()
    # Through the audio's own event: the page's CSP refuses a polled string predicate.
    duration = audio.evaluate(
        """(a) => new Promise((resolve) => a.readyState >= 1 ? resolve(a.duration)
             : a.addEventListener('loadedmetadata', () => resolve(a.duration), {once: true}))"""
    )
    assert duration > 0.5
    assert axe_violations(page) == []
    page.get_by_role("link", name="Change NICE").click()
    page.get_by_label("Say it as").fill("nyce")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “NICE”")
    assert "NICE\tnyce" in (server.content_dir / "lexicon.tsv").read_text()
    assert axe_violations(page) == []


def test_sign_out(new_page, server):
    page = new_page()
    sign_in(page, server)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    assert axe_violations(page) == []
    page.goto(server.url + "/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the admin pages")


def test_a_rebuild_announces_progress_politely(new_page, server):
    page = new_page()
    sign_in(page, server)
    page.get_by_role("button", name="Rebuild audio").first.click()
    live = page.locator("#vr-admin-live")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_contain_text("Queued:")
    assert axe_violations(page) == []
    run_worker(server.app)
    # The page's script notices the end of the build without a reload, and says it once.
    expect(live).to_have_text("No builds are running.", timeout=15000)
