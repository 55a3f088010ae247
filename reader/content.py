"""The content folder: document names, and files read without ever leaving the folder."""

from __future__ import annotations

import os
from pathlib import Path

from reader import names
from reader.errors import ContentError

MAX_SOURCE_BYTES = 2 * 1024 * 1024
"""Largest document that is read, built or accepted from a CMS: health pages are tens of KB."""
LEXICON_NAME = "lexicon"
"""content/lexicon.tsv (or .pls) for every document; content/<key>.lexicon.tsv for one."""
LEXICON_SUFFIXES = (".tsv", ".pls")


def require_slug(slug: str) -> None:
    """Refuse a document name that is not one, with the one message every command uses."""
    found = names.problem(slug)
    if found:
        raise ContentError(found)


def document_path(content_dir: Path, slug: str) -> Path:
    """Return where a document's source lives, content/<key>.html; refuse a bad name."""
    require_slug(slug)
    return Path(content_dir) / f"{names.key(slug)}.html"


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
    """List a document's lexicon files that exist: the shared ones first, then its own.

    With no document (`slug` empty, as `reader say` without --document), the shared ones only.
    """
    shared = (Path(content_dir) / f"{LEXICON_NAME}{suffix}" for suffix in LEXICON_SUFFIXES)
    own = [lexicon_file(content_dir, slug, suffix) for suffix in LEXICON_SUFFIXES] if slug else []
    return [path for path in (*shared, *own) if path.is_file()]


def discover(content_dir: Path) -> list[str]:
    """List the names of the documents in the content folder, bad ones too (to be refused)."""
    return sorted(names.from_key(p.stem) or p.stem for p in Path(content_dir).glob("*.html"))


def lexicon_file(content_dir: Path, slug: str, suffix: str) -> Path:
    """Return the path of a document's own lexicon file with `suffix` (.tsv or .pls)."""
    require_slug(slug)
    return Path(content_dir) / f"{names.key(slug)}.{LEXICON_NAME}{suffix}"
