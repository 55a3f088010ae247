"""The editor's audio panel in real Chromium: axe-core in each of its states, and the keyboard."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from playwright.sync_api import Page, expect
from testsite.callbacks import SECRET, payload, post
from testsite.editing import add_published, settle, wait_for_audio
from testsite.live import live_site
from testsite.service import free_port
from testsite.site import PASSWORD

from tests.support.browser import axe_violations

pytestmark = pytest.mark.browser

PANEL = "[data-voice-reader-panel]"
RING_MARGIN = 6
"""Pixels around an element where its focus ring may be drawn."""


@pytest.fixture(scope="module")
def live(site_root):
    """Serve the Wagtail site over HTTP for the browser."""
    with live_site() as server:
        yield server


@pytest.fixture(scope="module")
def editor(browser, live) -> Iterator[Page]:
    """Sign in to Wagtail's admin as the editor, through its sign-in form, once.

    Any console error or uncaught exception on its pages fails the module.
    """
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: m.type == "error" and problems.append(f"console: {m.text} {m.location['url']}"),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(live.url + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    yield page
    context.close()
    assert problems == []


def open_panel(editor: Page, live, page_id: int):
    """Open a page's edit view; return the audio panel's locator."""
    editor.goto(f"{live.url}/admin/pages/{page_id}/edit/")
    panel = editor.locator(PANEL)
    expect(panel).to_be_visible()
    return panel


def assert_panel_passes_axe(editor: Page) -> None:
    """Audit only the panel: Wagtail's own admin markup is not this package's."""
    assert axe_violations(editor, context=PANEL) == []


def focus_by_tab(editor: Page, target, limit: int = 120) -> None:
    """Press Tab from the top of the page until `target` has the focus."""
    editor.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        editor.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def ring_changes(editor: Page, target) -> bool:
    """Say whether focusing `target` by keyboard visibly changes it or its surroundings."""
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    clip = {
        "x": max(box["x"] - RING_MARGIN, 0),
        "y": max(box["y"] - RING_MARGIN, 0),
        "width": box["width"] + 2 * RING_MARGIN,
        "height": box["height"] + 2 * RING_MARGIN,
    }
    editor.evaluate("() => document.activeElement && document.activeElement.blur()")
    resting = editor.screenshot(clip=clip)
    focus_by_tab(editor, target)
    target.scroll_into_view_if_needed()
    focused = editor.screenshot(clip=clip)
    return focused != resting


def test_the_panel_with_audio_and_findings_passes_axe_and_the_keyboard_reaches_it(
    reader, site_root, live, editor
):
    page = add_published(
        site_root, "axe-ready", "Axe ready", "<h2>Empty</h2><h2>Full</h2><p>Some text.</p>"
    )
    settle()
    wait_for_audio(reader, "axe-ready", findings=True)
    panel = open_panel(editor, live, page.pk)
    expect(panel.locator("[data-voice-reader-findings] li").first).to_be_visible()
    audio = panel.locator("audio")
    link = panel.get_by_role("link", name="Open the page at voice-reader (opens in a new tab)")
    expect(audio).to_be_visible()
    assert_panel_passes_axe(editor)
    for control in (audio, link):
        assert ring_changes(editor, control), f"{control} shows no focus ring"
    outline = link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"


def test_the_panel_when_voice_reader_is_down_passes_axe(reader, site_root, live, editor):
    down = f"http://127.0.0.1:{free_port()}"
    with override_settings(VOICE_READER_URL=down):
        page = add_published(site_root, "axe-down", "Axe down")
        settle()
        panel = open_panel(editor, live, page.pk)
        expect(panel.locator("[data-voice-reader-error]")).to_contain_text("could not be reached")
        expect(panel.locator("[data-voice-reader-unreachable]")).to_be_visible()
        assert_panel_passes_axe(editor)
        # A build's outcome that a callback told the site, shown while voice-reader is down.
        body = json.dumps(payload("axe-down", "failed")).encode()
        with override_settings(VOICE_READER_SIGNING_SECRET=SECRET):
            assert post(Client(), body).status_code == 200
        panel = open_panel(editor, live, page.pk)
        expect(panel.locator("[data-voice-reader-reported]")).to_contain_text("engine down")
        assert_panel_passes_axe(editor)


def test_the_panel_without_settings_passes_axe(site_root, live, editor):
    with override_settings(VOICE_READER_URL="", VOICE_READER_TOKEN=""):
        page = add_published(site_root, "axe-unset", "Axe unset")
        panel = open_panel(editor, live, page.pk)
        expect(panel).to_contain_text("voice-reader is not set up")
        assert_panel_passes_axe(editor)
