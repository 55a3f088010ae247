"""Fixtures shared by every test: the shipped content, its fake-engine build, a small web site."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from reader import create_app
from reader.pipeline.build import build_documents
from tests.support.admin_forms import sign_in
from tests.support.content import FAKE, copy_content
from tests.support.servers import redis_server
from tests.support.staff import make_staff
from tests.support.web import make_site


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """Give a test its own copy of the content folder."""
    return copy_content(tmp_path / "content")


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> SimpleNamespace:
    """Build the shipped content once with the fake engine; tests must not change it."""
    root = tmp_path_factory.mktemp("published")
    content = copy_content(root / "content")
    out = root / "build"
    summary = build_documents(content, out, options=FAKE)
    assert not summary.failed, summary.failed
    return SimpleNamespace(content_dir=content, out_dir=out, summary=summary)


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    """Return (content_dir, build_dir) holding the NETs document with audio and one without."""
    return make_site(tmp_path)


@pytest.fixture
def app(site, tmp_path: Path, monkeypatch) -> Flask:
    """Create an app over the `site` folders, with an empty instance folder."""
    content_dir, build_dir = site
    # A developer's own instance config or READER_* variables must not change test results.
    for name in [n for n in os.environ if n.startswith("READER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({"TESTING": True, "CONTENT_DIR": content_dir, "BUILD_DIR": build_dir})


@pytest.fixture
def client(app: Flask):
    """Return a test client of `app`."""
    return app.test_client()


@pytest.fixture
def redis_url(tmp_path):
    """Start a throwaway redis-server on a free port and return its URL."""
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
def staff(tmp_path, monkeypatch, content_dir):
    """Give a test the staff side over a copy of the content: the admin, the API and a queue.

    A test module that needs more (another person, a setting) defines its own `staff`.
    """
    return make_staff(tmp_path, monkeypatch, content_dir)


@pytest.fixture
def admin(staff):
    """Return a test client signed in to the admin."""
    assert sign_in(staff.client).status_code == 303
    return staff.client
