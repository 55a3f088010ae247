"""The snippet a host page pastes to embed the player: a pinned script tag and the element."""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlsplit

from flask import Flask

from reader.errors import ReaderError
from reader.web import views
from reader.web.widget import SCRIPT, Widget

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
"""Where `reader serve` listens by default; a real host page needs the public address."""


def base_url_of(url: str) -> str:
    """Return an http(s) URL without its trailing slash, or raise ReaderError."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ReaderError(f"the base URL must be like https://reader.example.org, not {url!r}")
    return url.rstrip("/")


def snippet(base_url: str, slug: str, widget: Widget, title: str) -> str:
    """Return the script tag (versioned URL, SRI) and the element for `slug` at `base_url`."""
    base = base_url_of(base_url)
    # crossorigin="anonymous" makes the fetch a CORS one, which SRI needs for another origin's
    # script, and sends no cookies. The link inside the element is what visitors get without
    # the script: no JavaScript, or a script URL that a newer widget version retired.
    return (
        f'<script src="{escape(base)}/{widget.path(SCRIPT)}" integrity="{widget.integrity(SCRIPT)}"'
        ' crossorigin="anonymous" defer></script>\n'
        f'<voice-reader document="{escape(slug)}" src="{escape(base)}">'
        f'<a href="{escape(base)}/documents/{escape(quote(slug, safe="/"))}">'
        f"Listen to {escape(title)}</a>"
        "</voice-reader>\n"
    )


def embed_snippet(app: Flask, slug: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """Return the snippet for a document `app` serves current audio for; else ReaderError."""
    with app.app_context():
        catalogue = views.catalogue()
        published = [e.slug for e in catalogue.index()[1] if e.duration is not None]
        entry = catalogue.entry(slug)
        widget = views.current_widget()
    if entry is None or not entry.audio:
        listed = ", ".join(sorted(published)) or "none (run `reader build` first)"
        reason = "has no current audio" if entry is not None else "is not a document"
        raise ReaderError(f"{slug!r} {reason}. Documents with audio: {listed}")
    if widget is None:
        raise ReaderError(f"the widget is missing from {app.config['STATIC_DIR']}")
    return snippet(base_url, slug, widget, entry.title)
