"""Test the layered configuration and that every setting is documented."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from reader import create_app
from reader.errors import ReaderError
from reader.web import config
from tests.support.content import REPO


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Start every test without READER_* variables and with an empty instance folder."""
    for name in [n for n in os.environ if n.startswith("READER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.chdir(tmp_path)


def test_defaults_are_relative_to_the_working_directory(tmp_path):
    app = create_app()
    assert app.config["CONTENT_DIR"] == tmp_path.resolve() / "content"
    assert app.config["BUILD_DIR"] == tmp_path.resolve() / "build"
    assert app.config["FRAME_ANCESTORS"] == "'none'"
    assert app.config["SITE_NAME"] == "Voice reader"
    assert app.config["STATIC_DIR"] == REPO / "static"
    assert app.instance_path == str((tmp_path / "instance").resolve())


def test_layers_override_in_order(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'SITE_NAME = "From instance"\nFRAME_ANCESTORS = "\'self\'"\nTHREADS = 3\n'
        'BUILD_DIR = "/srv/audio"\n'
    )
    app = create_app()
    assert app.config["SITE_NAME"] == "From instance"
    assert app.config["BUILD_DIR"] == Path("/srv/audio")

    monkeypatch.setenv("READER_SITE_NAME", "From environment")
    monkeypatch.setenv("READER_THREADS", "12")
    monkeypatch.setenv("READER_TRUSTED_HOSTS", "a.example, b.example")
    app = create_app()
    assert app.config["SITE_NAME"] == "From environment"
    assert app.config["FRAME_ANCESTORS"] == "'self'"
    assert app.config["THREADS"] == 12
    assert app.config["ALLOWED_HOSTS"] == ["a.example", "b.example"]

    app = create_app({"SITE_NAME": "From test"})
    assert app.config["SITE_NAME"] == "From test"
    assert app.config["THREADS"] == 12


def test_bad_number_in_the_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("READER_THREADS", "many")
    with pytest.raises(ReaderError, match="READER_THREADS must be a whole number"):
        create_app()


def test_unknown_reader_variables_are_ignored():
    assert config.from_environ({"READER_NOPE": "1", "READER_SITE_NAME": "x"}) == {"SITE_NAME": "x"}


def test_one_setting_is_read_alone_for_commands_without_an_app():
    environ = {"READER_BUILD_DIR": "/srv/audio", "READER_THREADS": "many"}
    assert config.setting("BUILD_DIR", environ) == "/srv/audio"
    assert config.setting("CONTENT_DIR", environ) == "content"


def test_every_setting_is_documented():
    text = (REPO / "docs" / "service.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`READER_([A-Z_]+)`", text))
    names = {s.name for s in config.SETTINGS + config.ENV_ONLY_SETTINGS}
    assert names - documented == set(), "settings missing from docs/service.md"
    assert documented - names == set(), "docs/service.md documents settings that do not exist"
    for setting in config.SETTINGS + config.ENV_ONLY_SETTINGS:
        assert setting.help.strip(), setting.name


# The engine adapter sets ESPEAK_DATA_PATH for the eSpeak NG library it loads; it reads no setting.
# The natural voice reads READER_VOICES_DIR where every build worker needs it (config.py lists
# it as an environment-only setting): the pipeline never imports the service's settings.
ENVIRONMENT_READERS = {"web/config.py", "pipeline/espeak.py", "pipeline/piper_voices.py"}


def test_only_config_reads_the_environment():
    for path in sorted((REPO / "reader").rglob("*.py")):
        name = path.relative_to(REPO / "reader").as_posix()
        source = path.read_text(encoding="utf-8")
        uses = "os.environ" in source or "getenv" in source
        assert uses == (name in ENVIRONMENT_READERS), name


def test_trusted_hosts_default_to_loopback_and_star_allows_any(tmp_path):
    base = {"CONTENT_DIR": tmp_path, "BUILD_DIR": tmp_path}
    assert create_app(base).config["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    assert create_app({**base, "TRUSTED_HOSTS": []}).config["ALLOWED_HOSTS"] == [
        "127.0.0.1",
        "localhost",
        "[::1]",
    ]
    assert create_app({**base, "TRUSTED_HOSTS": ["*"]}).config["ALLOWED_HOSTS"] is None


@pytest.mark.parametrize("url", ["reader.example.org", "ftp://x.org", "https://x.org/?a=1"])
def test_a_bad_public_url_is_a_clear_error(tmp_path, url):
    with pytest.raises(ReaderError, match="READER_PUBLIC_URL must be like"):
        create_app({"CONTENT_DIR": tmp_path, "BUILD_DIR": tmp_path, "PUBLIC_URL": url})


@pytest.mark.parametrize("setting", ["CONTENT_DIR", "BUILD_DIR", "STATIC_DIR"])
def test_a_folder_setting_that_names_a_file_is_a_clear_error(tmp_path, setting):
    (tmp_path / "file").write_text("not a folder")
    folders = {"CONTENT_DIR": tmp_path, "BUILD_DIR": tmp_path, setting: tmp_path / "file"}
    with pytest.raises(ReaderError, match=f"READER_{setting} is {tmp_path / 'file'}, a file"):
        create_app(folders)


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker"], ["token", "list"]])
def test_an_instance_folder_that_cannot_be_made_is_a_clear_error(tmp_path, command):
    import subprocess
    import sys

    (tmp_path / "file").write_text("not a folder")
    env = {**os.environ, "READER_INSTANCE_PATH": str(tmp_path / "file" / "instance")}
    env.update(READER_BUILD_DIR=str(tmp_path), READER_CONTENT_DIR=str(tmp_path))
    ran = subprocess.run(
        [sys.executable, "-m", "reader", *command], env=env, capture_output=True, text=True
    )
    assert ran.returncode == 1
    assert ran.stderr.startswith("Error: cannot keep the secret key in the instance folder")
    assert "part of that path is a file" in ran.stderr and "Traceback" not in ran.stderr
