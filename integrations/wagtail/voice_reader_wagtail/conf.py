"""The site's settings for voice-reader, read in one place."""

from __future__ import annotations

from django.conf import settings

DEFAULT_TIMEOUT = 10.0
"""Seconds any one request to voice-reader may take before it counts as failed."""
DEFAULT_ROOT_NAME = "home"
"""The document name of a site's root page, whose own URL path is empty."""


def service_url() -> str:
    """Return VOICE_READER_URL without a trailing slash, or "" when it is not set."""
    return (getattr(settings, "VOICE_READER_URL", "") or "").rstrip("/")


def token() -> str:
    """Return VOICE_READER_TOKEN, the content API's bearer token."""
    return getattr(settings, "VOICE_READER_TOKEN", "") or ""


def callback_url() -> str:
    """Return VOICE_READER_CALLBACK_URL, sent with each page; "" sends none."""
    return getattr(settings, "VOICE_READER_CALLBACK_URL", "") or ""


def signing_secret() -> str:
    """Return VOICE_READER_SIGNING_SECRET, which callbacks are signed with; "" accepts none."""
    return getattr(settings, "VOICE_READER_SIGNING_SECRET", "") or ""


def root_name() -> str | None:
    """Return VOICE_READER_ROOT_NAME, the site root page's document name; None sends it not."""
    return getattr(settings, "VOICE_READER_ROOT_NAME", DEFAULT_ROOT_NAME)


def timeout() -> float:
    """Return VOICE_READER_TIMEOUT, the seconds one request may take."""
    return float(getattr(settings, "VOICE_READER_TIMEOUT", DEFAULT_TIMEOUT))


def configured() -> bool:
    """Say whether the site has named a voice-reader service and a token."""
    return bool(service_url() and token())
