"""The test site served over HTTP on a free port, static files included, for a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application

from tests.support.browser import LiveServer


@contextmanager
def live_site() -> Iterator[LiveServer]:
    """Serve the Django site with waitress from a thread; Wagtail's admin CSS and JS included.

    StaticFilesHandler serves the apps' static files as Django's own LiveServerTestCase does,
    so the admin looks (and contrasts) as editors see it, without a collectstatic.
    """
    with LiveServer(StaticFilesHandler(get_wsgi_application())) as live:
        yield live
