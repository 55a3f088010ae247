"""Listening figures in Chromium: the widget's beacons, here and embedded; the admin page."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reader import create_app
from reader.listening_store import FILE_NAME, ListeningStore, today
from reader.web.widget import LISTENING, read_widget
from tests.support.admin_browser import admin_server, signed_in
from tests.support.browser import (
    PLAYER,
    START,
    LiveServer,
    axe_violations,
    open_player,
    wait_for_player,
)
from tests.support.content import NETS
from tests.support.host import host_app


@pytest.fixture
def server(published, tmp_path, monkeypatch):
    """Serve the shipped content's fake build with the admin pages on, in its own instance."""
    yield from admin_server(published, tmp_path, monkeypatch, {})


def _cells(row) -> list[str]:
    return [" ".join(text.split()) for text in row.locator("th, td").all_inner_texts()]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_listening_page_and_a_document_drilled_into(new_page, server, scheme):
    sections = [
        s.id for s in server.app.extensions["reader.web.catalogue"].entry(NETS).outline.sections
    ]
    store = ListeningStore(server.app.instance_path)
    for section, event, times in (
        (sections[0], "play", 4),
        (sections[0], "progress-25", 3),
        (sections[0], "progress-50", 2),
        (sections[0], "progress-75", 1),
        (sections[2], "play", 1),
        (sections[2], "progress-25", 1),
    ):
        for _ in range(times):
            store.record(NETS, section, event, day=today())
    page = new_page(color_scheme=scheme)
    signed_in(page, server)
    page.get_by_role("link", name="Listening").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Listening")
    expect(page.get_by_role("link", name="Listening")).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Each document")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    assert _cells(rows.first) == [
        f"Neuroendocrine tumours (NETs) {NETS}",
        "5",
        "80%",
        "40%",
        "20%",
        "0%",
    ]
    assert axe_violations(page) == []
    page.get_by_label("Period").select_option("7")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{server.url}/admin/listening?days=7")
    page.get_by_role("link", name="Neuroendocrine tumours (NETs)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Listening: Neuroendocrine tumours (NETs)"
    )
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    assert _cells(rows.nth(0))[1:] == ["4", "75%", "50%", "25%", "0%"]
    assert _cells(rows.nth(1))[1:] == ["1", "100%", "0%", "0%", "0%"]
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.goto(server.url + "/admin/listening")
        page.get_by_role("link", name="Download the last 30 days as CSV").click()
    assert download.value.suggested_filename.startswith("listening-")


def test_the_listening_page_fits_a_phone(new_page, server):
    page = new_page(viewport={"width": 320, "height": 640})
    signed_in(page, server)
    page.goto(server.url + "/admin/listening")
    expect(page.get_by_text("Nothing was listened to")).to_be_visible()
    assert axe_violations(page) == []
    outline = server.app.extensions["reader.web.catalogue"].entry(NETS).outline
    ListeningStore(server.app.instance_path).record(NETS, outline.sections[-1].id, "play")
    for path in ("/admin/listening", f"/admin/listening/{NETS}"):
        page.goto(server.url + path)
        expect(page.get_by_role("table")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    assert axe_violations(page) == []


# ---------------------------------------------------------------- the widget's beacons


@pytest.fixture
def reader(published, tmp_path, monkeypatch):
    """Serve the shipped content's fake build with figures as the test says, in its own instance."""

    def serve(figures: str = "on") -> LiveServer:
        monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / f"instance-{figures}"))
        app = create_app(
            {
                "TESTING": True,
                "CONTENT_DIR": published.content_dir,
                "BUILD_DIR": published.out_dir,
                "LISTENING_FIGURES": figures,
            }
        )
        live = LiveServer(app).__enter__()
        live.app = app
        servers.append(live)
        return live

    servers: list[LiveServer] = []
    yield serve
    for live in servers:
        live.__exit__(None)


def _beacons(page) -> list:
    """Record every request the page makes to a listening counter."""
    sent: list = []
    page.on("request", lambda request: request.url.endswith("/listening") and sent.append(request))
    return sent


def _counter_scripts(page) -> list[str]:
    """Record the URL of every load of the listening figures' script."""
    loads: list[str] = []
    page.on("request", lambda request: LISTENING in request.url and loads.append(request.url))
    return loads


def _wait_for(app, *wanted: tuple) -> list[tuple]:
    """Return the stored (section, event, count) once they hold `wanted` (beacons are async)."""
    store = ListeningStore(app.instance_path)
    for _ in range(100):
        rows = [(row.section, row.event, row.count) for row in store.counts(today())]
        if set(wanted) <= set(rows):
            return rows
        time.sleep(0.05)
    return rows


def _play_first_section_to_its_end(page, duration: float) -> None:
    """Play, then seek to near the end of the first section, until the second one plays."""
    page.get_by_role("button", name=START).click()
    wait_for_player(page, state="playing", section=0)
    page.locator(PLAYER).evaluate("(el, time) => el.seek(time)", duration - 0.4)
    wait_for_player(page, state="playing", section=1, sectionTime=0.05)


def test_listening_sends_a_play_and_each_quarter_once_per_page_view(new_page, reader):
    server = reader("on")
    page = new_page()
    sent = _beacons(page)
    scripts = _counter_scripts(page)
    url = f"{server.url}/documents/{NETS}"
    # A cookie of the site, as a signed-in editor has: beacons must not carry it.
    session = {"name": "session", "value": "an-editors-session", "url": server.url}
    page.context.add_cookies([session])
    open_player(page, url)
    assert sent == []  # nothing before the visitor asks
    counter = f"{server.url}/api/documents/{NETS}/listening"
    assert page.locator(PLAYER).evaluate("(el) => el.listening") == counter
    # Loaded from beside the widget's script, only once the manifest named a counter.
    assert scripts == [f"{server.url}/static/{LISTENING}"]
    sections = page.locator(PLAYER).evaluate("(el) => el.sections")
    _play_first_section_to_its_end(page, sections[0]["duration"])
    first, second = sections[0]["id"], sections[1]["id"]
    events = ["play", "progress-25", "progress-50", "progress-75", "progress-100"]
    wanted = [(first, event, 1) for event in events] + [(second, "play", 1)]
    assert sorted(_wait_for(server.app, *wanted)) == sorted(wanted)
    for request in sent:
        assert request.method == "POST" and request.url == counter
        assert request.headers["content-type"].startswith("text/plain")
        assert set(json.loads(request.post_data)) == {"section", "event"}
        assert "cookie" not in request.all_headers()
    # Back to the first section in the same page view: nothing is counted twice.
    page.locator(PLAYER).evaluate("(el) => el.playSection(0)")
    wait_for_player(page, state="playing", section=0, sectionTime=0.2)
    page.locator(PLAYER).evaluate("(el) => el.pause()")
    assert len(sent) == 6
    # A new page view counts again.
    open_player(page, url)
    page.get_by_role("button", name=START).click()
    wait_for_player(page, state="playing", section=0, sectionTime=0.1)
    assert (first, "play", 2) in _wait_for(server.app, (first, "play", 2))
    assert [c["name"] for c in page.context.cookies()] == ["session"]  # none set by us


def test_a_seek_past_quarters_counts_them_and_nothing_beyond(new_page, reader):
    server = reader("on")
    page = new_page()
    sent = _beacons(page)
    open_player(page, f"{server.url}/documents/{NETS}")
    sections = page.locator(PLAYER).evaluate("(el) => el.sections")
    index = max(range(len(sections)), key=lambda i: sections[i]["duration"])
    longest, duration = sections[index]["id"], sections[index]["duration"]
    assert duration > 8  # room to play on between half and three quarters
    page.get_by_role("button", name=START).click()
    wait_for_player(page, state="playing", section=0)
    # Past half, short of three quarters; played on long enough for the counter to look.
    page.locator(PLAYER).evaluate(
        "(el, time) => el.seek(time)", sections[index]["start"] + duration * 0.55
    )
    wait_for_player(page, state="playing", section=index, sectionTime=duration * 0.55 + 1.2)
    page.locator(PLAYER).evaluate("(el) => el.pause()")
    wait_for_player(page, state="paused")
    first = sections[0]["id"]
    wanted = {(first, "play", 1)} | {
        (longest, event, 1) for event in ("play", "progress-25", "progress-50")
    }
    assert sorted(_wait_for(server.app, *wanted)) == sorted(wanted)
    assert len(sent) == len(wanted)


def test_an_embedded_player_counts_at_the_readers_origin(new_page, reader, tmp_path):
    server = reader("on")
    widget = read_widget(server.app.config["STATIC_DIR"])
    # The embed snippet's tag: the versioned script, pinned by SRI.
    script = (
        f'<script src="{server.url}/{widget.path()}" integrity="{widget.integrity()}"'
        ' crossorigin="anonymous" defer></script>'
    )
    body = f'<h1>Our clinic</h1><voice-reader document="{NETS}" src="{server.url}"></voice-reader>'
    (tmp_path / "host").mkdir()
    app = host_app(tmp_path / "host", server.url, body, script=script)
    host = LiveServer(app, "localhost").__enter__()
    try:
        page = new_page()
        sent = _beacons(page)
        scripts = _counter_scripts(page)
        open_player(page, host.url)
        page.get_by_role("button", name=START).click()
        wait_for_player(page, state="playing", section=0, sectionTime=0.1)
        first = page.locator(PLAYER).evaluate("(el) => el.sections[0].id")
        assert (first, "play", 1) in _wait_for(server.app, (first, "play", 1))
        assert {request.url for request in sent} == {f"{server.url}/api/documents/{NETS}/listening"}
        # From the same versioned folder as the script, which script-src already allows.
        assert scripts == [f"{server.url}/{widget.path(LISTENING)}"]
        with urllib.request.urlopen(f"{host.url}/csp-reports") as response:
            assert json.load(response) == []  # connect-src allowed the beacon
    finally:
        host.__exit__(None)


def test_two_players_load_the_counter_once_and_count_apart(new_page, reader, tmp_path):
    server = reader("on")
    player = f'<voice-reader document="{NETS}" src="{server.url}" no-mini-player></voice-reader>'
    (tmp_path / "host").mkdir()
    app = host_app(tmp_path / "host", server.url, f"<h1>Our clinic</h1>{player}{player}")
    host = LiveServer(app, "localhost").__enter__()
    try:
        page = new_page()
        sent = _beacons(page)
        scripts = _counter_scripts(page)
        page.goto(host.url)
        players = page.locator(PLAYER)
        for i in range(2):
            expect(players.nth(i)).to_have_attribute("data-state", "ready")
        assert scripts == [f"{server.url}/static/{LISTENING}"]
        players.nth(1).get_by_role("button", name=START).click()
        expect(players.nth(1)).to_have_attribute("data-state", "playing")
        first = players.nth(1).evaluate("(el) => el.sections[0].id")
        assert (first, "play", 1) in _wait_for(server.app, (first, "play", 1))
        players.nth(1).evaluate("(el) => el.pause()")
        expect(players.nth(0)).to_have_attribute("data-state", "ready")  # never started
        # Only the one that played counted, once each (its short first section may pass 25%).
        bodies = [json.loads(request.post_data) for request in sent]
        assert bodies[0] == {"section": first, "event": "play"}
        assert {body["section"] for body in bodies} == {first}
        assert len({body["event"] for body in bodies}) == len(bodies)
    finally:
        host.__exit__(None)


def test_with_figures_off_the_widget_sends_nothing(new_page, reader):
    server = reader("off")
    page = new_page()
    sent = _beacons(page)
    scripts = _counter_scripts(page)
    open_player(page, f"{server.url}/documents/{NETS}")
    assert page.locator(PLAYER).evaluate("(el) => el.listening") is None
    duration = page.locator(PLAYER).evaluate("(el) => el.sections[0].duration")
    _play_first_section_to_its_end(page, duration)
    page.wait_for_timeout(300)
    assert sent == []
    assert scripts == []  # the figures' script is not even loaded
    assert not (server.app.instance_path and (Path(server.app.instance_path) / FILE_NAME).exists())
