"""A document whose name is a path with a letter outside A to Z plays in its page and elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import quote, unquote

import pytest
from click.testing import CliRunner
from flask import Flask
from playwright.sync_api import expect

from reader import create_app, names
from reader.cli import main
from reader.pipeline.build import build_documents
from reader.web.export import export_site
from tests.support.browser import START, LiveServer, axe_violations, open_player
from tests.support.content import FAKE, write_document
from tests.support.host import FRAMING_HOSTS, host_app
from tests.support.player import call_player, player_property, wait_until_playing
from tests.support.staff import make_staff

NAME = "conditions/santé-info"
TITLE = "Fever: santé info"
PAGE = f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>{TITLE}</title></head><body><main>
<h1>{TITLE}</h1><p>A high temperature is common in children. It often goes away by itself.</p>
<h2>What to do</h2><p>Drink plenty of fluids. Rest at home until you feel better.</p>
<h2>When to get help</h2><p>Call your doctor if you are worried. Call for an ambulance in an
emergency.</p>
</main></body></html>"""
HEADINGS = [TITLE, "What to do", "When to get help"]


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """Serve a site whose one document is NAME, built with the fake engine, on a free port."""
    root = tmp_path_factory.mktemp("paths")
    content, out = root / "content", root / "build"
    write_document(content, names.key(NAME), PAGE)
    summary = build_documents(content, out, options=FAKE)
    assert not summary.failed, summary.failed
    config = {"TESTING": True, "CONTENT_DIR": content, "BUILD_DIR": out}
    app = create_app({**config, "FRAME_ANCESTORS": FRAMING_HOSTS})
    with LiveServer(app) as server:
        env = {
            "READER_CONTENT_DIR": str(content),
            "READER_BUILD_DIR": str(out),
            "READER_INSTANCE_PATH": str(root / "instance"),
        }
        args = ["embed-snippet", NAME, "--base-url", server.url]
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 0, result.output
        script, element = result.stdout.splitlines()
        yield SimpleNamespace(url=server.url, script=script, element=element)


@pytest.fixture
def host_page(service, tmp_path) -> Iterator[str]:
    """Serve, on another origin, a page that embeds NAME's player with `reader embed-snippet`."""
    body = f"<h1>Our clinic: {TITLE}</h1>{service.element}<p>Our own words about a fever.</p>"
    app = host_app(tmp_path, service.url, body, script=service.script)
    with LiveServer(app, "localhost") as h:
        yield h.url


def plays_every_section(page) -> None:
    """Play from the start through the element's API, then the last section: both sound."""
    sections = player_property(page, "sections")
    assert [s["heading"] for s in sections] == HEADINGS
    call_player(page, "play")
    wait_until_playing(page, 0.2, section=0)
    call_player(page, "playSection", len(sections) - 1)
    wait_until_playing(page, 0.2, section=len(sections) - 1)
    call_player(page, "pause")
    expect(page.locator("voice-reader")).to_have_attribute("data-state", "paused")


def test_the_page_at_a_unicode_path_plays(page, service):
    address = f"{service.url}/documents/{quote(NAME)}"
    assert address.endswith("/documents/conditions/sant%C3%A9-info")
    open_player(page, address)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert axe_violations(page) == [], "ready"
    plays_every_section(page)
    assert axe_violations(page) == [], "paused"


def test_the_player_embedded_on_another_origin_by_its_path_plays(page, service, host_page):
    assert 'document="conditions/santé-info"' in service.element
    assert f'src="{service.url}"' in service.element
    assert not host_page.startswith(service.url)
    open_player(page, host_page)
    assert axe_violations(page) == [], "ready"
    plays_every_section(page)
    assert axe_violations(page) == [], "paused"
    assert page.context.cookies() == []


def test_the_embed_page_at_a_unicode_path_plays_in_a_frame(page, service, tmp_path):
    embed = f"{service.url}/embed/{quote(NAME)}"
    frame_tag = f'<iframe src="{embed}" title="Listen: {TITLE}"></iframe>'
    options = {"script": "", "csp_extra": f"frame-src {service.url}; "}
    app = host_app(tmp_path, service.url, f"<h1>About our clinic</h1>{frame_tag}", **options)
    with LiveServer(app, "localhost") as framing:
        page.goto(framing.url)
        frame = page.frame(url=embed)
        frame.wait_for_selector("voice-reader[data-state='ready']", state="attached")
        page.frame_locator("iframe").get_by_role("button", name=START).click()
        wait_until_playing(frame, 0.2, section=0)
        link = page.frame_locator("iframe").get_by_role("link", name=re.compile("^Read the full"))
        expect(link).to_have_attribute("href", f"/documents/{quote(NAME)}")
        assert axe_violations(page, frames=True) == []


MOVED = "conditions/fièvre"


@pytest.fixture
def moved(tmp_path, monkeypatch, content_dir) -> SimpleNamespace:
    """Publish NAME through the content API, then move it to MOVED: NAME's addresses forward."""
    staff = make_staff(tmp_path, monkeypatch, content_dir)
    headers = {**staff.auth, "Content-Type": "text/html; charset=utf-8"}
    response = staff.client.put(f"/api/v1/documents/{quote(NAME)}", data=PAGE, headers=headers)
    assert response.status_code == 202
    assert staff.work() == 1
    response = staff.client.post(
        f"/api/v1/documents/{quote(NAME)}/move", json={"to": MOVED}, headers=staff.auth
    )
    assert response.status_code == 200, response.get_json()
    return staff


def embedded_old_name_plays(page, tmp_path, origin: str) -> None:
    """Embed NAME, the old name, from `origin` on a page of another origin, and play it."""
    body = f'<h1>Our clinic</h1><voice-reader document="{NAME}" src="{origin}"></voice-reader>'
    with LiveServer(host_app(tmp_path / "host", origin, body), "localhost") as host:
        open_player(page, host.url)
        plays_every_section(page)
        assert axe_violations(page) == []


def test_an_old_name_embedded_elsewhere_still_plays_after_a_move(page, moved, tmp_path):
    (tmp_path / "host").mkdir()
    asked = []
    page.on("request", lambda request: asked.append(unquote(request.url)))
    with LiveServer(moved.app) as service:
        embedded_old_name_plays(page, tmp_path, service.url)
    # Only the manifest goes through the 301: the audio is asked for at the new name's address.
    audio = [url for url in asked if "/audio/" in url]
    assert audio and all(f"/api/documents/{MOVED}/audio/" in url for url in audio), audio


def test_an_old_name_embedded_elsewhere_plays_from_the_static_export(page, moved, tmp_path):
    site = tmp_path / "site"
    export_site(moved.app, site)
    (tmp_path / "host").mkdir()
    # A static host as docs/service.md says to set one up: the files, with the CORS header.
    static = Flask(__name__, static_folder=str(site), static_url_path="")
    static.after_request(lambda r: r.headers.update({"Access-Control-Allow-Origin": "*"}) or r)
    with LiveServer(static) as host:
        embedded_old_name_plays(page, tmp_path, host.url)
