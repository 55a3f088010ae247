"""Test the content API: tokens, refusals in JSON, PUT → queued build → published, DELETE → 410."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from reader.admin import store, work
from reader.cli import main
from reader.manifest import load_manifest
from tests.support.content import NAMING, NETS
from tests.support.staff import SMALL_SLUG as SLUG

HTML = {"Content-Type": "text/html; charset=utf-8"}


def source(staff) -> bytes:
    return (staff.content_dir / f"{SLUG}.html").read_bytes()


def changed(staff, text: str = "A new paragraph about the liver.") -> bytes:
    return source(staff).replace(b"</main>", f"<p>{text}</p></main>".encode(), 1)


def put(staff, body: bytes, slug: str = SLUG, headers=None, query=None):
    return staff.client.put(
        f"/api/v1/documents/{slug}",
        data=body,
        query_string=query,
        headers={**staff.auth, **HTML, **(headers or {})},
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
    # Never built: the same page asks for its build; once published, it changes nothing.
    assert put(staff, source(staff)).status_code == 202
    staff.work()
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
    assert job["state"] == "ready" and job["kind"] == "build"
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    assert job["result"]["built"] > 0
    state = staff.client.get(body["document"], headers=staff.auth).get_json()
    assert state["state"] == "ready"
    assert state["published"]["current"] is True
    assert state["published"]["duration"] > 0 and state["published"]["sections"] > 1
    assert state["last_build"]["state"] == "ready"
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


def test_a_put_is_the_whole_page_so_a_voice_is_kept_only_if_sent_again(staff):
    body = changed(staff)
    voiced = staff.client.put(
        f"/api/v1/documents/{SLUG}?voice=gmw/en-us", data=body, headers={**staff.auth, **HTML}
    )
    assert voiced.status_code == 202
    staff.work()
    with_meta = source(staff)
    # The page as stored (its meta names the voice) is the same page: nothing to do.
    assert put(staff, with_meta).get_json()["status"] == "unchanged"
    # The page without the meta or ?voice is read in the site's voice again.
    assert put(staff, body).status_code == 202
    assert b"voice-reader-voice" not in source(staff)
    staff.work()
    assert load_manifest(staff.build_dir, SLUG).voice.voice != "gmw/en-us"


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
    staff.queue.huey.delete(f"pending:{SLUG}")  # as the worker does when it starts the build
    second = put(staff, changed(staff, "Second edit.")).get_json()["job"]
    assert first != second
    assert staff.work() == 2


def test_an_unpublish_just_after_the_build_published_stays_410(staff, monkeypatch):
    # The job goes on after publishing (its findings); an unpublish may land in between.
    published = work.build_document

    def build_then_unpublished(content_dir, build_dir, slug, *args):
        result = published(content_dir, build_dir, slug, *args)
        assert store.unpublish(content_dir, build_dir, slug)
        return result

    monkeypatch.setattr(work, "build_document", build_then_unpublished)
    put(staff, changed(staff))
    staff.work()
    assert staff.client.get(f"/documents/{SLUG}").status_code == 410


def test_delete_unpublishes_the_page_with_410(staff):
    put(staff, changed(staff))
    staff.work()
    assert staff.client.get(f"/documents/{SLUG}").status_code == 200
    assert f'href="/documents/{SLUG}"' in staff.client.get("/").get_data(as_text=True)
    response = staff.client.delete(f"/api/v1/documents/{SLUG}", headers=staff.auth)
    assert response.status_code == 204
    page = staff.client.get(f"/documents/{SLUG}")
    assert page.status_code == 410 and "Page removed" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-cache"  # it may be published again
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


def test_the_api_never_loads_the_parser_the_engine_or_a_build_stage(staff, tmp_path):
    # A PUT names the page's build key to tell whether it changes anything: the engine's
    # identity (eSpeak NG's version, read with the standard library), never the engine.
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
assert set(loaded) <= {NAMING | {"reader.pipeline.espeak"}!r}, loaded
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


# --- what a CMS sends besides the page ------------------------------------------------------

CMS_PAGE = "https://cms.example.org/conditions/small/"


def put_json(staff, fields: dict, slug: str = SLUG, query=None):
    return staff.client.put(
        f"/api/v1/documents/{slug}",
        query_string=query,
        json=fields,
        headers=staff.auth,
    )


def with_links(staff) -> bytes:
    return source(staff).replace(
        b"</main>", b'<p>Read <a href="/documents/1/leaflet.pdf">the leaflet</a>.</p></main>', 1
    )


@pytest.mark.parametrize("way", ["query", "json"])
def test_source_url_makes_links_absolute_and_the_page_names_its_origin(staff, way):
    body = with_links(staff)
    if way == "query":
        response = put(staff, body, headers=None, query={"source_url": CMS_PAGE})
    else:
        response = put_json(staff, {"html": body.decode(), "source_url": CMS_PAGE})
    assert response.status_code == 202, response.get_json()
    stored = source(staff)
    assert f'<meta name="voice-reader-source" content="{CMS_PAGE}">'.encode() in stored
    assert response.get_json()["source"] == hashlib.sha256(stored).hexdigest()[:12]
    staff.work()
    page = staff.client.get(f"/documents/{SLUG}").get_data(as_text=True)
    assert '<a href="https://cms.example.org/documents/1/leaflet.pdf">the leaflet</a>' in page
    assert f'Original page: <a href="{CMS_PAGE}">{CMS_PAGE}</a>' in page
    state = staff.client.get(f"/api/v1/documents/{SLUG}", headers=staff.auth).get_json()
    assert state["published"]["source"] == response.get_json()["source"]
    assert state["published"]["audio"] is True

    # A rebuild keeps it: it lives in the stored source.
    assert (
        staff.client.put(
            f"/api/v1/documents/{SLUG}", data=stored, headers={**staff.auth, **HTML}
        ).get_json()["status"]
        == "unchanged"
    )
    moved = put(staff, body, query={"source_url": CMS_PAGE + "v2/"})
    assert moved.status_code == 202
    assert source(staff).count(b"voice-reader-source") == 1


@pytest.mark.parametrize(
    "address",
    ["javascript:alert(1)", "/conditions/small/", "ftp://cms.example.org/", "https://", "x y"],
)
def test_a_bad_source_url_is_422_and_changes_nothing(staff, address):
    before = source(staff)
    body = assert_json_error(put(staff, with_links(staff), query={"source_url": address}), 422)
    assert "source_url" in body["error"] and body["problems"]
    body = assert_json_error(put_json(staff, {"html": "<h1>x</h1>", "source_url": address}), 422)
    assert "source_url" in body["error"]
    assert source(staff) == before and staff.queue.huey.pending_count() == 0


def test_json_bodies_that_cannot_be_used_are_refused_clearly(staff):
    def raw(data: bytes):
        return staff.client.put(
            f"/api/v1/documents/{SLUG}",
            data=data,
            headers={**staff.auth, "Content-Type": "application/json"},
        )

    assert "not JSON" in assert_json_error(raw(b"{not json"), 400)["error"]
    assert "not JSON" in assert_json_error(raw(b"[" * 100_000), 400)["error"]
    assert "not JSON" in assert_json_error(raw(b'{"html": "\xff"}'), 400)["error"]
    not_text = put_json(staff, {"html": "<h1>x</h1>", "source_url": 5})
    assert "source_url" in assert_json_error(not_text, 422)["error"]
    assert '"html"' in assert_json_error(raw(b'{"source_url": "https://x.org/"}'), 422)["error"]
    assert '"html"' in assert_json_error(raw(b'["<h1>x</h1>"]'), 422)["error"]
    assert "unknown fields" in assert_json_error(raw(b'{"html": "x", "htm": 1}'), 422)["error"]
    twice = put_json(
        staff,
        {"html": "<h1>x</h1>", "source_url": CMS_PAGE},
        query={"source_url": "https://other.example.org/"},
    )
    assert "twice" in assert_json_error(twice, 422)["error"]
    too_big = {"html": "x" * (2 * 1024 * 1024 + 1)}
    assert_json_error(put_json(staff, too_big), 413)


@pytest.mark.parametrize("way", ["query", "json"])
def test_callback_url_is_taken_both_ways(staff, way):
    staff.app.config["CALLBACK_HOSTS"] = ["cms.example.org"]
    hook = "https://cms.example.org/voice-reader/hook"
    if way == "query":
        response = put(staff, changed(staff), query={"callback_url": hook})
    else:
        response = put_json(staff, {"html": changed(staff).decode(), "callback_url": hook})
    assert response.status_code == 202
    job_id = response.get_json()["job"].rsplit("/", 1)[1]
    (note,) = (staff.instance / "callbacks").glob(f"{job_id}-*.json")
    assert json.loads(note.read_text()) == {"url": hook, "token": "cms"}


@pytest.mark.parametrize(
    ("hosts", "address", "says"),
    [
        ([], "https://cms.example.org/hook", "callbacks are off"),
        (["cms.example.org"], "http://169.254.169.254/latest/meta-data", "not one"),
        (["cms.example.org"], "http://127.0.0.1:6379/", "not one"),
        (["cms.example.org"], "file:///etc/passwd", "http or https"),
        (["cms.example.org"], "gopher://cms.example.org/", "http or https"),
    ],
)
def test_a_callback_to_a_host_not_allowed_is_422_at_put_time(staff, hosts, address, says):
    staff.app.config["CALLBACK_HOSTS"] = hosts
    before = source(staff)
    body = assert_json_error(put(staff, changed(staff), query={"callback_url": address}), 422)
    assert says in body["error"] and "callback_url" in " ".join(body["problems"]) + body["error"]
    assert source(staff) == before and staff.queue.huey.pending_count() == 0
    assert not (staff.instance / "callbacks").exists()


def test_a_token_without_a_signing_secret_cannot_ask_for_callbacks(staff):
    staff.app.config["CALLBACK_HOSTS"] = ["cms.example.org"]
    path = staff.instance / "tokens.json"
    data = json.loads(path.read_text())
    del data["cms"]["signing_secret"]  # as a token made before callbacks
    path.write_text(json.dumps(data))
    response = put(staff, changed(staff), query={"callback_url": "https://cms.example.org/h"})
    assert "reader token create" in assert_json_error(response, 422)["error"]
