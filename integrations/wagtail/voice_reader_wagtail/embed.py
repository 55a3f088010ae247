"""The player's script for the site's own pages: voice-reader's current widget, pinned by SRI."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from dataclasses import dataclass
from urllib.parse import quote, urljoin

from django.core.cache import cache

from voice_reader_wagtail import client, conf

CURRENT_SECONDS = 300
"""How long a page's widget address is reused before voice-reader is asked again."""
# The embed page loads the widget from its versioned, immutable address.
SCRIPT = re.compile(r'<script src="([^"]*/static/v/[0-9a-f]+/voice-reader\.js)"')

_integrity: dict[str, str] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Script:
    """The widget's script tag: its address and Subresource Integrity."""

    url: str
    integrity: str


def _hash_of(url: str) -> str | None:
    """Return the SRI of the script at a versioned address, fetched once: it never changes."""
    with _lock:
        known = _integrity.get(url)
    if known:
        return known
    status, data = client.get_text(url)
    if status != 200 or not data:
        return None
    value = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
    with _lock:
        _integrity[url] = value
    return value


def widget_script(name: str) -> Script | None:
    """Return the script that plays document `name`; None while it has no audio."""
    key = "voice-reader:script:" + hashlib.sha256(name.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    embed_url = f"{conf.service_url()}/embed/{quote(name, safe='/')}"
    status, page = client.get_text(embed_url)
    found = SCRIPT.search(page.decode("utf-8", "replace")) if status == 200 else None
    script = None
    if found:
        url = urljoin(embed_url, found.group(1))
        integrity = _hash_of(url)
        script = Script(url, integrity) if integrity else None
    # Remember "no script" too, briefly, so a page without audio costs one request a while.
    cache.set(key, script or "", CURRENT_SECONDS if script else 30)
    return script
