"""The staff side for tests: an app with the API and admin on, its queue and a worker run."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

from werkzeug.security import generate_password_hash

from reader import create_app
from reader.admin import work
from reader.admin.queue import queue_for
from reader.admin.worker import context_for, run
from tests.support.content import SMALL, write_document

SMALL_SLUG = "small"
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = generate_password_hash(PASSWORD)


def staff_app(tmp_path: Path, content_dir: Path, build_dir: Path, **extra):
    """Create an app with the admin page on, the fake engine and its own instance folder."""
    config = {
        "TESTING": True,
        "CONTENT_DIR": content_dir,
        "BUILD_DIR": build_dir,
        "ADMIN_PASSWORD_HASH": PASSWORD_HASH,
        "ENGINE": "fake",
        "SECRET_KEY": "test secret key, not for production",
    }
    return create_app({**config, **extra})


def run_worker(app, jobs: int = 1) -> int:
    """Run every queued job of `app` in this process, as `reader worker` would; return how many."""
    queue = queue_for(app)
    work.context = context_for(app, queue, jobs)
    return run(queue, idle_exit=True)


def make_staff(tmp_path, monkeypatch, content_dir) -> SimpleNamespace:
    """Give a test an app over a copy of the content, with an API token, and its queue."""
    for name in [n for n in os.environ if n.startswith("READER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    # A small page: a build takes a fraction of a second with the fake engine.
    write_document(content_dir, SMALL_SLUG, SMALL)
    app = staff_app(tmp_path, content_dir, tmp_path / "build")
    token = app.extensions["reader.admin.tokens"].create("cms")
    return SimpleNamespace(
        app=app,
        client=app.test_client(),
        token=token,
        auth={"Authorization": f"Bearer {token}"},
        queue=queue_for(app),
        content_dir=content_dir,
        build_dir=tmp_path / "build",
        instance=Path(app.instance_path),
        work=lambda: run_worker(app),
    )
