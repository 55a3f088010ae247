"""Test the admin dashboard: search, sort and pages, page names, unpublish and delete, live rows."""

from __future__ import annotations

import json
import re

import pytest
from filelock import FileLock

from reader import manifest as mf
from reader.admin.dashboard import PAGE_SIZE
from reader.files import LOCK_NAME
from tests.support.admin_forms import ORIGIN, csrf, post
from tests.support.content import NETS, SMALL, write_document
from tests.support.nu import valid_responses
from tests.support.staff import SMALL_SLUG, run_worker

MANY = 30
"""Extra documents, so the dashboard has two pages."""


@pytest.fixture
def many(staff):
    """Add MANY small documents, "Leaflet 01" to "Leaflet 30", named leaflet-30 to leaflet-01."""
    for number in range(1, MANY + 1):
        html = SMALL.replace("Small page", f"Leaflet {number:02}")
        write_document(staff.content_dir, f"leaflet-{MANY + 1 - number:02}", html)
    return MANY + 2  # with the NETs page and the small page


def names(html: str) -> list[str]:
    """Return the page names of the dashboard's rows, in order."""
    return re.findall(r'<li class="vr-admin-document" id="doc-([^"]+)"', html)


def test_the_dashboard_shows_a_page_at_a_time_with_a_page_navigation(admin, many):
    first = admin.get("/admin").get_data(as_text=True)
    assert len(names(first)) == PAGE_SIZE
    assert f"{many} documents: showing 1 to {PAGE_SIZE}, page 1 of 2." in first
    assert '<nav class="vr-admin-pages" aria-label="Pages of documents">' in first
    assert 'href="/admin" aria-current="page"' in first
    assert 'href="/admin?page=2" rel="next"' in first and 'rel="prev"' not in first
    second = admin.get("/admin?page=2").get_data(as_text=True)
    assert len(names(second)) == many - PAGE_SIZE
    assert set(names(first)).isdisjoint(names(second))
    assert "page 2 of 2" in second and 'href="/admin" rel="prev"' in second
    assert "<title>Documents, page 2 of 2" in second


@pytest.mark.parametrize(("asked", "shown"), [("0", 1), ("-4", 1), ("3", 2), ("999999", 2)])
def test_a_page_out_of_range_shows_the_nearest(admin, many, asked, shown):
    response = admin.get(f"/admin?page={asked}")
    assert response.status_code == 200
    assert f"page {shown} of 2." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "page=two",
        "page=1.5",
        "page=%D9%A1",  # an Arabic-Indic digit one
        "page=" + "9" * 40,
        "sort=evil",
        "sort=title;drop",
        "sort=%00",
    ],
)
def test_a_bad_page_or_sort_is_400_with_a_sentence(admin, many, query):
    response = admin.get(f"/admin?{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Cannot show the documents that way" in text
    assert "whole number" in text or "Sort the documents by" in text


def test_search_by_title_or_name_and_say_when_nothing_matches(admin, many):
    by_title = admin.get("/admin?q=LEAFLET+07").get_data(as_text=True)
    assert names(by_title) == ["leaflet-24"]
    assert f"1 of {many} documents match “LEAFLET 07”" in by_title
    by_name = admin.get("/admin?q=leaflet-2").get_data(as_text=True)
    assert sorted(names(by_name)) == [f"leaflet-{n}" for n in range(20, 30)]
    none = admin.get("/admin?q=%3Cscript%3Ezzz").get_data(as_text=True)
    assert names(none) == [] and "No documents match “&lt;script&gt;zzz”." in none
    assert "<script>zzz" not in none
    long = admin.get("/admin?q=" + "x" * 5000)
    assert long.status_code == 200 and "x" * 101 not in long.get_data(as_text=True)


def test_sort_by_title_name_last_build_and_state(admin, staff, many):
    by_title = names(admin.get("/admin?q=leaflet").get_data(as_text=True))
    assert by_title[:2] == ["leaflet-30", "leaflet-29"]  # Leaflet 01, Leaflet 02
    by_name = names(admin.get("/admin?q=leaflet&sort=name").get_data(as_text=True))
    assert by_name[:2] == ["leaflet-01", "leaflet-02"]
    backwards = names(admin.get("/admin?q=leaflet&sort=-name").get_data(as_text=True))
    assert backwards[:2] == ["leaflet-30", "leaflet-29"]
    post(admin, "/admin/build", {"slug": "leaflet-05"})
    run_worker(staff.app)
    post(admin, "/admin/build", {"slug": "leaflet-17"})
    newest = names(admin.get("/admin?sort=-built").get_data(as_text=True))
    assert newest[:2] == ["leaflet-17", "leaflet-05"]
    oldest = names(admin.get("/admin?sort=built&page=2").get_data(as_text=True))
    assert oldest[-2:] == ["leaflet-05", "leaflet-17"]
    by_state = names(admin.get("/admin?sort=state").get_data(as_text=True))
    assert by_state[0] == "leaflet-17"  # queued comes before not built and ready
    ready_first = names(admin.get("/admin?sort=-state").get_data(as_text=True))
    assert ready_first[0] == "leaflet-05"


def test_page_names_tell_documents_of_the_same_title_apart(admin, staff):
    write_document(staff.content_dir, "small-copy", SMALL)
    html = admin.get("/admin?q=small").get_data(as_text=True)
    assert html.count(">Small page<") == 2
    assert "Page name: <code>small</code>" in html
    assert "Page name: <code>small-copy</code>" in html


def build_small(admin, staff):
    """Publish the small page, with its audio."""
    post(admin, "/admin/build", {"slug": SMALL_SLUG})
    run_worker(staff.app)
    assert staff.client.get(f"/documents/{SMALL_SLUG}").status_code == 200


def audit_entries(staff) -> list[dict]:
    """Return the audit log's entries, oldest first."""
    lines = (staff.instance / "audit.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_unpublish_asks_first_then_answers_410_and_can_publish_again(admin, staff):
    build_small(admin, staff)
    url = f"/admin/documents/{SMALL_SLUG}/unpublish"
    confirm = admin.get(url).get_data(as_text=True)
    assert "<h1>Unpublish “" in confirm and "410 Gone" in confirm
    assert f'action="{url}"' in confirm and "Cancel: keep it as it is" in confirm
    assert staff.client.get(f"/documents/{SMALL_SLUG}").status_code == 200  # not yet
    response = post(admin, url, form=url)
    assert response.status_code == 303
    assert staff.client.get(f"/documents/{SMALL_SLUG}").status_code == 410
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Unpublished: Small page (small)" in html
    row = html[html.index(f'id="doc-{SMALL_SLUG}"') :]
    assert "Unpublished: the page answers 410 Gone" in row[: row.index("</li>")]
    assert "Publish again" in row[: row.index("</li>")]
    entry = audit_entries(staff)[-1]
    assert entry["action"] == "unpublish" and entry["who"] == "admin"
    assert entry["via"] == "session" and entry["document"] == SMALL_SLUG
    again = post(admin, url, form="/admin")
    assert again.status_code == 409  # already unpublished
    assert post(admin, f"/admin/documents/{SMALL_SLUG}/publish-again").status_code == 303
    run_worker(staff.app)
    assert staff.client.get(f"/documents/{SMALL_SLUG}").status_code == 200
    assert ("publish again", "admin") in [(e["action"], e["who"]) for e in audit_entries(staff)]


def test_delete_asks_first_then_leaves_the_list_and_keeps_other_documents(admin, staff):
    build_small(admin, staff)
    nets_page = staff.client.get(f"/documents/{NETS}").status_code
    url = f"/admin/documents/{SMALL_SLUG}/delete"
    confirm = admin.get(url).get_data(as_text=True)
    assert "<h1>Delete “" in confirm and "leaves this list" in confirm
    response = post(admin, url, form=url)
    assert response.status_code == 303
    assert staff.client.get(f"/documents/{SMALL_SLUG}").status_code == 410
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert SMALL_SLUG not in names(html) and NETS in names(html)
    assert "Deleted: Small page (small)" in html
    assert list((staff.content_dir / ".unpublished").glob(f"{SMALL_SLUG}-*.html"))
    assert staff.client.get(f"/documents/{NETS}").status_code == nets_page
    actions = [(e["action"], e["who"]) for e in audit_entries(staff)[-2:]]
    assert actions == [("unpublish", "admin"), ("delete", "admin")]
    assert admin.get(url).status_code == 404  # gone from the admin altogether
    assert post(admin, url, form="/admin").status_code == 404


def test_an_unpublished_document_can_be_deleted_too(admin, staff):
    build_small(admin, staff)
    url = f"/admin/documents/{SMALL_SLUG}"
    post(admin, url + "/unpublish", form=url + "/unpublish")
    assert post(admin, url + "/delete", form=url + "/delete").status_code == 303
    assert SMALL_SLUG not in names(admin.get("/admin").get_data(as_text=True))


@pytest.mark.parametrize("action", ["unpublish", "delete"])
def test_removals_need_the_csrf_token_and_this_site(admin, staff, action):
    build_small(admin, staff)
    url = f"/admin/documents/{SMALL_SLUG}/{action}"
    assert admin.post(url, data={}, headers=ORIGIN).status_code == 400
    forged = admin.post(url, data={"csrf_token": "forged"}, headers=ORIGIN)
    assert forged.status_code == 400
    token = csrf(admin, url)
    cross = admin.post(url, data={"csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert staff.client.get(f"/documents/{SMALL_SLUG}").status_code == 200
    assert all(e["action"] not in ("unpublish", "delete") for e in audit_entries(staff))


@pytest.mark.parametrize("action", ["unpublish", "delete"])
def test_removals_of_no_such_document_are_404(admin, action):
    for name in ("nothing-here", "..", "a%2Fb"):
        assert admin.get(f"/admin/documents/{name}/{action}").status_code == 404
        response = post(admin, f"/admin/documents/{name}/{action}")
        assert response.status_code == 404
    # Not a name at all: the URL map finds the confirmation page's GET rule for the address
    # before the converter refuses it, so Werkzeug answers a POST 405; either way, refused.
    assert admin.get(f"/admin/documents/Bad%20Name/{action}").status_code == 404
    assert post(admin, f"/admin/documents/Bad%20Name/{action}").status_code == 405


def test_a_document_being_published_cannot_be_unpublished_yet(admin, staff):
    build_small(admin, staff)
    url = f"/admin/documents/{SMALL_SLUG}/unpublish"
    with FileLock(mf.document_dir(staff.build_dir, SMALL_SLUG) / LOCK_NAME):
        response = post(admin, url, form=url)
    assert response.status_code == 409 and "being built" in response.get_data(as_text=True)
    assert staff.client.get(f"/documents/{SMALL_SLUG}").status_code == 200


def test_the_live_rows_have_every_column_after_a_build(admin, staff):
    queued = post(admin, "/admin/build", {"slug": SMALL_SLUG})
    page = admin.get(queued.headers["Location"]).get_data(as_text=True)
    data = admin.get(f"/admin/status.json?document={SMALL_SLUG}").get_json()
    assert data["busy"] and [d["slug"] for d in data["documents"]] == [SMALL_SLUG]
    row = data["documents"][0]["html"]
    assert row in page  # the page's own columns, exactly
    assert "Queued for building" in row and "Queued " in row
    run_worker(staff.app)
    data = admin.get(f"/admin/status.json?document={SMALL_SLUG}&document={NETS}").get_json()
    assert not data["busy"] and data["live"] == "No builds are running."
    rows = {d["slug"]: d["html"] for d in data["documents"]}
    assert set(rows) == {SMALL_SLUG, NETS}
    fields = re.findall(r'data-field="([a-z]+)"', rows[SMALL_SLUG])
    assert fields == ["audio", "duration", "sections", "last", "check"]
    assert ">Ready<" in rows[SMALL_SLUG] and "Succeeded" in rows[SMALL_SLUG]
    assert "Not known yet" not in rows[SMALL_SLUG]
    assert "Checked when the document is built" not in rows[SMALL_SLUG]
    assert rows[SMALL_SLUG] in admin.get("/admin").get_data(as_text=True)
    everyone = admin.get("/admin/status.json").get_json()["documents"]
    assert {d["slug"] for d in everyone} == {SMALL_SLUG, NETS}


def test_the_live_rows_escape_what_they_show(admin, staff):
    write_document(staff.content_dir, "odd", SMALL.replace("Small page", "<b>Bold</b> & co"))
    rows = admin.get("/admin/status.json?document=odd").get_json()["documents"]
    assert rows and "<b>" not in rows[0]["html"]


def test_every_new_admin_state_is_valid_html(admin, staff, many, tmp_path):
    build_small(admin, staff)
    source = (staff.content_dir / f"{SMALL_SLUG}.html").read_text()
    preview = post(
        admin,
        "/admin/documents/new",
        {"slug": SMALL_SLUG, "html": source.replace("Two sentences.", "Two new ones.")},
        form="/admin/documents/new",
    ).headers["Location"]
    run_worker(staff.app)
    changed = re.search(r'id="sentence-(\d+)" class="vr-admin-changed"', admin.get(preview).text)
    heard = post(admin, preview + "/hear", {"sentence": changed[1]}, form=preview)
    heard = heard.headers["Location"]
    waiting = admin.get(heard)
    run_worker(staff.app)
    unpublish = f"/admin/documents/{NETS}/unpublish"
    post(admin, unpublish, form=unpublish)
    existing = {"written": "NICE", "spoken": "nyce", "lang": "", "why": ""}
    pages = {
        "search": admin.get("/admin?q=leaflet"),
        "empty-search": admin.get("/admin?q=nothing+like+this"),
        "page-2": admin.get("/admin?page=2"),
        "sorted": admin.get("/admin?sort=-built"),
        "bad-sort": admin.get("/admin?sort=nope"),
        "confirm-unpublish": admin.get(f"/admin/documents/{SMALL_SLUG}/unpublish"),
        "confirm-delete": admin.get(f"/admin/documents/{SMALL_SLUG}/delete"),
        "preview-changes": admin.get(preview),
        "preview-clip-waiting": waiting,
        "preview-clip": admin.get(heard),
        "lexicon-clip": admin.get(
            post(admin, "/admin/pronunciation/hear", existing, "/admin/pronunciation").headers[
                "Location"
            ]
        ),
        "entry-exists": post(admin, "/admin/pronunciation", existing, "/admin/pronunciation"),
    }
    assert "<audio controls" in pages["preview-clip"].text
    assert "Page name:" in pages["search"].text and "Next" in pages["sorted"].text
    assert valid_responses(pages, tmp_path) == []


def test_a_refused_version_is_shown_beside_the_published_one(admin, staff):
    build_small(admin, staff)
    headers = {**staff.auth, "Content-Type": "text/html"}
    refused = admin.put(f"/api/v1/documents/{SMALL_SLUG}", data=b"<p>no title", headers=headers)
    assert refused.status_code == 422
    html = admin.get("/admin").get_data(as_text=True)
    row = html[html.index(f'id="doc-{SMALL_SLUG}"') :]
    row = row[: row.index("</li>")]
    assert "<dt>Last version sent</dt>" in row and "(sent by cms)" in row and "h1" in row
    assert ">Ready<" in row  # the published version is still served
    live = admin.get(f"/admin/status.json?document={SMALL_SLUG}").get_json()["documents"]
    assert "Last version sent" in live[0]["html"]
    source = (staff.content_dir / f"{SMALL_SLUG}.html").read_bytes()
    edited = source.replace(b"An introduction.", b"A new introduction.")
    sent = admin.put(f"/api/v1/documents/{SMALL_SLUG}", data=edited, headers=headers)
    assert sent.status_code == 202
    assert "Last version sent" not in admin.get("/admin").get_data(as_text=True)
