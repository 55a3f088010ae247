"""The admin pages in a browser: a live server with the admin on, and signing in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

from playwright.sync_api import expect

from tests.support.browser import LiveServer
from tests.support.content import write_document
from tests.support.staff import PASSWORD, staff_app


def admin_server(published, tmp_path, monkeypatch, documents: dict[str, str]) -> Iterator:
    """Serve a copy of the shipped content's fake build plus `documents` (name: HTML), admin on."""
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    content_dir = tmp_path / "content"
    build_dir = tmp_path / "build"
    shutil.copytree(published.content_dir, content_dir)
    shutil.copytree(published.out_dir, build_dir)
    for name, html in documents.items():
        write_document(content_dir, name, html)
    app = staff_app(tmp_path, content_dir, build_dir)
    with LiveServer(app) as live:
        live.app = app
        live.content_dir = content_dir
        yield live


def sign_in(page, server, password: str = PASSWORD) -> None:
    """Sign in as the admin through the sign-in form (whatever the answer)."""
    page.goto(server.url + "/admin")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(page, server) -> None:
    """Sign in as the admin and wait for the dashboard."""
    sign_in(page, server)
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
