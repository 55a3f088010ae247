"""Test embedding: the versioned widget URL, the snippet with SRI, its command, the embed page."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil

import pytest
from click.testing import CliRunner

from reader import create_app
from reader.cli import main
from reader.errors import ReaderError
from reader.web.embed import snippet
from reader.web.widget import read_widget
from tests.support.content import REPO
from tests.support.web import NETS, PLAIN

SNIPPET = re.compile(
    r'<script src="(?P<base>[^"]+)/static/v/(?P<version>[0-9a-f]{12})/voice-reader\.js" '
    r'integrity="(?P<integrity>sha384-[A-Za-z0-9+/]{64})" crossorigin="anonymous" defer>'
    r"</script>\n"
    r'<voice-reader document="(?P<slug>[a-z0-9-]+)" src="(?P<src>[^"]+)">'
    r'<a href="(?P<page>[^"]+)">Listen to (?P<title>[^<]+)</a></voice-reader>\n'
)


def sri(data: bytes) -> str:
    """Compute a Subresource Integrity value as a browser does."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@pytest.fixture
def static_dir(tmp_path):
    """Give a test its own copy of the widget files, to change."""
    return shutil.copytree(REPO / "static", tmp_path / "static")


@pytest.fixture
def own_static(site, static_dir):
    """Return a client of an app serving `static_dir`."""
    content_dir, build_dir = site
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content_dir,
            "BUILD_DIR": build_dir,
            "STATIC_DIR": static_dir,
        }
    )
    return app.test_client()


@pytest.fixture
def cli(app, site, monkeypatch):
    """Run `reader` over the `site` folders, as configured by READER_* variables."""
    content_dir, build_dir = site
    monkeypatch.setenv("READER_CONTENT_DIR", str(content_dir))
    monkeypatch.setenv("READER_BUILD_DIR", str(build_dir))
    return lambda *args: CliRunner().invoke(main, list(args))


# ---------------------------------------------------------------- the versioned widget


def test_widget_files_are_served_at_an_immutable_versioned_url(client, app):
    widget = read_widget(app.config["STATIC_DIR"])
    for name in ("voice-reader.js", "voice-reader.css", "voice-reader-listening.js"):
        response = client.get(f"/{widget.path(name)}", headers={"Origin": "https://host.example"})
        assert response.status_code == 200, name
        assert response.get_data() == (REPO / "static" / name).read_bytes()
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        again = client.get(
            f"/{widget.path(name)}", headers={"If-None-Match": response.get_etag()[0]}
        )
        assert again.status_code == 304
    assert client.get(f"/{widget.path()}").mimetype == "text/javascript"
    gzipped = client.get(f"/{widget.path()}", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"


def test_unknown_versions_and_other_files_are_not_found(client, app):
    widget = read_widget(app.config["STATIC_DIR"])
    for url in (
        "/static/v/000000000000/voice-reader.js",
        f"/static/v/{widget.version}/page.css",
        f"/static/v/{widget.version}/nothing.js",
        f"/static/v/{widget.version.upper()}/voice-reader.js",
    ):
        assert client.get(url).status_code == 404, url


def test_a_changed_file_gets_a_new_version_and_the_old_url_goes(own_static, static_dir):
    first = read_widget(static_dir)
    assert own_static.get(f"/{first.path()}").status_code == 200
    # The script fetches the stylesheet from beside itself: a new stylesheet alone is a new version.
    with (static_dir / "voice-reader.css").open("a") as css:
        css.write("\n/* changed */\n")
    second = read_widget(static_dir)
    assert second.version != first.version
    assert second.integrity() == first.integrity()
    assert own_static.get(f"/{first.path()}").status_code == 404
    assert own_static.get(f"/{first.path('voice-reader.css')}").status_code == 404
    css = own_static.get(f"/{second.path('voice-reader.css')}")
    assert css.get_data().endswith(b"/* changed */\n")


def test_no_widget_no_versioned_url(own_static, static_dir):
    (static_dir / "voice-reader.css").unlink()
    assert read_widget(static_dir) is None
    assert own_static.get("/static/v/000000000000/voice-reader.js").status_code == 404


# ---------------------------------------------------------------- the snippet


def test_snippet_pins_the_served_script_by_its_hash(client, app):
    widget = read_widget(app.config["STATIC_DIR"])
    text = snippet("https://reader.example.org/", NETS, widget, "Neuroendocrine tumours (NETs)")
    match = SNIPPET.fullmatch(text)
    assert match, text
    assert match["base"] == match["src"] == "https://reader.example.org"
    assert match["page"] == f"https://reader.example.org/documents/{NETS}"
    assert match["title"] == "Neuroendocrine tumours (NETs)"
    assert match["slug"] == NETS
    assert match["version"] == widget.version
    served = client.get(f"/static/v/{match['version']}/voice-reader.js").get_data()
    assert match["integrity"] == sri(served)


def test_snippet_keeps_a_base_path_and_refuses_other_urls(app):
    widget = read_widget(app.config["STATIC_DIR"])
    text = snippet("https://example.org/health/reader/", NETS, widget, "NETs")
    assert 'src="https://example.org/health/reader/static/v/' in text
    assert 'src="https://example.org/health/reader"><a href=' in text
    for bad in ("reader.example.org", "ftp://reader.example.org", "https://x.org/?a=1", "/r"):
        with pytest.raises(ReaderError, match="base URL"):
            snippet(bad, NETS, widget, "NETs")


# ---------------------------------------------------------------- reader embed-snippet


def test_embed_snippet_command_prints_the_snippet(cli, client):
    result = cli("embed-snippet", NETS, "--base-url", "https://reader.example.org")
    assert result.exit_code == 0, result.output
    match = SNIPPET.fullmatch(result.stdout)
    assert match, result.stdout
    assert (match["base"], match["src"], match["slug"]) == (
        "https://reader.example.org",
        "https://reader.example.org",
        NETS,
    )
    served = client.get(f"/static/v/{match['version']}/voice-reader.js")
    assert served.status_code == 200
    assert match["integrity"] == sri(served.get_data())
    assert result.stderr == ""


def test_embed_snippet_defaults_to_the_local_server_and_says_so(cli):
    result = cli("embed-snippet", NETS)
    assert result.exit_code == 0, result.output
    assert SNIPPET.fullmatch(result.stdout)["src"] == "http://127.0.0.1:5000"
    assert "--base-url" in result.stderr


def test_embed_snippet_unknown_slug_lists_the_documents(cli):
    result = cli("embed-snippet", "no-such-page", "--base-url", "https://reader.example.org")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "'no-such-page' is not a document" in result.stderr
    assert f"Documents with audio: {NETS}" in result.stderr


def test_embed_snippet_needs_published_audio(cli):
    result = cli("embed-snippet", PLAIN, "--base-url", "https://reader.example.org")
    assert result.exit_code == 1
    assert f"'{PLAIN}' has no current audio" in result.stderr
    assert NETS in result.stderr


def test_embed_snippet_refuses_a_bad_base_url(cli):
    result = cli("embed-snippet", NETS, "--base-url", "reader.example.org")
    assert result.exit_code == 1
    assert "base URL" in result.stderr


# ---------------------------------------------------------------- the embed page


def test_embed_page_is_the_player_with_a_link_to_the_full_page(client, app):
    response = client.get(f"/embed/{NETS}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en-GB">' in html
    assert "<title>Listen: Neuroendocrine tumours (NETs) \N{EN DASH} Voice reader</title>" in html
    assert f'<voice-reader manifest="/api/documents/{NETS}/manifest.json">' in html
    assert f'<a href="/documents/{NETS}" target="_blank">Read the full page' in html
    widget = read_widget(app.config["STATIC_DIR"])
    assert f'<script src="/{widget.path()}" defer></script>' in html
    # No inline script or style, so the page's own CSP needs no 'unsafe-inline'.
    assert "<style" not in html and " style=" not in html
    assert html.count("<script") == html.count("<script src=")
    # The player shows the sentence itself: the page carries no text to follow, no headings.
    assert not re.search(r"<h[1-6]", html)
    assert "vr-listen" not in html


def test_embed_page_without_audio_says_so(client):
    html = client.get(f"/embed/{PLAIN}").get_data(as_text=True)
    assert "Audio for this page is being prepared." in html
    assert "<voice-reader" not in html and "<script" not in html
    assert f'href="/documents/{PLAIN}"' in html


def test_nothing_an_embed_loads_sets_a_cookie(client, app):
    widget = read_widget(app.config["STATIC_DIR"])
    for url in (
        f"/embed/{NETS}",
        f"/{widget.path()}",
        f"/{widget.path('voice-reader.css')}",
        f"/api/documents/{NETS}/manifest.json",
        f"/documents/{NETS}",
    ):
        assert "Set-Cookie" not in client.get(url).headers, url


def test_embed_page_of_an_unknown_document_is_not_found(client):
    assert client.get("/embed/no-such-page").status_code == 404
