"""Test the admin pages: sign-in with a session and CSRF, limits, audit log, previews, lexicon."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from markupsafe import escape
from werkzeug.security import check_password_hash

from reader import create_app
from reader.cli import main
from reader.manifest import load_manifest
from tests.support.admin_forms import ORIGIN, csrf, post, sign_in
from tests.support.content import NETS
from tests.support.nu import valid_responses
from tests.support.staff import PASSWORD, PASSWORD_HASH, SMALL_SLUG, run_worker


def test_admin_is_off_without_a_password(client):
    for url in ("/admin", "/admin/sign-in", "/admin/pronunciation"):
        assert client.get(url).status_code == 404
    assert client.post("/admin/sign-in", data={"user": "admin"}).status_code == 404
    assert "admin" not in client.application.blueprints


def test_pages_ask_for_a_sign_in_first(staff):
    for url in ("/admin", "/admin/pronunciation", "/admin/documents/new"):
        response = staff.client.get(url)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/admin/sign-in?next=")
    response = staff.client.post("/admin/build", data={"all": "1"}, headers=ORIGIN)
    assert response.status_code in (400, 401)


def test_sign_in_sets_a_strict_http_only_session_cookie(staff):
    page = staff.client.get("/admin/sign-in")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'autocomplete="current-password"' in html
    response = sign_in(staff.client)
    assert response.status_code == 303 and response.headers["Location"] == "/admin"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    assert PASSWORD not in cookie
    html = staff.client.get("/admin").get_data(as_text=True)
    assert "<h1>Documents</h1>" in html and "Sign out" in html


def test_the_cookie_is_secure_over_https(staff):
    token = csrf(staff.client)
    data = {"user": "admin", "password": PASSWORD, "csrf_token": token}
    response = staff.client.post(
        "/admin/sign-in",
        data=data,
        base_url="https://localhost",
        headers={"Origin": "https://localhost", "Referer": "https://localhost/admin/sign-in"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("user", "password"),
    [("admin", "wrong password!"), ("root", PASSWORD), ("", ""), ("ädmin", "pässwörd")],
)
def test_a_wrong_user_or_password_is_401(staff, user, password):
    response = sign_in(staff.client, password, user)
    assert response.status_code == 401
    assert "not right" in response.get_data(as_text=True)
    assert staff.client.get("/admin").status_code == 303  # still not signed in


def test_five_wrong_passwords_in_a_minute_then_429(staff):
    codes = [sign_in(staff.client, "wrong password!").status_code for _ in range(5)]
    assert codes == [401] * 5
    refused = sign_in(staff.client)  # even the right password, for a while
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    other = staff.app.test_client()
    token = csrf(other)
    response = other.post(
        "/admin/sign-in",
        data={"user": "admin", "password": PASSWORD, "csrf_token": token},
        headers=ORIGIN,
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 303  # another client is not locked out


def test_a_missing_or_wrong_csrf_token_is_400(admin):
    for data in ({"all": "1"}, {"all": "1", "csrf_token": "forged"}):
        response = admin.post("/admin/build", data=data, headers=ORIGIN)
        assert response.status_code == 400
        assert "expired or did not come from this site" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/admin"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_posts_are_refused(admin, headers):
    token = csrf(admin)
    response = admin.post("/admin/build", data={"all": "1", "csrf_token": token}, headers=headers)
    assert response.status_code == 403
    assert response.headers["Cache-Control"] == "no-store"


def test_sign_out_ends_the_session(admin):
    response = post(admin, "/admin/sign-out")
    assert response.status_code == 303 and "signed_out=1" in response.headers["Location"]
    assert admin.get("/admin").status_code == 303
    assert "You have signed out" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_the_dashboard_shows_every_document_and_the_audit_log(admin, staff):
    headers = {**staff.auth, "Content-Type": "text/html"}
    admin.put(f"/api/v1/documents/{SMALL_SLUG}", data=b"<p>bad", headers=headers)
    html = admin.get("/admin").get_data(as_text=True)
    assert html.count("<h1>") == 1
    assert f'href="/documents/{NETS}"' in html and f'href="/documents/{SMALL_SLUG}"' in html
    assert 'aria-live="polite"' in html and "No builds are running." in html
    assert "Not built" in html and "Rebuild all" in html
    assert 'http-equiv="refresh"' not in html
    assert "admin, sign in admin: ok" in html
    assert "cms, put small: refused" in html
    log = (staff.instance / "audit.jsonl").read_text().splitlines()
    entries = [json.loads(line) for line in log]
    assert [e["action"] for e in entries] == ["sign in", "put"]
    assert set(entries[0]) == {"when", "who", "via", "address", "action", "target", "result"}
    assert entries[0]["who"] == "admin" and entries[0]["via"] == "session"
    assert entries[1]["who"] == "cms" and entries[1]["via"] == "token cms"
    assert entries[1]["document"] == SMALL_SLUG and entries[1]["outcome"] == "refused"


def test_a_rebuild_is_queued_built_and_reported_with_findings(admin, staff):
    response = post(admin, "/admin/build", {"slug": SMALL_SLUG})
    assert response.status_code == 303
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Queued for building" in html and "Queued: Small page." in html
    second = post(admin, "/admin/build", {"slug": SMALL_SLUG})
    assert second.status_code == 409 and "already being built" in second.get_data(as_text=True)
    run_worker(staff.app)
    html = admin.get("/admin").get_data(as_text=True)
    assert "Ready" in html and "Succeeded" in html and "sections built" in html
    findings = staff.queue.result(staff.queue.latest(SMALL_SLUG))["findings"]
    for finding in findings:
        assert escape(finding) in html
    assert ("to look at</summary>" in html) == bool(findings)
    assert ("No findings" in html) != bool(findings)


def test_add_preview_then_publish(admin, staff):
    page = staff.content_dir / f"{SMALL_SLUG}.html"
    html = page.read_text().replace("An introduction.", "Take 2 tablets, e.g. with food.")
    html = html.replace(' lang="en-GB"', "")  # the check will say so
    response = post(
        admin,
        "/admin/documents/new",
        {"slug": "new-page", "html": html},
        form="/admin/documents/new",
    )
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    assert "being prepared" in admin.get(preview_url).get_data(as_text=True)
    run_worker(staff.app)
    shown = admin.get(preview_url).get_data(as_text=True)
    assert "This adds a new document." in shown
    assert "Take 2 tablets, e.g. with food." in shown
    assert "Said:" in shown and "for example" in shown
    assert "no lang attribute" in shown
    page_view = admin.get(preview_url + "/page").get_data(as_text=True)
    assert "<h1" in page_view and "Preview: not published yet" in page_view
    assert not (staff.content_dir / "new-page.html").exists()
    publish = post(admin, preview_url + "/publish", form=preview_url)
    assert publish.status_code == 303
    assert (staff.content_dir / "new-page.html").read_text() == html
    run_worker(staff.app)
    assert load_manifest(staff.build_dir, "new-page") is not None
    again = post(admin, preview_url + "/publish", form="/admin")
    assert again.status_code == 409


def test_upload_a_file_then_cancel(admin, staff):
    source = (staff.content_dir / f"{SMALL_SLUG}.html").read_bytes()
    data = {"slug": SMALL_SLUG, "file": (io.BytesIO(source), "small.html")}
    response = post(
        admin,
        "/admin/documents/new",
        data,
        form="/admin/documents/new",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    run_worker(staff.app)
    shown = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "This replaces the published document" in shown
    before = (staff.content_dir / f"{SMALL_SLUG}.html").read_bytes()
    cancel = post(admin, response.headers["Location"] + "/cancel")
    assert cancel.status_code == 303
    assert (staff.content_dir / f"{SMALL_SLUG}.html").read_bytes() == before
    assert not list((staff.instance / "drafts").iterdir())


def test_unusable_uploads_say_why(admin, staff):
    response = post(admin, "/admin/documents/new", {"slug": "Bad Name", "html": "<h1>x</h1>"})
    assert response.status_code == 400 and "lower-case letters" in response.get_data(as_text=True)
    response = post(admin, "/admin/documents/new", {"slug": "empty", "html": "  "})
    assert response.status_code == 400 and "Choose an HTML file" in response.get_data(as_text=True)
    response = post(admin, "/admin/documents/new", {"slug": "no-title", "html": "<p>text</p>"})
    run_worker(staff.app)
    shown = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be published" in shown and "h1" in shown and "Publish</button>" not in shown


def test_lexicon_list_search_add_edit_remove(admin, staff):
    lexicon = staff.content_dir / "lexicon.tsv"
    original = lexicon.read_text()
    html = admin.get("/admin/pronunciation").get_data(as_text=True)
    assert "<strong>NICE</strong>" in html and "Hear it" in html
    found = admin.get("/admin/pronunciation?q=nice").get_data(as_text=True)
    assert "<strong>NICE</strong>" in found and "<strong>PALS</strong>" not in found

    form = "/admin/pronunciation"
    data = {"written": "Small", "spoken": "smorl", "lang": "", "why": "a test"}
    saved = post(admin, "/admin/pronunciation", data, form=form)
    assert saved.status_code == 303 and "Rebuilding+1+document" in saved.headers["Location"]
    text = lexicon.read_text()
    assert text.startswith(original.split("\n", 1)[0])  # the comments are kept
    assert "Small\tsmorl\t\ta test\n" in text
    duplicate = post(admin, "/admin/pronunciation", data, form=form)
    # Not a dead end: the entry there opens for editing (tests/test_admin_changes.py).
    assert duplicate.status_code == 200 and "Change an entry" in duplicate.text

    changed = {**data, "spoken": "smawl", "replacing": ":Small"}
    assert post(admin, "/admin/pronunciation", changed, form=form).status_code == 303
    assert "Small\tsmawl" in lexicon.read_text() and "smorl" not in lexicon.read_text()
    bad = post(admin, "/admin/pronunciation", {**data, "spoken": "", "written": "x"}, form=form)
    assert bad.status_code == 400

    removed = post(admin, "/admin/pronunciation/remove", {"key": ":Small"}, form=form)
    assert removed.status_code == 303
    assert lexicon.read_text().splitlines() == original.splitlines()


def test_saving_an_entry_rebuilds_only_the_sections_with_the_word(admin, staff):
    post(admin, "/admin/build", {"slug": SMALL_SLUG})
    run_worker(staff.app)
    data = {"written": "detail", "spoken": "dee tail", "lang": "", "why": ""}
    post(admin, "/admin/pronunciation", data, form="/admin/pronunciation")
    job = staff.queue.latest(SMALL_SLUG)
    assert job.state == "queued"
    run_worker(staff.app)
    result = staff.queue.result(staff.queue.record(job.id))
    # Only the "Detail" section says the word (its heading and its text).
    assert result["built"] == 1 and result["reused"] == 3
    manifest = load_manifest(staff.build_dir, SMALL_SLUG)
    said = [s.spoken for sec in manifest.sections for s in sec.sentences]
    assert "The dee tail." in said


def test_hear_it_makes_a_clip_in_the_worker(admin, staff):
    data = {"written": "octreotide", "spoken": "ock tree oh tide", "lang": ""}
    response = post(admin, "/admin/pronunciation/hear", data, form="/admin/pronunciation")
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "The clip is being made" in page
    run_worker(staff.app)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "<audio controls" in page
    src = re.search(r'<audio controls preload="auto" src="([^"]+)"', page)[1]
    with admin.get(src) as clip:
        assert clip.status_code == 200 and clip.mimetype == "audio/mpeg"
        assert len(clip.data) > 1000
    job = staff.queue.record(src.rsplit("/", 1)[1].removesuffix(".mp3"))
    assert (
        staff.queue.result(job)["spoken"]
        == "The word ock tree oh tide is said like this: ock tree oh tide."
    )


def test_admin_password_prints_a_hash():
    result = CliRunner().invoke(main, ["admin-password"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    printed = result.output.strip().splitlines()[-1]
    assert check_password_hash(printed, PASSWORD)
    assert PASSWORD not in result.output


def test_admin_password_refuses_short_passwords():
    result = CliRunner().invoke(main, ["admin-password"], input="short\nshort\n")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output


def test_admin_pages_are_valid_html(admin, staff, tmp_path):
    post(admin, "/admin/build", {"slug": SMALL_SLUG})
    run_worker(staff.app)
    preview = post(
        admin,
        "/admin/documents/new",
        {"slug": "x", "html": (staff.content_dir / f"{SMALL_SLUG}.html").read_text()},
        form="/admin/documents/new",
    ).headers["Location"]
    clip = post(
        admin,
        "/admin/pronunciation/hear",
        {"written": "NICE", "spoken": "nice"},
        form="/admin/pronunciation",
    ).headers["Location"]
    run_worker(staff.app)
    pages = {
        "dashboard": admin.get("/admin"),
        "new": admin.get("/admin/documents/new"),
        "preview": admin.get(preview),
        "preview-page": admin.get(preview + "/page"),
        "lexicon": admin.get(clip),
        "edit": admin.get("/admin/pronunciation?edit=:NICE"),
        "refused": post(admin, "/admin/build", {"slug": "nope"}),
        "sign-in": staff.app.test_client().get("/admin/sign-in"),
        "people": admin.get("/admin/people"),
        "token-made": post(
            admin, "/admin/tokens", {"name": "wp", "owner": "admin"}, "/admin/tokens"
        ),
        "tokens": admin.get("/admin/tokens"),
        "audit": admin.get(f"/admin/audit?document={SMALL_SLUG}"),
        "people-refused": post(admin, "/admin/people", {"name": "Bad Name"}, "/admin/people"),
    }
    assert valid_responses(pages, tmp_path) == []


def test_the_admin_pages_never_load_the_speech_engine(tmp_path, content_dir):
    script = f"""
import re, sys
from reader import create_app
client = create_app().test_client()
token = lambda url: re.search('name="csrf_token" value="([^"]+)"', client.get(url).text)[1]
origin = {{"Origin": "http://localhost"}}
data = {{"user": "admin", "password": {PASSWORD!r}, "csrf_token": token("/admin/sign-in")}}
assert client.post("/admin/sign-in", data=data, headers=origin).status_code == 303
post = client.post("/admin/build", data={{"all": "1", "csrf_token": token("/admin")}},
                   headers=origin)
assert post.status_code == 303, post.status_code
assert "Queued" in client.get("/admin").text
assert client.get("/admin/pronunciation").status_code == 200
loaded = sorted(m for m in ("pyttsx3", "reader.pipeline.engine", "reader.pipeline.synthesise",
                            "reader.pipeline.build", "reader.pipeline.parse", "bs4", "nh3",
                            "reader.pipeline.fake_engine", "lameenc") if m in sys.modules)
assert not loaded, loaded
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_CONTENT_DIR=str(content_dir),
        READER_BUILD_DIR=str(tmp_path / "build"),
        READER_INSTANCE_PATH=str(tmp_path / "instance"),
        READER_ADMIN_PASSWORD_HASH=PASSWORD_HASH,
        # The real engine: the dashboard names it to tell whether each page is current, which
        # reads eSpeak NG's version and loads nothing of pyttsx3. (The fake engine's name is
        # kept in its own module, so naming it loads the fake engine.)
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=90
    )
    assert result.returncode == 0, result.stderr


def test_create_app_reuses_the_instance_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app({"ADMIN_PASSWORD_HASH": PASSWORD_HASH}).config["SECRET_KEY"]
    second = create_app({"ADMIN_PASSWORD_HASH": PASSWORD_HASH}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0
