"""The content folder: document names, and files read without ever leaving the folder."""

from __future__ import annotations

import os
from pathlib import Path

from reader.errors import ContentError
from reader.layout import is_valid_slug

MAX_SOURCE_BYTES = 2 * 1024 * 1024
"""Largest document that is read, built or accepted from a CMS: health pages are tens of KB."""
LEXICON_NAME = "lexicon"
"""content/lexicon.tsv (or .pls) for every document; content/<slug>.lexicon.tsv for one."""
LEXICON_SUFFIXES = (".tsv", ".pls")


def require_slug(slug: str) -> None:
    """Refuse a document name that is not a slug, with the one message every command uses."""
    if not is_valid_slug(slug):
        raise ContentError(
            f"{slug!r} is not a valid document name: use lowercase letters, digits and hyphens"
        )


def document_path(content_dir: Path, slug: str) -> Path:
    """Return where a document's source lives; refuse a name that is not a slug."""
    require_slug(slug)
    return Path(content_dir) / f"{slug}.html"


def is_inside(content_dir: Path, path: Path) -> bool:
    """Return whether `path`, with every link followed, stays inside the content folder."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(content_dir))


def read_content(content_dir: Path, path: Path) -> bytes:
    """Read a file of the content folder; refuse one that is a link to outside the folder."""
    path = Path(path)
    if not is_inside(content_dir, path):
        # A link to /etc/passwd would otherwise be read, built and served as a page.
        raise ContentError(
            f"{path} is a link to {os.path.realpath(path)}, outside the content folder; "
            "it is not read: copy the file into the folder instead"
        )
    try:
        # O_NOFOLLOW on the resolved path: a link swapped in after the check is not followed.
        fd = os.open(os.path.realpath(path), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise ContentError(f"no document {path}") from None
    except OSError as error:
        raise ContentError(f"cannot read {path}: {error.strerror}") from None
    with os.fdopen(fd, "rb") as file:
        try:
            return file.read()
        except OSError as error:
            raise ContentError(f"cannot read {path}: {error.strerror}") from None


def lexicon_paths(content_dir: Path, slug: str) -> list[Path]:
    """List a document's lexicon files that exist: the shared ones first, then its own."""
    stems = (LEXICON_NAME, f"{slug}.{LEXICON_NAME}")
    paths = (Path(content_dir) / f"{stem}{suffix}" for stem in stems for suffix in LEXICON_SUFFIXES)
    return [path for path in paths if path.is_file()]


def discover(content_dir: Path) -> list[str]:
    """List the slugs of the documents in the content folder."""
    return sorted(p.stem for p in Path(content_dir).glob("*.html"))
