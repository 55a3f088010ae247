"""Check the service's pages with the Nu Html Checker (vnu): no errors allowed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from reader import create_app
from tests.support.content import REPO, write_document
from tests.support.web import NETS, PLAIN, publish

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CMS_PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="voice-reader-source" content="https://cms.example.org/conditions/fever/">
<title>Fever</title></head><body><main><h1>Fever</h1>
<p>See <a href="/documents/1/leaflet.pdf">the leaflet</a>.</p>
<figure><img src="/rash.jpg" alt="A red rash"><figcaption>A rash that does not fade.</figcaption>
</figure><p>Call <img src="/phone.png" alt="111"> today.</p><img src="/x.png">
<h2>Watch</h2><iframe src="https://www.youtube.com/embed/x1" title="Taking a temperature"></iframe>
<video controls><source src="/v.mp4"></video></main></body></html>"""
INSTALL = "npm install --no-save vnu-jar  (in the repository root; see the README's test command)"


@pytest.fixture
def pages(client, site, published, tmp_path) -> dict[str, Path]:
    """Render every kind of page into files named after it, and the shipped NETs page."""
    urls = {
        "document": f"/documents/{NETS}",
        "index": "/",
        "not-found": "/documents/no-such-page",
        "no-audio": f"/documents/{PLAIN}",
        "embed": f"/embed/{NETS}",
        "embed-no-audio": f"/embed/{PLAIN}",
        "index-filtered": "/?q=nets",
        "index-no-match": "/?q=%3Cb%3Ezzz",
    }
    rendered = {name: client.get(url).get_data() for name, url in urls.items()}
    real = create_app(
        {"TESTING": True, "CONTENT_DIR": published.content_dir, "BUILD_DIR": published.out_dir}
    )
    rendered["shipped-nets"] = real.test_client().get(urls["document"]).get_data()
    # A CMS's page: images, a figure, embeds turned into links, and its "Original page" line.
    cms = tmp_path / "cms"
    write_document(cms / "content", "fever", CMS_PAGE)
    publish(cms / "content", cms / "build", "fever")
    cms_app = create_app(
        {"TESTING": True, "CONTENT_DIR": cms / "content", "BUILD_DIR": cms / "build"}
    )
    rendered["cms-page"] = cms_app.test_client().get("/documents/fever").get_data()
    for shown in (b"<figure>", b"Image: A red rash", b"Video: <a", b"Original page: <a"):
        assert shown in rendered["cms-page"]
    assert b"<voice-reader" in rendered["shipped-nets"]
    assert b"being prepared" in rendered["no-audio"]
    assert b"No page has \xe2\x80\x9c&lt;b&gt;zzz\xe2\x80\x9d" in rendered["index-no-match"]
    files = {}
    for name, html in rendered.items():
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(html)
    return files


def test_pages_are_valid_html(pages):
    assert VNU.is_file(), f"The Nu Html Checker is missing at {VNU}. Run: {INSTALL}"
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker (Debian: openjdk-17-jre-headless)"
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--stdout",
            "--exit-zero-always",
            *map(str, pages.values()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []
    assert len({m.get("url") for m in messages} - {None}) <= len(pages)
