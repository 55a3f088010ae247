"""Test the content API: tokens, refusals in JSON, PUT → queued build → published, DELETE → 410."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.manifest import load_manifest
from tests.support.content import NETS
from tests.support.staff import SMALL_SLUG as SLUG
from tests.support.staff import make_staff

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def staff(tmp_path, monkeypatch, content_dir):
    """Give a test an app with the API on, a token and its queue."""
    return make_staff(tmp_path, monkeypatch, content_dir)


def source(staff) -> bytes:
    return (staff.content_dir / f"{SLUG}.html").read_bytes()


def changed(staff, text: str = "A new paragraph about the liver.") -> bytes:
    return source(staff).replace(b"</main>", f"<p>{text}</p></main>".encode(), 1)


def put(staff, body: bytes, slug: str = SLUG, headers=None):
    return staff.client.put(
        f"/api/v1/documents/{slug}", data=body, headers={**staff.auth, **HTML, **(headers or {})}
    )


def assert_json_error(response, code: int) -> dict:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    assert "Access-Control-Allow-Origin" not in response.headers
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"]
    return body


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer vr_wrong-token",
        "Basic YWRtaW46cGFzc3dvcmQ=",
        "Bearer vr_ünïcödé-tökén".encode().decode("latin-1"),
    ],
)
def test_a_missing_or_wrong_token_is_401(staff, header):
    headers = {"Authorization": header} if header else {}
    for method in ("get", "put", "delete"):
        response = getattr(staff.client, method)(f"/api/v1/documents/{NETS}", headers=headers)
        body = assert_json_error(response, 401)
        assert "token" in body["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(staff):
    assert staff.client.get("/api/v1/documents", headers=staff.auth).status_code == 200
    staff.app.extensions["reader.admin.tokens"].revoke("cms")
    assert_json_error(staff.client.get("/api/v1/documents", headers=staff.auth), 401)


def test_a_flood_of_bad_tokens_gets_429(staff):
    bad = {"Authorization": "Bearer vr_guess"}
    codes = [staff.client.get("/api/v1/documents", headers=bad).status_code for _ in range(12)]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]
    assert_json_error(staff.client.get("/api/v1/documents", headers=bad), 429)


def test_good_tokens_are_not_counted_as_bad(staff):
    for _ in range(15):
        assert staff.client.get("/api/v1/documents", headers=staff.auth).status_code == 200


def test_unknown_method_and_address_are_json(staff):
    assert_json_error(staff.client.post(f"/api/v1/documents/{NETS}", headers=staff.auth), 405)
    assert_json_error(staff.client.get("/api/v1/nothing-here", headers=staff.auth), 404)
    assert_json_error(staff.client.get("/api/v1/documents/no-such", headers=staff.auth), 404)
    assert_json_error(staff.client.get("/api/v1/documents/Bad_Name", headers=staff.auth), 400)
    assert_json_error(staff.client.get("/api/v1/jobs/nope", headers=staff.auth), 404)


def test_bad_html_is_422_with_readable_problems_and_changes_nothing(staff):
    before = source(staff)
    response = put(staff, b"<p>No heading at all, and <b>unclosed")
    body = assert_json_error(response, 422)
    assert body["problems"] and all(isinstance(p, str) for p in body["problems"])
    assert "h1" in body["problems"][0]
    assert source(staff) == before
    assert staff.queue.huey.pending_count() == 0
    body = assert_json_error(
        put(staff, b"<h1>  </h1><p>Text under an empty title.</p>", "new"), 422
    )
    assert body["problems"]
    assert not (staff.content_dir / "new.html").exists()
    response = put(staff, b"\xff\xfe not utf-8 <h1>x</h1>", slug="bad-bytes")
    assert_json_error(response, 422)


def test_too_large_wrong_type_and_bad_name_are_refused(staff):
    assert_json_error(put(staff, b"x" * (2 * 1024 * 1024 + 1)), 413)
    response = staff.client.put(
        f"/api/v1/documents/{NETS}",
        data=b"<h1>x</h1>",
        headers={**staff.auth, "Content-Type": "text/plain"},
    )
    assert_json_error(response, 415)
    assert_json_error(put(staff, b"<h1>x</h1>", slug="Not..a..slug"), 400)


def test_identical_source_is_unchanged_and_queues_nothing(staff):
    response = put(staff, source(staff))
    assert response.status_code == 200
    assert response.get_json()["status"] == "unchanged"
    assert staff.queue.huey.pending_count() == 0


def test_put_queues_a_build_that_the_worker_publishes(staff):
    body = changed(staff)
    response = put(staff, body)
    assert response.status_code == 202
    assert source(staff) == body
    body = response.get_json()
    assert body["status"] == "queued"
    assert body["document"] == f"/api/v1/documents/{SLUG}"
    assert body["job"].startswith("/api/v1/jobs/") and response.headers["Location"] == body["job"]
    state = staff.client.get(body["document"], headers=staff.auth).get_json()
    assert state["state"] == "queued" and state["published"] is None

    assert staff.work() == 1
    job = staff.client.get(body["job"], headers=staff.auth).get_json()
    assert job["state"] == "succeeded" and job["kind"] == "build"
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    assert job["result"]["built"] > 0
    state = staff.client.get(body["document"], headers=staff.auth).get_json()
    assert state["state"] == "ready"
    assert state["published"]["current"] is True
    assert state["published"]["duration"] > 0 and state["published"]["sections"] > 1
    assert state["last_build"]["state"] == "succeeded"
    listing = staff.client.get("/api/v1/documents", headers=staff.auth).get_json()["documents"]
    assert [d["slug"] for d in listing] == [NETS, SLUG]
    assert [d["state"] for d in listing] == ["missing", "ready"]
    manifest = load_manifest(staff.build_dir, SLUG)
    assert any("liver" in s.text for sec in manifest.sections for s in sec.sentences)


def test_a_voice_query_names_the_page_voice_in_the_page_itself(staff):
    body = changed(staff)

    def put_with(voice):
        url = f"/api/v1/documents/{SLUG}?voice={voice}"
        return staff.client.put(url, data=body, headers={**staff.auth, **HTML})

    assert put_with("gmw/en-us").status_code == 202
    assert b'<meta name="voice-reader-voice" content="gmw/en-us">' in source(staff)
    assert staff.work() == 1
    assert load_manifest(staff.build_dir, SLUG).voice.voice == "gmw/en-us"
    # The same page and voice again is unchanged; another voice replaces the first.
    assert put_with("gmw/en-us").get_json()["status"] == "unchanged"
    assert put_with("gmw/en").status_code == 202
    assert source(staff).count(b"voice-reader-voice") == 1
    assert b'content="gmw/en"' in source(staff)


@pytest.mark.parametrize("voice", ["", "two words", "<script>", "x" * 101])
def test_a_voice_query_that_names_no_voice_is_400_and_changes_nothing(staff, voice):
    before = source(staff)
    response = staff.client.put(
        f"/api/v1/documents/{SLUG}",
        query_string={"voice": voice},
        data=changed(staff),
        headers={**staff.auth, **HTML},
    )
    assert_json_error(response, 400)
    assert source(staff) == before


def test_a_second_edit_rebuilds_only_what_changed(staff):
    put(staff, changed(staff))
    staff.work()
    response = put(staff, changed(staff, "Another new paragraph."))
    staff.work()
    job = staff.client.get(response.get_json()["job"], headers=staff.auth).get_json()
    assert job["result"]["built"] == 1 and job["result"]["reused"] > 1


def test_two_puts_while_queued_become_one_build(staff):
    bodies = [changed(staff, "First edit."), changed(staff, "Second edit.")]
    answers = []
    threads = [threading.Thread(target=lambda b=b: answers.append(put(staff, b))) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [202, 202]
    assert len({a.get_json()["job"] for a in answers}) == 1
    assert staff.queue.huey.pending_count() == 1
    assert staff.work() == 1
    manifest = load_manifest(staff.build_dir, SLUG)
    stored = source(staff)
    assert stored in bodies  # the last write wins, whole
    text = " ".join(s.text for sec in manifest.sections for s in sec.sentences)
    assert ("First edit." in text) == (b"First edit." in stored)


def test_a_put_while_building_queues_a_new_build(staff):
    first = put(staff, changed(staff, "First edit.")).get_json()["job"]
    staff.queue.claim_pending(SLUG)  # as the worker does when it starts the build
    second = put(staff, changed(staff, "Second edit.")).get_json()["job"]
    assert first != second
    assert staff.work() == 2


def test_delete_unpublishes_the_page_with_410(staff):
    put(staff, changed(staff))
    staff.work()
    assert staff.client.get(f"/documents/{SLUG}").status_code == 200
    assert f'href="/documents/{SLUG}"' in staff.client.get("/").get_data(as_text=True)
    response = staff.client.delete(f"/api/v1/documents/{SLUG}", headers=staff.auth)
    assert response.status_code == 204
    page = staff.client.get(f"/documents/{SLUG}")
    assert page.status_code == 410 and "Page removed" in page.get_data(as_text=True)
    assert staff.client.get(f"/api/documents/{SLUG}/manifest.json").status_code == 404
    assert_json_error(staff.client.get(f"/api/v1/documents/{SLUG}", headers=staff.auth), 404)
    assert_json_error(staff.client.delete(f"/api/v1/documents/{SLUG}", headers=staff.auth), 404)
    kept = list((staff.content_dir / ".unpublished").glob(f"{SLUG}-*.html"))
    assert len(kept) == 1  # the source is kept, never deleted
    assert staff.work() == 1  # the audio is retired by the worker
    # ...and the document leaves the index.
    assert f'href="/documents/{SLUG}"' not in staff.client.get("/").get_data(as_text=True)
    ledger = (staff.build_dir / SLUG / "retired.json").read_text()
    assert ".mp3" in ledger

    # Published again by a PUT: the page is back.
    assert put(staff, kept[0].read_bytes()).status_code == 202
    staff.work()
    assert staff.client.get(f"/documents/{SLUG}").status_code == 200


def test_tokens_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    made = runner.invoke(main, ["token", "create", "wordpress"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("vr_") and len(token) > 40
    stored = (tmp_path / "instance" / "tokens.json").read_text()
    assert token not in stored and "wordpress" in stored
    listed = runner.invoke(main, ["token", "list"])
    assert "wordpress" in listed.output and "active" in listed.output
    assert token not in listed.output
    again = runner.invoke(main, ["token", "create", "wordpress"])
    assert again.exit_code != 0 and "exists" in again.output
    assert runner.invoke(main, ["token", "revoke", "wordpress"]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["token", "list"]).output
    missing = runner.invoke(main, ["token", "revoke", "nobody"])
    assert missing.exit_code != 0 and "no active token" in missing.output
    bad = runner.invoke(main, ["token", "create", "a b"])
    assert bad.exit_code != 0 and "not a token name" in bad.output


def test_the_api_never_loads_the_pipeline(staff, tmp_path):
    script = f"""
import sys
from reader import create_app
app = create_app()
token = app.extensions["reader.admin.tokens"].create("probe")
client = app.test_client()
headers = {{"Authorization": "Bearer " + token, "Content-Type": "text/html"}}
body = open({str(staff.content_dir / f"{SLUG}.html")!r}, "rb").read() + b"<p>More.</p>"
assert client.put("/api/v1/documents/{SLUG}", data=body, headers=headers).status_code == 202
assert client.put("/api/v1/documents/x", data=b"<p>bad", headers=headers).status_code == 422
assert client.get("/api/v1/documents", headers=headers).status_code == 200
loaded = sorted(m for m in sys.modules if m.startswith(("reader.pipeline", "bs4", "nh3",
                                                         "pyttsx3", "lameenc")))
assert not loaded, loaded
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_CONTENT_DIR=str(staff.content_dir),
        READER_BUILD_DIR=str(staff.build_dir),
        READER_INSTANCE_PATH=str(tmp_path / "other-instance"),
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=90
    )
    assert result.returncode == 0, result.stderr
