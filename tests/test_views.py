"""Test the routes: index, document pages, manifests, audio, health and error pages."""

from __future__ import annotations

import json
import logging
import re

import pytest

from reader import create_app
from reader.manifest import manifest_path
from reader.web import views
from tests.support.web import NETS, PLAIN, publish

PAGE = f"/documents/{NETS}"


def _manifest(site) -> dict:
    return json.loads(manifest_path(site[1], NETS).read_bytes())


def test_index_lists_documents_with_sections_time_and_status(client):
    html = client.get("/").get_data(as_text=True)
    assert html.count("<h1") == 1
    nets = html[html.index(f'href="/documents/{NETS}"') :]
    assert "Neuroendocrine tumours (NETs)</a>" in nets
    assert re.search(r"<dt>Sections</dt><dd>7</dd>", nets)
    # 7 sections of 80 s each.
    assert "<dt>Listening time</dt><dd>9 minutes</dd>" in nets
    assert "<dt>Audio</dt><dd>Ready</dd>" in nets
    plain = html[html.index(f'href="/documents/{PLAIN}"') :]
    assert "<dt>Audio</dt><dd>Being prepared</dd>" in plain
    assert "<dt>Listening time</dt><dd>Less than a minute</dd>" in plain


def test_index_without_documents_says_so(app, site):
    for path in site[0].iterdir():
        path.unlink()
    html = app.test_client().get("/").get_data(as_text=True)
    assert "There are no pages yet." in html


def test_document_page_has_the_contract_markup(client, site):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="en-GB">' in html
    assert "<title>Neuroendocrine tumours (NETs) \N{EN DASH} Voice reader</title>" in html
    assert '<a class="vr-skip" href="#main">' in html
    for landmark in ("<header", '<main id="main">', "<footer"):
        assert html.count(landmark) == 1
    assert html.count("<h1") == 1
    assert '<article class="vr-document" lang="en-GB">' in html
    assert '<link rel="stylesheet" href="/static/page.css">' in html
    manifest = _manifest(site)
    # The player sits right after the h1 and holds no heading.
    h1_end = html.index("</h1>") + len("</h1>")
    after_h1 = html[h1_end:].lstrip()
    assert after_h1.startswith(f'<voice-reader manifest="/api/documents/{NETS}/manifest.json">')
    player = after_h1[: after_h1.index("</voice-reader>")]
    assert not re.search(r"<h[1-6]", player)
    # Each section heading carries the manifest's id and is followed by its listen link.
    for section in manifest["sections"]:
        heading = re.search(rf'<h([1-3]) id="{section["id"]}">.*?</h\1>', html, re.S)
        assert heading, section["id"]
        assert int(heading[1]) == section["level"]
        rest = html[heading.end() :]
        if section["level"] == 1:
            rest = rest[rest.index("</voice-reader>") + len("</voice-reader>") :]
        name = section["audio"].removeprefix("audio/")
        assert rest.lstrip().startswith(
            f'<p class="vr-listen"><a href="/audio/{NETS}/{name}" '
            f'data-vr-section="{section["id"]}">'
            "Listen to this section (MP3, 1 minute 20 seconds)</a></p>"
        )
    assert "being prepared" not in html


def test_document_page_has_no_inline_script_or_style(client):
    html = client.get(PAGE).get_data(as_text=True)
    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_widget_is_linked_once_installed(app, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "page.css").write_text("body{}")
    app.config["STATIC_DIR"] = static
    html = app.test_client().get(PAGE).get_data(as_text=True)
    assert "voice-reader.js" not in html
    (static / "voice-reader.js").write_text("")
    html = app.test_client().get(PAGE).get_data(as_text=True)
    assert '<script src="/static/voice-reader.js" defer></script>' in html
    assert html.index("voice-reader.js") > html.index("</main>")


def _assert_text_only(html: str) -> None:
    assert '<p class="vr-status">Audio for this page is being prepared.</p>' in html
    assert "<voice-reader" not in html
    assert "vr-listen" not in html
    assert "/audio/" not in html


def test_document_without_audio_is_text_with_a_status(client):
    html = client.get(f"/documents/{PLAIN}").get_data(as_text=True)
    _assert_text_only(html)
    assert "Most coughs and colds get better" in html


def test_stale_audio_is_not_offered(client, site):
    path = site[0] / f"{NETS}.html"
    path.write_text(path.read_text().replace("chest\ninfections", "chest infections"))
    response = client.get(PAGE)
    assert response.status_code == 200
    _assert_text_only(response.get_data(as_text=True))
    assert client.get(f"/api/documents/{NETS}/manifest.json").status_code == 404
    # The index agrees.
    assert "<dd>Ready</dd>" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "damage",
    [
        lambda m: b"{not json",
        lambda m: json.dumps({**m, "version": 99}).encode(),
        lambda m: json.dumps([m]).encode(),
        lambda m: json.dumps({**m, "sections": [{"id": "x"}]}).encode(),
        lambda m: json.dumps({**m, "sections": "none"}).encode(),
        lambda m: json.dumps({**m, "document": {}}).encode(),
        lambda m: json.dumps({**m, "sections": []}).encode(),
        lambda m: json.dumps(
            {**m, "sections": [{**m["sections"][0], "audio": "../../../etc/passwd"}]}
        ).encode(),
        lambda m: json.dumps(
            {**m, "sections": [{**m["sections"][0], "duration": "long"}]}
        ).encode(),
    ],
    ids=["json", "version", "list", "keys", "sections", "document", "empty", "path", "duration"],
)
def test_corrupt_manifest_means_text_only_and_a_log(client, site, damage, caplog):
    path = manifest_path(site[1], NETS)
    path.write_bytes(damage(_manifest(site)))
    with caplog.at_level(logging.WARNING, logger="reader.web.views"):
        response = client.get(PAGE)
    assert response.status_code == 200
    _assert_text_only(response.get_data(as_text=True))
    assert NETS in caplog.text
    assert client.get(f"/api/documents/{NETS}/manifest.json").status_code == 404
    assert client.get("/").status_code == 200


def test_missing_audio_file_means_text_only(client, site):
    name = _manifest(site)["sections"][2]["audio"]
    (site[1] / NETS / name).unlink()
    _assert_text_only(client.get(PAGE).get_data(as_text=True))


def test_new_manifest_is_picked_up_without_restart(client, site):
    _assert_text_only(client.get(f"/documents/{PLAIN}").get_data(as_text=True))
    publish(site[0], site[1], PLAIN, seconds=5)
    html = client.get(f"/documents/{PLAIN}").get_data(as_text=True)
    assert "Listen to this section (MP3, 5 seconds)" in html


def test_unusable_document_is_not_found_and_not_listed(client, site):
    (site[0] / "empty-page.html").write_bytes(b"")
    assert client.get("/documents/empty-page").status_code == 404
    assert "empty-page" not in client.get("/").get_data(as_text=True)


def test_documents_are_parsed_once_per_version(client, site, monkeypatch):
    calls = []
    real = views.Catalogue._parse

    def counting(self, path, slug):
        calls.append(slug)
        return real(self, path, slug)

    monkeypatch.setattr(views.Catalogue, "_parse", counting)
    for _ in range(3):
        client.get(PAGE)
        client.get("/")
    assert calls.count(NETS) == 1
    path = site[0] / f"{NETS}.html"
    path.write_text(path.read_text() + "\n")
    client.get(PAGE)
    assert calls.count(NETS) == 2


def test_manifest_has_absolute_audio_urls(client, site):
    response = client.get(f"/api/documents/{NETS}/manifest.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    served = response.get_json()
    published = _manifest(site)
    assert served["document"] == published["document"]
    for mine, theirs in zip(served["sections"], published["sections"], strict=True):
        assert mine["audio"] == f"http://localhost/audio/{NETS}/{theirs['audio'][6:]}"
        assert {k: v for k, v in mine.items() if k != "audio"} == {
            k: v for k, v in theirs.items() if k != "audio"
        }
        with client.get(mine["audio"]) as audio:
            assert audio.status_code == 200


def test_manifest_follows_the_host(client):
    response = client.get(
        f"/api/documents/{NETS}/manifest.json", base_url="https://reader.example.org"
    )
    assert response.get_json()["sections"][0]["audio"].startswith(
        f"https://reader.example.org/audio/{NETS}/"
    )


def test_manifest_of_unknown_or_unpublished_document_is_a_json_404(client):
    for slug in ("no-such-page", PLAIN):
        response = client.get(f"/api/documents/{slug}/manifest.json")
        assert response.status_code == 404
        assert response.is_json


def test_audio_is_served(client, site):
    name = _manifest(site)["sections"][0]["audio"]
    with client.get(f"/audio/{NETS}/{name[6:]}") as response:
        assert response.status_code == 200
        assert response.mimetype == "audio/mpeg"
        assert response.get_data() == (site[1] / NETS / name).read_bytes()


def test_healthz(client, app, site, tmp_path):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "ok": True,
        "build_dir_readable": True,
        "content_dir_readable": True,
    }
    assert "no-store" in response.headers["Cache-Control"]
    app.extensions["reader.web.catalogue"].build_dir = tmp_path / "missing"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["ok"] is False


def test_unknown_document_is_an_accessible_404_page(client):
    response = client.get("/documents/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in html
    assert '<main id="main">' in html


def test_wrong_method_is_405(client):
    assert client.post(PAGE).status_code == 405


TRAVERSALS = [
    "/documents/..%2f..%2fetc%2fpasswd",
    "/documents/%2e%2e",
    "/documents/%2e%2e%2fcontent",
    "/documents/neuroendocrine-tumours%00",
    "/documents/neuroendocrine-tumours%00.html",
    "/documents/..\\..\\etc\\passwd",
    "/documents/%5c..%5cetc",
    "/documents//etc/passwd",
    "/documents/%2fetc%2fpasswd",
    "/documents/" + "a" * 500,
    "/documents/Neuroendocrine-Tumours",
    "/documents/neuroendocrine-tumours.html",
    f"/api/documents/..%2f{NETS}/manifest.json",
    "/api/documents/%2e%2e/manifest.json",
    "/api/documents/" + "a" * 500 + "/manifest.json",
    f"/audio/{NETS}/..%2f..%2fmanifest.mp3",
    f"/audio/{NETS}/..%2fmanifest.json",
    f"/audio/%2e%2e/{'0' * 20}.mp3",
    f"/audio/..%2f..%2fetc/{'0' * 20}.mp3",
    f"/audio/{NETS}/{'0' * 20}%00.mp3",
    f"/audio/{NETS}/{'0' * 20}.mp3",
    f"/audio/{NETS}/%2fetc%2fpasswd.mp3",
    f"/audio/{NETS}/..\\..\\manifest.mp3",
    "/audio/" + "a" * 500 + f"/{'0' * 20}.mp3",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..\\..\\pyproject.toml",
    "/static//etc/passwd",
    "/static/page.css%00",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_attempts_are_refused(client, path):
    # Doubled slashes are merged by a redirect first: follow it to the final answer.
    with client.get(path, follow_redirects=True) as response:
        assert response.status_code in {400, 404}, response.status_code
        assert b"root:" not in response.get_data()
        assert b"[project]" not in response.get_data()


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.2, "1 second"),
        (1, "1 second"),
        (59.6, "1 minute"),
        (80, "1 minute 20 seconds"),
        (121, "2 minutes 1 second"),
        (3600, "60 minutes"),
    ],
)
def test_duration_words(seconds, words):
    assert views.duration_words(seconds) == words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (10, "less than a minute"),
        (31, "1 minute"),
        (660, "11 minutes"),
        (3600, "1 hour"),
        (3900, "1 hour 5 minutes"),
        (7200, "2 hours"),
    ],
)
def test_listening_words(seconds, words):
    assert views.listening_words(seconds) == words


def test_the_real_build_is_served(published, tmp_path, monkeypatch):
    """Serve the shipped content as `reader build --engine fake` published it."""
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {"TESTING": True, "CONTENT_DIR": published.content_dir, "BUILD_DIR": published.out_dir}
    )
    client = app.test_client()
    manifest = json.loads(manifest_path(published.out_dir, NETS).read_bytes())
    html = client.get(PAGE).get_data(as_text=True)
    assert html.count("<h1") == 1
    assert html.count('<p class="vr-listen">') == len(manifest["sections"])
    for section in manifest["sections"]:
        assert re.search(rf'<h{section["level"]} id="{section["id"]}"[ >]', html), section["id"]
        assert f'href="/{section["audio"].replace("audio/", f"audio/{NETS}/")}"' in html
    served = client.get(f"/api/documents/{NETS}/manifest.json").get_json()
    assert [s["id"] for s in served["sections"]] == [s["id"] for s in manifest["sections"]]
    with client.get(served["sections"][-1]["audio"], headers={"Range": "bytes=0-0"}) as audio:
        assert audio.status_code == 206
    assert "<dd>Ready</dd>" in client.get("/").get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500_with_headers(app, monkeypatch):
    def broken(self, slug):
        raise RuntimeError("bug")

    monkeypatch.setattr(views.Catalogue, "entry", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get(PAGE)
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
