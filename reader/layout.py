"""The names of published things: document slugs, a build folder's files, the manifest version.

Free of imports, so that any module (the content folder's, the manifest's) can name them.
"""

import re

VERSION = 1
"""The manifest's version: a manifest of another version is rebuilt, never read."""
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.json"
AUDIO_DIR = "audio"
PAGES_DIR = "pages"
SPOKEN_CACHE_NAME = "spoken.json"
"""In a document's build folder: each section's spoken text, a cache no manifest names."""
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_MAX_LENGTH = 100
_SLUG_RE = re.compile(SLUG_PATTERN)


def is_valid_slug(slug: str) -> bool:
    """Return whether `slug` is a document slug: lowercase words joined by hyphens."""
    return len(slug) <= SLUG_MAX_LENGTH and _SLUG_RE.fullmatch(slug) is not None
