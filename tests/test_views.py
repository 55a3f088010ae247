"""Test the routes: index, document pages, manifests, audio, health and error pages."""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import replace
from urllib.parse import urljoin

import pytest

from reader import create_app
from reader.manifest import INDEX_NAME, Index, IndexEntry, dumps, manifest_path
from reader.web import views
from reader.web.catalogue import Catalogue
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


def _index_entry(slug: str, title: str) -> IndexEntry:
    return IndexEntry(slug, title, "en-GB", sections=1, words=10, built_at="2026-01-01T00:00:00Z")


@pytest.fixture
def many(site) -> list[IndexEntry]:
    """Publish an index of titles under several letters (the index is all `/` reads)."""
    titles = ["apple care", "Asthma", "Bones", "Zinc", "2nd opinions", "Étourdissements"]
    entries = [_index_entry(f"doc-{n}", title) for n, title in enumerate(titles)]
    (site[1] / INDEX_NAME).write_bytes(dumps(Index(tuple(entries))))
    return entries


def test_index_is_grouped_a_to_z_with_links_to_each_letter(client, many):
    html = client.get("/").get_data(as_text=True)
    letters = re.findall(r'<h2 id="letter-([a-z]+)">([^<]+)</h2>', html)
    assert letters == [("a", "A"), ("b", "B"), ("z", "Z"), ("other", "Other")]
    nav = html[html.index('<nav class="vr-letters"') : html.index("</nav>")]
    assert re.findall(r'href="#letter-([a-z]+)"', nav) == ["a", "b", "z", "other"]
    group_a = html[html.index('id="letter-a"') : html.index('id="letter-b"')]
    assert group_a.index("apple care") < group_a.index("Asthma")
    other = html[html.index('id="letter-other"') :]
    assert "2nd opinions" in other and "Étourdissements" in other


def test_index_filter_is_a_get_form_that_works_without_javascript(client, many):
    html = client.get("/").get_data(as_text=True)
    form = html[html.index("<form") : html.index("</form>")]
    assert 'method="get" action="/"' in form
    assert '<label for="vr-filter-q">' in form and 'name="q"' in form
    filtered = client.get("/?q=  ASTH  ").get_data(as_text=True)
    assert "Asthma" in filtered and "apple care" not in filtered and "Bones" not in filtered
    assert "1 of 6 pages match “ASTH”" in filtered
    assert 'value="ASTH"' in filtered
    none = client.get("/?q=%3Cscript%3E").get_data(as_text=True)
    assert "No page has “&lt;script&gt;” in its title." in none
    assert "<script>" not in none


def test_index_without_documents_says_so(app, site):
    shutil.rmtree(site[1])
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
            f'<p class="vr-listen"><a href="/api/documents/{NETS}/audio/{name}" '
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


def test_an_edit_is_not_shown_before_its_build_publishes(client, site):
    path = site[0] / f"{NETS}.html"
    before = client.get(PAGE).get_data(as_text=True)
    path.write_text(path.read_text().replace("chest\ninfections", "chest colds"))
    # The service reads only what the build published: the text and audio of one version.
    assert client.get(PAGE).get_data(as_text=True) == before
    assert "chest colds" not in before
    assert client.get(f"/api/documents/{NETS}/manifest.json").status_code == 200
    publish(site[0], site[1], NETS)
    after = client.get(PAGE).get_data(as_text=True)
    assert "chest colds" in after
    assert "<voice-reader" in after


def test_text_and_audio_are_always_one_version(client, site):
    def served() -> tuple[str, str]:
        page = client.get(PAGE).get_data(as_text=True)
        manifest = client.get(f"/api/documents/{NETS}/manifest.json").get_json()
        return page, manifest["document"]["source_sha256"]

    path = site[0] / f"{NETS}.html"
    first_page, first_source = served()
    assert "chest colds" not in first_page
    path.write_text(path.read_text().replace("chest\ninfections", "chest colds"))
    publish(site[0], site[1], NETS, seconds=30)
    page, source = served()
    assert source != first_source and "chest colds" in page and "30 seconds" in page
    for section in client.get(f"/api/documents/{NETS}/manifest.json").get_json()["sections"]:
        assert f'href="/api/documents/{NETS}/{section["audio"]}"' in page


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
def test_corrupt_manifest_means_not_found_and_a_log(client, site, damage, caplog):
    path = manifest_path(site[1], NETS)
    path.write_bytes(damage(_manifest(site)))
    with caplog.at_level(logging.WARNING, logger="reader.web"):
        response = client.get(PAGE)
    # Never a 500: a version the build did not write completely is not shown at all.
    assert response.status_code == 404
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


def test_versions_are_read_once_per_manifest(client, site, monkeypatch):
    calls = []
    real = Catalogue._read

    def counting(self, slug, version):
        calls.append(slug)
        return real(self, slug, version)

    monkeypatch.setattr(Catalogue, "_read", counting)
    for _ in range(3):
        client.get(PAGE)
        client.get("/")
    assert calls.count(NETS) == 1
    publish(site[0], site[1], NETS, seconds=30)
    client.get(PAGE)
    assert calls.count(NETS) == 2


def test_a_page_never_reads_the_sentences_and_the_widget_once_per_version(
    client, site, monkeypatch
):
    calls = []
    real = Catalogue.manifest

    def counting(self, entry):
        calls.append(entry.slug)
        return real(self, entry)

    monkeypatch.setattr(Catalogue, "manifest", counting)
    url = f"/api/documents/{NETS}/manifest.json"
    assert client.get(PAGE).status_code == 200
    assert calls == []
    assert client.get(url).get_json() == client.get(url).get_json()
    assert calls == [NETS]
    publish(site[0], site[1], NETS, seconds=30)
    assert client.get(url).get_json()["sections"][0]["duration"] == 30
    assert calls == [NETS, NETS]


def test_damaged_sentences_cost_the_widget_its_manifest_never_the_page(client, site, caplog):
    data = _manifest(site)
    data["sections"][1]["sentences"][0]["end"] = -1
    manifest_path(site[1], NETS).write_bytes(json.dumps(data).encode())
    with caplog.at_level(logging.WARNING, logger="reader.web"):
        response = client.get(f"/api/documents/{NETS}/manifest.json")
    assert response.status_code == 404
    assert response.get_json() == {"error": "No audio for this document yet."}
    assert NETS in caplog.text and "bad timing" in caplog.text
    # The page and its section links (plain MP3s, which need no timings) are still served.
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Listen to this section" in page.get_data(as_text=True)


def test_the_service_never_reads_the_content_folder(client, site):
    shutil.rmtree(site[0])
    assert client.get(PAGE).status_code == 200
    assert "Coughs and colds" in client.get("/").get_data(as_text=True)


def test_manifest_is_served_with_audio_urls_relative_to_it(client, site):
    url = f"http://localhost/api/documents/{NETS}/manifest.json"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    served = response.get_json()
    # As built, plus the listening figures' counter the service names (figures are on by default).
    assert served == {**_manifest(site), "listening": "listening"}
    for section in served["sections"]:
        # As the widget does: new URL(audio, manifestUrl).
        with client.get(urljoin(url, section["audio"])) as audio:
            assert audio.status_code == 200
            assert audio.get_data() == (site[1] / NETS / section["audio"]).read_bytes()


def test_manifest_never_depends_on_the_host(site, app):
    app.config["ALLOWED_HOSTS"] = ["localhost", "reader.example.org"]
    client = app.test_client()
    url = f"/api/documents/{NETS}/manifest.json"
    here = client.get(url).get_data()
    assert client.get(url, base_url="https://reader.example.org").get_data() == here
    assert b"reader.example.org" not in here


def test_public_url_makes_manifest_audio_urls_absolute(site, app):
    public = "https://reader.example.org/health/"
    app = create_app({"CONTENT_DIR": site[0], "BUILD_DIR": site[1], "PUBLIC_URL": public})
    served = app.test_client().get(f"/api/documents/{NETS}/manifest.json").get_json()
    for mine, theirs in zip(served["sections"], _manifest(site)["sections"], strict=True):
        expected = f"https://reader.example.org/health/api/documents/{NETS}/{theirs['audio']}"
        assert mine["audio"] == expected


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
        assert f'href="/api/documents/{NETS}/{section["audio"]}"' in html
    url = f"http://localhost/api/documents/{NETS}/manifest.json"
    served = client.get(url).get_json()
    assert [s["id"] for s in served["sections"]] == [s["id"] for s in manifest["sections"]]
    last = urljoin(url, served["sections"][-1]["audio"])
    with client.get(last, headers={"Range": "bytes=0-0"}) as audio:
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


def test_a_new_document_whose_audio_failed_is_served_as_text(app, site):
    from reader.pipeline.build import build_documents
    from tests.support.content import FAKE, SMALL, write_document

    write_document(site[0], "small", SMALL)
    failed = build_documents(site[0], site[1], ["small"], replace(FAKE, voice="gmw/en-xx"))
    assert failed.failed
    client = app.test_client()
    html = client.get("/documents/small").get_data(as_text=True)
    _assert_text_only(html)
    assert "An introduction." in html
    assert client.get("/api/documents/small/manifest.json").status_code == 404
    index = client.get("/").get_data(as_text=True)
    row = index[index.index('href="/documents/small"') :]
    assert "<dt>Audio</dt><dd>Being prepared</dd>" in row[: row.index("</li>")]
