"""The widget's files at versioned, immutable URLs: their version and Subresource Integrity."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from reader.files import Cache, file_version
from reader.web import delivery

SCRIPT = "voice-reader.js"
STYLESHEET = "voice-reader.css"
LISTENING = "voice-reader-listening.js"
# The script fetches the stylesheet, and the listening figures' script when the manifest names a
# counter, from beside itself, so all three share one versioned folder.
FILES = {SCRIPT: "text/javascript", STYLESHEET: "text/css", LISTENING: "text/javascript"}
VERSION_LENGTH = 12


@dataclass(frozen=True)
class Widget:
    """One version of the widget: the bytes of its files, as served, and their hash."""

    version: str
    """First 12 hex digits of a SHA-256 over every file: a change to any gives a new URL."""
    files: dict[str, delivery.Generated]

    def path(self, name: str = SCRIPT) -> str:
        """Return a file's versioned path below the service root, e.g. `static/v/…/x.js`."""
        return f"static/v/{self.version}/{name}"

    def integrity(self, name: str = SCRIPT) -> str:
        """Return the Subresource Integrity value of a file's bytes (sha384, base64)."""
        digest = hashlib.sha384(self.files[name].data).digest()
        return "sha384-" + base64.b64encode(digest).decode("ascii")


def read_widget(static_dir: Path) -> Widget | None:
    """Read the widget's files from `static_dir`; None when any is missing."""
    digest = hashlib.sha256()
    files = {}
    for name in FILES:
        try:
            data = (Path(static_dir) / name).read_bytes()
        except OSError:
            return None
        # Name and length go in too, so no two sets of files can hash alike by shifting bytes.
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
        files[name] = delivery.Generated.of(data)
    return Widget(digest.hexdigest()[:VERSION_LENGTH], files)


class WidgetFiles:
    """The current widget in a static folder, read again only when a file changes."""

    def __init__(self, static_dir: Path):
        self.static_dir = Path(static_dir)
        self._cache = Cache(1)

    def current(self) -> Widget | None:
        """Return the widget as the files are now; None when it is not installed."""
        version = tuple(file_version(self.static_dir / name) for name in FILES)
        return self._cache.get(SCRIPT, version, lambda: read_widget(self.static_dir))
