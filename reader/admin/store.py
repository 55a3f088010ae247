"""Content sources as staff change them: stored atomically, and unpublished with a tombstone."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from filelock import FileLock, Timeout

from reader import manifest as mf
from reader import names
from reader.errors import ReaderError
from reader.files import LOCK_NAME, atomic_write

KEPT = ".unpublished"
"""Folder in the content folder where unpublished sources are kept, never deleted."""


class Busy(ReaderError):
    """The document is being built, so it cannot be unpublished right now."""


def source_path(content_dir: Path, slug: str) -> Path:
    """Return the path of a document's source, content/<key>.html."""
    if not mf.is_valid_slug(slug):
        raise ValueError(f"not a document name: {slug!r}")
    return Path(content_dir) / f"{names.key(slug)}.html"


def read_source(content_dir: Path, slug: str) -> bytes | None:
    """Return a document's stored source, None if there is none."""
    try:
        return source_path(content_dir, slug).read_bytes()
    except FileNotFoundError:
        return None


def store_source(content_dir: Path, slug: str, data: bytes) -> None:
    """Store a document's new source atomically."""
    atomic_write_new(source_path(content_dir, slug), data)


def unpublish(content_dir: Path, build_dir: Path, slug: str) -> bool:
    """Take a document off the site: its page answers 410; return False if there was none.

    The source is moved aside (never deleted) and the audio is left for the worker to retire,
    because a visitor may still be listening to it.
    """
    source = source_path(content_dir, slug)
    folder = mf.document_dir(build_dir, slug)
    if not source.is_file() and not (folder / mf.MANIFEST_NAME).is_file():
        return False
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / LOCK_NAME)
    try:
        lock.acquire(timeout=2)
    except Timeout:
        raise Busy(f"{slug} is being built; try again when the build has finished") from None
    try:
        if source.is_file():
            kept = Path(content_dir) / KEPT
            kept.mkdir(exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S")
            os.replace(source, kept / f"{names.key(slug)}-{stamp}.html")
        atomic_write(folder / mf.UNPUBLISHED_NAME, json.dumps({"at": time.time()}).encode())
        for path in folder.iterdir():
            if path.name in (mf.AUDIO_DIR, LOCK_NAME, "retired.json", mf.UNPUBLISHED_NAME):
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    finally:
        lock.release()
    return True


def is_unpublished(build_dir: Path, slug: str) -> bool:
    """Say whether a document was unpublished (and not published again since)."""
    if not mf.is_valid_slug(slug):
        return False
    return (mf.document_dir(build_dir, slug) / mf.UNPUBLISHED_NAME).is_file()


def atomic_write_new(path: Path, data: bytes) -> None:
    """Write a new file atomically, making its folder first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
