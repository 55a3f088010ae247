"""Fixtures of the Wagtail integration's tests: a real Wagtail site and a real `reader serve`."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

# In the one pytest session of ./scripts/test, the browser tests' Playwright (sync API) keeps
# its event loop running in the main thread, and Django then refuses every database call here
# as if made from async code. These tests and the site they drive are synchronous throughout.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if importlib.util.find_spec("voice_reader_wagtail") is None:
    # One clear line rather than an ImportError from deep inside Django's set-up.
    raise pytest.UsageError(
        "voice-reader-wagtail is not installed: ./scripts/test installs it "
        "(.venv/bin/pip install -e ./integrations/wagtail)"
    )

from django.db import connection
from django.test import Client, override_settings
from testsite import settings as site_settings
from testsite.site import PASSWORD, configure

# Django's settings before anything imports a model: the test modules import Wagtail's.
configure()

from testsite.editing import settle  # noqa: E402 (needs Django set up)
from testsite.service import reader_serve  # noqa: E402
from testsite.site import make_site  # noqa: E402


@pytest.fixture(scope="session")
def site_root():
    """Make the Wagtail site's database once; return its root page (`/clinic/`)."""
    yield make_site()
    settle()
    connection.close()
    shutil.rmtree(site_settings.FOLDER, ignore_errors=True)


@pytest.fixture(scope="session")
def running_reader(tmp_path_factory):
    """Run one `reader serve` with the fake engine for every test of the integration."""
    with reader_serve(tmp_path_factory.mktemp("reader")) as service:
        yield service


@pytest.fixture
def reader(running_reader, site_root):
    """Point the Wagtail site at the running reader for one test; wait for its requests."""
    with override_settings(
        VOICE_READER_URL=running_reader.url, VOICE_READER_TOKEN=running_reader.token
    ):
        yield running_reader
        settle()


@pytest.fixture
def editor_client(site_root) -> Client:
    """Return a test client signed in to Wagtail's admin as a superuser."""
    client = Client(HTTP_HOST="cms.example.org")
    assert client.login(username="editor", password=PASSWORD)
    return client
