"""Test the admin page: off by default, Basic auth, same-origin posts and queued builds."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.security import check_password_hash, generate_password_hash

from reader import create_app
from reader.cli import main
from reader.manifest import load_manifest
from tests.support.content import NETS
from tests.support.staff import run_worker
from tests.support.web import PLAIN
from tests.test_html_valid import VNU

PASSWORD = "correct horse battery staple"
HASH = generate_password_hash(PASSWORD)
ORIGIN = {"Origin": "http://localhost"}


def basic(user: str = "admin", password: str = PASSWORD) -> dict:
    """Return an Authorization header for HTTP Basic."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def make_admin(tmp_path, monkeypatch):
    """Create an app with the admin page on over the given content and build folders."""
    for name in [n for n in os.environ if n.startswith("READER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))

    def make(content_dir: Path, build_dir: Path, **extra):
        config = {
            "TESTING": True,
            "CONTENT_DIR": content_dir,
            "BUILD_DIR": build_dir,
            "ADMIN_PASSWORD_HASH": HASH,
            "BUILD_ENGINE": "fake",
        }
        return create_app({**config, **extra})

    return make


@pytest.fixture
def admin_client(make_admin, site):
    """Return a test client of an app with the admin page on, over the `site` folders."""
    return make_admin(*site).test_client()


def wait_for(client, slug: str) -> str:
    """Run the queued builds as the worker would; return the admin page."""
    run_worker(client.application)
    html = client.get("/admin", headers=basic()).get_data(as_text=True)
    assert "Being built" not in html
    return html


def test_admin_is_off_by_default(client):
    assert client.get("/admin").status_code == 404
    assert client.get("/admin", headers=basic()).status_code == 404
    assert client.post("/admin/build", data={"slug": NETS}, headers=basic()).status_code == 404
    assert client.get("/admin/build", headers=basic()).status_code == 404
    assert "admin" not in client.application.blueprints


@pytest.mark.parametrize(
    "headers",
    [{}, basic(password="wrong password!"), basic(user="root"), {"Authorization": "Bearer x"}],
)
def test_without_the_right_credentials_it_asks_for_them(admin_client, headers):
    for response in (
        admin_client.get("/admin", headers=headers),
        admin_client.post("/admin/build", data={"slug": NETS}, headers={**headers, **ORIGIN}),
    ):
        assert response.status_code == 401
        assert (
            response.headers["WWW-Authenticate"]
            == 'Basic realm="voice-reader admin", charset="UTF-8"'
        )
        assert response.headers["Cache-Control"] == "no-store"


def test_admin_page_lists_documents_with_their_status(admin_client):
    response = admin_client.get("/admin", headers=basic())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1>") == 1
    assert "<caption>" in html and '<th scope="col">' in html
    assert f'href="/documents/{NETS}"' in html and f'href="/documents/{PLAIN}"' in html
    assert "Ready" in html and "Not built" in html
    assert f'name="slug" value="{NETS}"' in html
    assert "Rebuild all" in html and "Check again" in html
    assert 'http-equiv="refresh"' not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "Set-Cookie" not in response.headers


def test_admin_page_says_when_the_text_changed(admin_client, site):
    source = site[0] / f"{NETS}.html"
    source.write_text(source.read_text() + "\n<p>A new paragraph.</p>\n")
    html = admin_client.get("/admin", headers=basic()).get_data(as_text=True)
    assert "Out of date: the text changed since the audio was built" in html


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/admin"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://localhost"},
    ],
)
def test_posts_from_elsewhere_are_forbidden(admin_client, headers):
    headers = {**basic(), **headers}
    response = admin_client.post("/admin/build", data={"slug": NETS}, headers=headers)
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_document_is_a_clear_400(admin_client):
    response = admin_client.post(
        "/admin/build", data={"slug": "no-such-page"}, headers={**basic(), **ORIGIN}
    )
    assert response.status_code == 400
    assert "no document called “no-such-page”" in response.get_data(as_text=True)


def test_a_same_origin_referer_is_enough(admin_client, site, tmp_path):
    response = admin_client.post(
        "/admin/build",
        data={"slug": "no-such-page"},
        headers={**basic(), "Referer": "http://localhost/admin", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 400  # past the CSRF check, stopped by the slug check


def test_rebuild_publishes_the_audio_and_reports_it(make_admin, content_dir, tmp_path):
    build_dir = tmp_path / "build"
    client = make_admin(content_dir, build_dir).test_client()
    before = client.get("/admin", headers=basic()).get_data(as_text=True)
    assert "Not built" in before

    response = client.post("/admin/build", data={"slug": NETS}, headers={**basic(), **ORIGIN})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/admin?started=")
    started = client.get(location, headers=basic()).get_data(as_text=True)
    assert 'role="status"' in started and "Rebuilding audio for Neuroendocrine" in started

    assert "Queued" in started
    html = wait_for(client, NETS)
    manifest = load_manifest(build_dir, NETS)
    assert manifest is not None and manifest.voice.engine.startswith("fake")
    assert "Ready" in html
    assert "Succeeded" in html and "sections built" in html
    assert client.get(f"/api/documents/{NETS}/manifest.json").status_code == 200


def test_a_second_build_of_the_same_document_is_refused(make_admin, content_dir, tmp_path):
    client = make_admin(content_dir, tmp_path / "build").test_client()
    post = {"data": {"slug": NETS}, "headers": {**basic(), **ORIGIN}}
    assert client.post("/admin/build", **post).status_code == 303
    # Queued and not yet started: a second one is refused, not queued behind it.
    second = client.post("/admin/build", **post)
    assert second.status_code == 409
    assert "already being built" in second.get_data(as_text=True)
    wait_for(client, NETS)
    assert client.post("/admin/build", **post).status_code == 303
    wait_for(client, NETS)


def test_a_failed_build_shows_its_error(make_admin, content_dir, tmp_path):
    client = make_admin(content_dir, tmp_path / "build", BUILD_ENGINE="no-such-engine")
    client = client.test_client()
    response = client.post("/admin/build", data={"all": "1"}, headers={**basic(), **ORIGIN})
    assert response.status_code == 303
    html = wait_for(client, NETS)
    assert "Failed" in html and "Not built" in html
    assert "unknown engine" in html


def test_admin_password_prints_a_hash(monkeypatch):
    result = CliRunner().invoke(main, ["admin-password"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    printed = result.output.strip().splitlines()[-1]
    assert check_password_hash(printed, PASSWORD)
    assert PASSWORD not in result.output


def test_admin_password_refuses_short_passwords():
    result = CliRunner().invoke(main, ["admin-password"], input="short\nshort\n")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output


def test_admin_password_must_be_typed_twice_the_same():
    result = CliRunner().invoke(
        main, ["admin-password"], input=f"{PASSWORD}\nsomething else!!\n{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output


def test_admin_pages_are_valid_html(admin_client, tmp_path):
    assert VNU.is_file(), f"The Nu Html Checker is missing at {VNU}"
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker (Debian: openjdk-17-jre-headless)"
    pages = {
        "admin": admin_client.get("/admin", headers=basic()),
        "refused": admin_client.post(
            "/admin/build", data={"slug": "nope"}, headers={**basic(), **ORIGIN}
        ),
    }
    files = []
    for name, response in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.get_data())
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [m["message"] for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == []


def test_the_admin_page_never_loads_the_speech_engine(tmp_path, content_dir):
    script = f"""
import base64, sys
from reader import create_app
client = create_app().test_client()
auth = {{"Authorization": "Basic " + base64.b64encode(b"admin:{PASSWORD}").decode()}}
post = client.post("/admin/build", data={{"all": "1"}}, headers={{**auth, "Origin": "http://localhost"}})
assert post.status_code == 303, post.status_code
assert "Queued" in client.get("/admin", headers=auth).get_data(as_text=True)
loaded = sorted(m for m in ("pyttsx3", "reader.pipeline.engine", "reader.pipeline.synthesise",
                            "reader.pipeline.build",
                            "reader.pipeline.fake_engine", "lameenc") if m in sys.modules)
assert not loaded, loaded
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_CONTENT_DIR=str(content_dir),
        READER_BUILD_DIR=str(tmp_path / "build"),
        READER_INSTANCE_PATH=str(tmp_path / "instance"),
        READER_ADMIN_PASSWORD_HASH=HASH,
        READER_BUILD_ENGINE="fake",
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=90
    )
    assert result.returncode == 0, result.stderr
