"""Where a document came from: its CMS page's address, kept in its own HTML as a `<meta>`.

A CMS sends `source_url` beside the page; the API writes it into the stored source as
`<meta name="voice-reader-source" content="…">`, and the parser reads it back on every build.
Kept in the source itself, it survives rebuilds, moves and unpublishing with the page, a
hand-written file can say the same, and a changed address changes the source's hash, which
rebuilds the page through the one freshness check there is. Imports nothing heavy: the web
process uses it.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

META_NAME = "voice-reader-source"
MAX_LENGTH = 2000
"""Longest address accepted: longer ones are not page addresses."""

_OUR_META = re.compile(
    rb"""<meta\s[^>]*name\s*=\s*["']?voice-reader-source\b[^>]*>\s*""", re.IGNORECASE
)
_OPENING = (
    re.compile(rb"<head\b[^>]*>", re.IGNORECASE),
    re.compile(rb"<html\b[^>]*>", re.IGNORECASE),
    re.compile(rb"<!doctype\b[^>]*>", re.IGNORECASE),
)


def address_problem(value: object, name: str = "source_url") -> str | None:
    """Say what is wrong with `value` as an absolute http(s) address; None when it is one."""
    if not isinstance(value, str) or not value:
        return f"{name} must be an absolute http or https address, as text"
    if len(value) > MAX_LENGTH:
        return f"{name} is longer than {MAX_LENGTH} characters"
    if any(ch.isspace() or ord(ch) < 32 for ch in value) or not value.isascii():
        return f"{name} must be one address with no spaces (percent-encode anything else)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks the port is a number
    except ValueError:
        return f"{name} {value!r} is not a web address"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{name} {value!r} is not an absolute http or https address"
    if parts.username is not None or parts.password is not None:
        return f"{name} must not carry a user name or password"
    return None


def with_source_url(source: bytes, url: str) -> bytes:
    """Return `source` saying it came from `url`, replacing any address it already names."""
    meta = f'<meta name="{META_NAME}" content="{html.escape(url)}">'.encode()
    source = _OUR_META.sub(b"", source)
    for opening in _OPENING:
        found = opening.search(source)
        if found:
            return source[: found.end()] + meta + source[found.end() :]
    return meta + source
