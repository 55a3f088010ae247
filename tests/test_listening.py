"""Test listening figures: the beacon endpoint, the switch, the admin's Listening page and CSV."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from reader import create_app
from reader.listening_store import FILE_NAME, ListeningStore, today
from reader.pipeline.build import build_documents
from reader.web.export import export_site
from tests.support.admin_forms import sign_in
from tests.support.content import FAKE, NETS
from tests.support.nu import valid_responses
from tests.support.staff import SMALL_SLUG, staff_app
from tests.support.web import PLAIN

BEACON = f"/api/documents/{NETS}/listening"
TEXT = {"Content-Type": "text/plain;charset=UTF-8"}


def _sections(client) -> list[str]:
    manifest = client.get(f"/api/documents/{NETS}/manifest.json").get_json()
    return [section["id"] for section in manifest["sections"]]


def _send(client, body, headers=TEXT, **options):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(BEACON, data=data, headers=headers, **options)


def _stored(app) -> list[tuple]:
    return [tuple(row) for row in ListeningStore(app.instance_path).counts("2000-01-01")]


def test_the_manifest_names_the_beacon_beside_the_audio(client):
    manifest = client.get(f"/api/documents/{NETS}/manifest.json").get_json()
    assert manifest["listening"] == "listening"  # relative to the manifest, as `audio` is


def test_public_url_makes_the_beacon_url_absolute(site, app):
    public = create_app(
        {"CONTENT_DIR": site[0], "BUILD_DIR": site[1], "PUBLIC_URL": "https://r.org"}
    )
    manifest = public.test_client().get(f"/api/documents/{NETS}/manifest.json").get_json()
    assert manifest["listening"] == f"https://r.org/api/documents/{NETS}/listening"


def test_the_static_export_names_no_counter(app, tmp_path):
    """A static host has no endpoint: its players must send nothing."""
    export_site(app, tmp_path / "site")
    manifest = tmp_path / "site" / "api" / "documents" / NETS / "manifest.json"
    assert "listening" not in json.loads(manifest.read_bytes())


def test_valid_beacons_are_counted_per_section_day_and_event(client, app):
    first, second = _sections(client)[:2]
    for body in (
        {"section": first, "event": "play"},
        {"section": first, "event": "play"},
        {"event": "progress-25", "section": first},
        {"section": second, "event": "progress-100"},
    ):
        response = _send(client, body)
        assert response.status_code == 204, response.get_data()
        assert response.get_data() == b""
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cache-Control"] == "no-store"
    # application/json (a host's own fetch) is counted too.
    headers = {"Content-Type": "application/json"}
    assert _send(client, {"section": second, "event": "play"}, headers).status_code == 204
    day = today()
    assert sorted(_stored(app)) == [
        (NETS, first, day, "play", 2),
        (NETS, first, day, "progress-25", 1),
        (NETS, second, day, "play", 1),
        (NETS, second, day, "progress-100", 1),
    ]


HOSTILE = [
    (b"not json", TEXT, 400),
    (b"\xff\xfe{", TEXT, 400),
    (b"[" * 400 + b"]" * 100, TEXT, 400),
    (b"[]", TEXT, 400),
    (b'"play"', TEXT, 400),
    (b"null", TEXT, 400),
    (b'{"section": "x"}', TEXT, 400),
    (b'{"section": "x", "event": "play", "ip": "1.2.3.4"}', TEXT, 400),
    (b'{"section": "SECTION", "event": "pause"}', TEXT, 400),
    (b'{"section": "SECTION", "event": ["play"]}', TEXT, 400),
    (b'{"section": "SECTION", "event": "PLAY"}', TEXT, 400),
    (b'{"section": 1, "event": "play"}', TEXT, 422),
    (b'{"section": {"id": "SECTION"}, "event": "play"}', TEXT, 422),
    (b'{"section": "no-such-section", "event": "play"}', TEXT, 422),
    (b'{"section": "' + b"a" * 600 + b'", "event": "play"}', TEXT, 413),
    (b'{"section": "SECTION", "event": "play"}', {"Content-Type": "text/html"}, 415),
    (b"section=SECTION&event=play", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
    (b'{"section": "SECTION", "event": "play"}', {}, 415),
]


@pytest.mark.parametrize(("body", "headers", "code"), HOSTILE)
def test_hostile_beacons_get_a_4xx_and_store_nothing(client, app, body, headers, code):
    body = body.replace(b"SECTION", _sections(client)[0].encode())
    response = _send(client, body, headers)
    assert response.status_code == code, response.get_data()
    assert response.is_json and response.get_json()["error"]
    assert _stored(app) == []


def test_unknown_or_unpublished_documents_and_wrong_methods_are_refused(client, app):
    body = json.dumps({"section": "x", "event": "play"})
    for slug in ("no-such-page", PLAIN, "..", "NETS"):
        response = client.post(f"/api/documents/{slug}/listening", data=body, headers=TEXT)
        assert response.status_code == 404, slug
    assert client.get(BEACON).status_code == 405
    assert client.put(BEACON, data=body, headers=TEXT).status_code == 405
    assert _stored(app) == []


def test_a_beacon_without_a_length_is_refused(client, app):
    body = io.BytesIO(b'{"section": "x", "event": "play"}')
    headers = {**TEXT, "Transfer-Encoding": "chunked"}  # a length nobody said in advance
    response = client.post(BEACON, input_stream=body, headers=headers)
    assert response.status_code == 411
    assert _stored(app) == []


def test_a_preflight_allows_any_origin_without_credentials(client):
    response = client.options(
        BEACON,
        headers={
            "Origin": "https://clinic.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_beacon_leaves_no_trace_of_its_cookies_or_address(staff):
    """The database file's bytes hold no address, user agent, cookie or referrer."""
    _build(staff)
    client = staff.client
    assert sign_in(client, address="203.0.113.7").status_code == 303  # a staff cookie, too
    client.set_cookie("tracker", "cookie-value-31337")
    section = _sections(client)[0]
    headers = {
        **TEXT,
        "X-Forwarded-For": "198.51.100.23, 192.0.2.99",
        "X-Real-IP": "198.51.100.24",
        "User-Agent": "Agent-Smith/9.9",
        "Referer": "https://clinic.example.org/secret-page",
        "Origin": "https://clinic.example.org",
    }
    environ = {"REMOTE_ADDR": "192.0.2.55"}
    for event in ("play", "progress-25"):
        response = _send(
            client, {"section": section, "event": event}, headers, environ_base=environ
        )
        assert response.status_code == 204
        assert "Set-Cookie" not in response.headers
    path = staff.instance / FILE_NAME
    stored = b"".join(p.read_bytes() for p in path.parent.glob(FILE_NAME + "*"))
    assert section.encode() in stored  # the counts are there, in the file read
    for trace in (
        b"198.51.100",
        b"192.0.2",
        b"203.0.113",
        b"31337",
        b"cookie-value",
        b"Agent-Smith",
        b"clinic.example.org",
        b"secret-page",
        b"vr_admin",
    ):
        assert trace not in stored, trace


def test_figures_off_sends_nothing_and_stores_nothing(site, tmp_path, monkeypatch):
    monkeypatch.setenv("READER_LISTENING_FIGURES", "off")
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "CONTENT_DIR": site[0], "BUILD_DIR": site[1]})
    client = app.test_client()
    manifest = client.get(f"/api/documents/{NETS}/manifest.json").get_json()
    assert "listening" not in manifest  # so the widget has nowhere to send a beacon
    section = manifest["sections"][0]["id"]
    response = _send(client, {"section": section, "event": "play"})
    assert response.status_code == 404 and response.is_json
    assert not (tmp_path / "instance" / FILE_NAME).exists()


def test_the_switch_takes_only_on_or_off(site, monkeypatch):
    monkeypatch.setenv("READER_LISTENING_FIGURES", "perhaps")
    with pytest.raises(Exception, match="READER_LISTENING_FIGURES must be on or off"):
        create_app({"CONTENT_DIR": site[0], "BUILD_DIR": site[1]})


# ---------------------------------------------------------------- the admin page and CSV


def _build(staff) -> None:
    summary = build_documents(staff.content_dir, staff.build_dir, [NETS, SMALL_SLUG], options=FAKE)
    assert not summary.failed


@pytest.fixture
def counted(staff):
    """Sign in, and count plays of NETs's first two sections today (and long ago), and of small."""
    _build(staff)
    assert sign_in(staff.client).status_code == 303
    sections = _sections(staff.client)
    store = ListeningStore(staff.instance)
    day = today()
    plan = {
        (sections[0], "play"): 10,
        (sections[0], "progress-25"): 8,
        (sections[0], "progress-50"): 6,
        (sections[0], "progress-75"): 5,
        (sections[0], "progress-100"): 4,
        (sections[1], "play"): 4,
        (sections[1], "progress-25"): 4,
        (sections[1], "progress-50"): 1,
    }
    for (section, event), times in plan.items():
        for _ in range(times):
            store.record(NETS, section, event, day=day)
    store.record(NETS, sections[0], "play", day="2000-01-01")  # outside every period
    store.record(SMALL_SLUG, SMALL_SLUG, "play", day=day)
    return staff, sections


def _table(html: str) -> list[list[str]]:
    """Return each row of the page's table: the first word of each cell."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [
        [re.sub(r"<[^>]+>", " ", cell).split()[0] if cell.strip() else "" for cell in row]
        for row in cells
    ]


def test_the_listening_page_shows_plays_and_shares_per_document(counted):
    staff, _ = counted
    page = staff.client.get("/admin/listening?days=7")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-current="page">Listening</a>' in html
    assert "Neuroendocrine tumours (NETs)" in html
    body = _table(html)
    # NETs: 14 plays; 12 of them reached 25%, 7 half, 5 three quarters, 4 the end.
    assert ["Neuroendocrine", "14", "86%", "50%", "36%", "29%"] in body
    assert body.index(["Neuroendocrine", "14", "86%", "50%", "36%", "29%"]) < len(body) - 1
    assert body[-1][1:] == ["1", "0%", "0%", "0%", "0%"]


def test_drilling_in_shows_each_section_in_reading_order(counted):
    staff, _ = counted
    html = staff.client.get(f"/admin/listening/{NETS}?days=30").get_data(as_text=True)
    assert f"Page name: {NETS}" in html
    body = _table(html)
    assert [row[1:] for row in body[1:]] == [
        ["10", "80%", "60%", "50%", "40%"],
        ["4", "100%", "25%", "0%", "0%"],
    ]
    assert staff.client.get("/admin/listening/no-such-page").status_code == 404


@pytest.mark.parametrize("days", ["1", "365", "x", "7; drop table counts", ""])
def test_only_the_offered_periods_are_shown(counted, days):
    staff, _ = counted
    response = staff.client.get(f"/admin/listening?days={days}")
    assert response.status_code == 400
    assert "Choose a period of 7, 30, 90 days" in response.get_data(as_text=True)
    assert staff.client.get(f"/admin/listening.csv?days={days}").status_code == 400


def test_editors_see_the_figures_and_strangers_do_not(counted):
    staff, _ = counted
    people = staff.app.extensions["reader.admin.people"]
    people.add("eddie", "editor", "a long editor password")
    editor = staff.app.test_client()
    assert sign_in(editor, "a long editor password", "eddie").status_code == 303
    assert editor.get("/admin/listening").status_code == 200
    assert editor.get("/admin/listening.csv").status_code == 200
    stranger = staff.app.test_client()
    for url in ("/admin/listening", f"/admin/listening/{NETS}", "/admin/listening.csv"):
        response = stranger.get(url)
        assert response.status_code == 303 and "/admin/sign-in" in response.headers["Location"]


def test_the_csv_has_one_row_per_document_section_day_and_event(counted):
    staff, sections = counted
    response = staff.client.get("/admin/listening.csv?days=90")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="listening-') and disposition.endswith(
        '.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["document", "section", "day", "event", "count"]
    assert [NETS, sections[0], today(), "play", "10"] in rows
    assert [NETS, sections[1], today(), "progress-50", "1"] in rows
    assert ["small", "small", today(), "play", "1"] in rows
    assert len(rows) == 1 + 9  # the day in 2000 is outside the period


def test_csv_cells_never_run_as_formulas(counted):
    staff, _ = counted
    store = ListeningStore(staff.instance)
    for name in ('=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx", "plain"):
        store.record(name, "=cmd|' /C calc'!A0", "play")
    rows = list(
        csv.reader(io.StringIO(staff.client.get("/admin/listening.csv").get_data(as_text=True)))
    )
    documents = {row[0] for row in rows[1:]}
    assert {'\'=HYPERLINK("http://x")', "'+1+1", "'-2", "'@SUM(A1)", "'\tx", "plain"} <= documents
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for row in rows for cell in row)


def test_the_listening_pages_are_valid_html(counted, tmp_path):
    staff, _ = counted
    pages = {
        name: staff.client.get(url)
        for name, url in {
            "documents": "/admin/listening",
            "document": f"/admin/listening/{NETS}?days=90",
            "empty": "/admin/listening/small?days=7",
            "refused": "/admin/listening?days=2",
        }.items()
    }
    assert valid_responses(pages, tmp_path) == []


def test_with_figures_off_the_admin_still_shows_what_was_counted(counted, tmp_path):
    staff, sections = counted
    off = staff_app(tmp_path, staff.content_dir, staff.build_dir, LISTENING_FIGURES="off")
    client = off.test_client()
    assert sign_in(client).status_code == 303
    html = client.get("/admin/listening").get_data(as_text=True)
    assert "Listening figures are off on this site" in html
    assert ["Neuroendocrine", "14", "86%", "50%", "36%", "29%"] in _table(html)
    response = _send(client, {"section": sections[0], "event": "play"})
    assert response.status_code == 404
