"""Test the static export: served by a plain static file server, with no reader code running."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner

from reader.errors import ReaderError
from reader.web import views
from reader.web.export import MARKER, export_site
from reader.web.widget import read_widget
from tests.support.web import NETS, PLAIN

# python -m http.server has no Range support, which browsers need to seek in audio. This is
# the same server plus single-range support, run with -I so no project code can be imported.
RANGE_SERVER = r"""
import http.server, os, re, sys

class Handler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if not match or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        first, last = match[1], match[2]
        start = int(first) if first else max(0, size - int(last))
        end = min(int(last), size - 1) if first and last else size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        handle = open(path, "rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self.range_left = end - start + 1
        return handle

    def copyfile(self, source, target):
        left = getattr(self, "range_left", None)
        if left is None:
            return super().copyfile(source, target)
        target.write(source.read(left))

    def log_message(self, *args):
        pass

handler = lambda *a, **k: Handler(*a, directory=sys.argv[1], **k)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def static_server():
    """Start the plain static server on a free port; yield a function to serve a folder."""
    processes = []

    def serve(root: Path) -> str:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", RANGE_SERVER, str(root)],
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        return f"http://127.0.0.1:{process.stdout.readline().strip()}"

    yield serve
    for process in processes:
        process.terminate()
        process.wait(10)
        process.stdout.close()


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read(), response.url


def test_export_is_served_by_a_plain_static_server(app, tmp_path, static_server):
    summary = export_site(app, tmp_path / "site")
    assert (summary.pages, summary.manifests, summary.audio_files) == (3, 1, 7)
    base = static_server(tmp_path / "site")

    status, _, body, _ = _get(base + "/")
    index = body.decode()
    assert status == 200
    assert f'href="/documents/{NETS}"' in index

    # The index links work (the server redirects to the folder and serves its index.html).
    status, _, body, final = _get(base + f"/documents/{NETS}")
    page = body.decode()
    assert status == 200
    assert final.endswith(f"/documents/{NETS}/")
    assert f'<voice-reader manifest="/api/documents/{NETS}/manifest.json">' in page
    assert "page.css" in page
    status, _, body, _ = _get(base + f"/documents/{PLAIN}")
    assert "Audio for this page is being prepared." in body.decode()

    manifest_url = base + f"/api/documents/{NETS}/manifest.json"
    status, _, body, _ = _get(manifest_url)
    manifest = json.loads(body)
    assert len(manifest["sections"]) == 7
    for section in manifest["sections"]:
        # As the widget does: new URL(audio, manifestUrl).
        audio_url = urljoin(manifest_url, section["audio"])
        assert audio_url.startswith(base + f"/api/documents/{NETS}/audio/")
        status, headers, data, _ = _get(audio_url)
        assert status == 200
        assert headers["Content-Type"] == "audio/mpeg"
        assert len(data) == section["bytes"]
        # Each page link to the audio is the same file.
        assert f'href="{audio_url.removeprefix(base)}"' in page

    status, headers, part, _ = _get(audio_url, {"Range": "bytes=10-19"})
    assert status == 206
    assert part == data[10:20]
    assert headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    with pytest.raises(urllib.error.HTTPError) as error:
        _get(audio_url, {"Range": f"bytes={len(data) + 5}-"})
    assert error.value.code == 416
    error.value.close()

    status, _, body, _ = _get(base + "/static/page.css")
    assert b"max-width: 70ch" in body


def test_export_serves_embeds_and_the_versioned_widget(app, tmp_path, static_server):
    export_site(app, tmp_path / "site")
    base = static_server(tmp_path / "site")
    service = app.test_client()
    for path in (f"/embed/{NETS}", f"/embed/{PLAIN}"):
        # The static page is the one the service serves, byte for byte.
        status, _, body, _ = _get(base + path + "/")
        assert status == 200
        assert body == service.get(path).get_data()
    embed = _get(base + f"/embed/{NETS}/")[2].decode()
    scripts = re.findall(r'<script src="([^"]+)"', embed)
    assert scripts and all("/static/v/" in src for src in scripts)
    widget = read_widget(app.config["STATIC_DIR"])
    for name in ("voice-reader.js", "voice-reader.css", "voice-reader-listening.js"):
        status, _, body, _ = _get(f"{base}/{widget.path(name)}")
        assert status == 200
        assert body == service.get(f"/{widget.path(name)}").get_data()
    assert f"/{widget.path()}" in scripts
    manifest = _get(base + re.search(r'manifest="([^"]+)"', embed)[1])[2]
    assert json.loads(manifest)["document"]["slug"] == NETS


def test_export_with_base_url_uses_absolute_urls(app, tmp_path):
    export_site(app, tmp_path / "site", base_url="https://example.org/health")
    root = tmp_path / "site"
    manifest = json.loads((root / "api/documents" / NETS / "manifest.json").read_bytes())
    audio = manifest["sections"][0]["audio"]
    assert audio.startswith(f"https://example.org/health/api/documents/{NETS}/audio/")
    assert (root / audio.removeprefix("https://example.org/health/")).is_file()
    page = (root / "documents" / NETS / "index.html").read_text()
    assert 'href="/health/static/page.css"' in page
    assert f'manifest="/health/api/documents/{NETS}/manifest.json"' in page


def test_export_refuses_a_bad_base_url(app, tmp_path):
    with pytest.raises(ReaderError, match="base-url"):
        export_site(app, tmp_path / "site", base_url="example.org")
    assert not (tmp_path / "site").exists()


def test_export_replaces_an_earlier_export(app, tmp_path):
    out = tmp_path / "site"
    export_site(app, out)
    (out / "old-file.html").write_text("left over")
    export_site(app, out)
    assert (out / MARKER).is_file()
    assert not (out / "old-file.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_failed_export_leaves_the_previous_one_intact(app, tmp_path, monkeypatch):
    out = tmp_path / "site"
    export_site(app, out)
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(views, "public_manifest", broken)
    with pytest.raises(ReaderError, match=f"cannot write the export into {out}: disk full"):
        export_site(app, out)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_an_export_it_cannot_write_is_one_clear_error(site, tmp_path, monkeypatch):
    from reader.cli import main

    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "file" / "site"
    content_dir, build_dir = site
    result = CliRunner().invoke(
        main, ["export", str(out), "--content", str(content_dir), "--build", str(build_dir)]
    )
    assert result.exit_code == 1
    reason = "part of that path is a file, not a folder"
    assert result.output == f"Error: cannot write the export into {out}: {reason}\n"


def test_export_never_replaces_a_folder_it_did_not_write(app, tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    with pytest.raises(ReaderError, match="not an earlier export"):
        export_site(app, out)
    assert (out / "thesis.txt").read_text() == "years of work"


def test_export_command(site, tmp_path, monkeypatch):
    from reader.cli import main

    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    content_dir, build_dir = site
    result = CliRunner().invoke(
        main,
        ["export", str(tmp_path / "out"), "--content", str(content_dir), "--build", str(build_dir)],
    )
    assert result.exit_code == 0, result.output
    assert "Exported 3 pages, 1 manifests and 7 audio files" in result.output
    assert (tmp_path / "out" / "documents" / NETS / "index.html").is_file()
    result = CliRunner().invoke(main, ["export", str(content_dir)])
    assert result.exit_code != 0
    assert "not an earlier export" in result.output
