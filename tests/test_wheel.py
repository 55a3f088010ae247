"""The built wheel works on its own: installed in a fresh venv it builds and serves the player.

Slow (a wheel build, a venv, a real server process): about 15 s. It stays in the normal suite
because a wheel without static/ once served every page without its player.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.support.content import REPO, SMALL, write_document
from tests.support.servers import free_port

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "reader", "static")
WIDGET_FILES = {
    "voice-reader.js": "text/javascript",
    "voice-reader.css": "text/css",
    "voice-reader-listening.js": "text/javascript",
}


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the sources, so the checkout gains no build/ folder."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", root, source)
    assert built.returncode == 0, built.stderr
    (path,) = root.glob("*.whl")
    return path


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """Install the wheel alone into a fresh venv that borrows this venv's dependencies."""
    target = tmp_path_factory.mktemp("venv")
    made = run(sys.executable, "-m", "venv", "--without-pip", target)
    assert made.returncode == 0, made.stderr
    python = target / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    # A path line in a .pth file adds our dependencies after the venv's own packages; the
    # editable install's finder in there is not run, so `reader` can only come from the wheel.
    Path(site.stdout.strip(), "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps"]
    installed = run(*pip, wheel)
    assert installed.returncode == 0, installed.stderr
    return target


def test_the_wheel_holds_every_package_and_the_widget(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (REPO / "reader").rglob("__init__.py"):
        assert init.relative_to(REPO).as_posix() in names
    for name in (*WIDGET_FILES, "page.css"):
        assert f"reader/static/{name}" in names
    # The speech-text stage reads its word list from this package data file, not a dependency.
    assert "reader/pipeline/speechtext/words.txt" in names
    assert "reader/pipeline/speechtext/codes.tsv" in names
    assert "reader/pipeline/speechtext/welsh_places.txt" in names
    assert "reader/pipeline/speechtext/welsh_places.tsv" in names


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


def wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the server never answered {url}")


def test_the_installed_wheel_builds_and_serves_the_player(venv, tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("READER_", "PYTHON"))}
    env.update(
        READER_CONTENT_DIR=str(tmp_path / "content"),
        READER_BUILD_DIR=str(tmp_path / "build"),
        READER_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    reader = venv / "bin" / "reader"
    code = "import reader; print(reader.__file__)"
    where = run(venv / "bin" / "python", "-c", code, cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where

    build = ("build", "--engine", "fake", "--jobs", "1")
    built = run(reader, *build, "--content", env["READER_CONTENT_DIR"], cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [reader, "serve", "--port", str(port)], cwd=tmp_path, env=env, stderr=output
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz", server, log)
        status, _, page = get(f"{base}/documents/small")
        assert status == 200
        (script,) = re.findall(r'<script src="([^"]*/voice-reader\.js)"', page.decode())
        # The script loads its stylesheet and its listening figures' script from beside itself.
        beside = script.removesuffix("voice-reader.js")
        urls = {name: beside + name for name in WIDGET_FILES}
        for name, url in urls.items():
            status, kind, body = get(urllib.parse.urljoin(f"{base}/documents/small", url))
            assert status == 200 and body == (REPO / "static" / name).read_bytes(), url
            assert kind.startswith(WIDGET_FILES[name]), kind
    finally:
        server.terminate()
        server.wait(timeout=10)
