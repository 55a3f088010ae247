"""Fixtures shared by both test folders: tests/ and integrations/wagtail/tests/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium once per session, for the browser tests of every folder.

    Playwright's sync API keeps its event loop running in the main thread until the session
    ends, and refuses to start a second one: each folder cannot launch its own.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
