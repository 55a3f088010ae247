"""Test the app factory, the `serve` and `export` commands and that the app never synthesises."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import waitress
from click.testing import CliRunner
from flask import Flask

import reader.app
from reader import create_app
from reader.cli import main
from tests.support.content import NAMING
from tests.support.web import NETS, PLAIN


def test_the_factory_sits_above_both_wings_and_finds_the_web_templates(app):
    assert create_app is reader.app.create_app
    assert Path(app.root_path) == Path(reader.app.__file__).parent / "web"
    assert Path(app.root_path, app.template_folder, "document.html").is_file()


def test_factory_makes_an_app_with_the_blueprint(app):
    assert isinstance(app, Flask)
    assert "reader" in app.blueprints
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert {
        "/",
        "/documents/<name:slug>",
        "/api/documents/<name:slug>/manifest.json",
        "/audio/<name:slug>/<audio_name:name>.mp3",
        "/static/<path:filename>",
        "/healthz",
    } <= rules


def test_test_config_turns_on_testing(app):
    assert app.testing
    assert not create_app().testing


def _clean_env(tmp_path: Path, site) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_CONTENT_DIR=str(site[0]),
        READER_BUILD_DIR=str(site[1]),
        READER_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    return env


def test_the_app_never_loads_the_parser_the_engine_or_a_build_stage(tmp_path, site):
    # Only what names a version's build key, for the staff side's "is it current?": it
    # imports no stage, parser or engine (reader/pipeline/freshness.py).
    script = f"""
import sys
import reader.app
from reader import create_app
client = create_app().test_client()
for url in ("/", "/?q=nets", "/documents/{NETS}", "/documents/{PLAIN}", "/embed/{NETS}",
            "/api/documents/{NETS}/manifest.json", "/healthz"):
    assert client.get(url).status_code == 200, url
forbidden = ("pyttsx3", "bs4", "nh3", "lameenc", "reader.pipeline")
naming = {NAMING!r}
loaded = sorted(m for m in sys.modules if m.split(".")[0] in forbidden or m.startswith(forbidden))
assert set(loaded) <= naming, loaded
"""
    env = _clean_env(tmp_path, site)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_flask_cli_finds_the_factory(tmp_path, site):
    env = _clean_env(tmp_path, site)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "reader", "routes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "reader.manifest" in result.stdout


def test_serve_runs_waitress_with_the_configured_threads(monkeypatch, tmp_path, site):
    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setattr(sys, "setswitchinterval", lambda seconds: calls.append(seconds))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    for name, value in _clean_env(tmp_path, site).items():
        if name.startswith("READER_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("READER_THREADS", "6")
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    # Start-up's objects are frozen before the first request, so no collection walks them.
    interval, frozen, (app, options) = calls
    assert interval == 0.001 and frozen == "freeze"
    assert isinstance(app, Flask)
    assert options["host"] == "0.0.0.0"
    assert options["port"] == 8123
    assert options["threads"] == 6


def test_serve_defaults_to_loopback(monkeypatch):
    calls = []
    monkeypatch.setattr(sys, "setswitchinterval", lambda seconds: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append(kw))
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 5000)


def test_serve_reports_bad_settings(monkeypatch):
    monkeypatch.setenv("READER_THREADS", "lots")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code != 0
    assert "READER_THREADS must be a whole number" in result.output
