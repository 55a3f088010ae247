"""The names of published things: document slugs, a build folder's files, the manifest version.

Kept apart from the typed manifest, and free of imports, so that a build with nothing to do
can decide so before it imports anything heavy (reader/pipeline/freshness.py).
"""

import re

VERSION = 1
"""The manifest's version: a manifest of another version is rebuilt, never read."""
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.json"
AUDIO_DIR = "audio"
PAGES_DIR = "pages"
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_MAX_LENGTH = 100
_SLUG_RE = re.compile(SLUG_PATTERN)


def is_valid_slug(slug: str) -> bool:
    """Return whether `slug` is a document slug: lowercase words joined by hyphens."""
    return len(slug) <= SLUG_MAX_LENGTH and _SLUG_RE.fullmatch(slug) is not None
