"""The names of published things: document names, a build folder's files, the manifest version.

Free of imports but the rules of document names, so that any module (the content folder's,
the manifest's) can name them.
"""

from reader import names

VERSION = 1
"""The manifest's version: a manifest of another version is rebuilt, never read."""
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.json"
AUDIO_DIR = "audio"
PAGES_DIR = "pages"
RETIRED_NAME = "retired.json"
"""In a document's build folder: when each audio file no manifest uses was last used."""
SPOKEN_CACHE_NAME = "spoken.json"
"""In a document's build folder: each section's spoken text, a cache no manifest names."""


def is_valid_slug(slug: str) -> bool:
    """Return whether `slug` is a document name: a path such as conditions/fever, in NFC."""
    return names.is_valid(slug)
