"""Publish files atomically: readers see the old set or the new set, never a mix."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from reader import manifest as mf
from reader.errors import PublishError
from reader.files import LOCK_NAME, TEMP_PREFIX, atomic_write
from reader.layout import RETIRED_NAME, SPOKEN_CACHE_NAME
from reader.moves import MOVED_NAME
from reader.published_index import INDEX_LOCK_NAME, index_temps, update_index

WRITERS = 8
"""Threads that write a version's files at once."""
RETIRED_GRACE_SECONDS = 24 * 3600
"""How long an audio file outlives the last manifest that used it.

A visitor who loaded the previous manifest keeps requesting its audio while they listen.
"""


@contextlib.contextmanager
def document_lock(folder: Path, timeout: float):
    """Hold a document's build lock, so that two builds never interleave."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / LOCK_NAME)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise PublishError(
            f"another build of {folder.name} is still running (waited {timeout:g} s)"
        ) from None
    try:
        yield
    finally:
        lock.release()


def sweep_leftovers(out_dir: Path, slug: str) -> int:
    """Remove the temp files a killed build left for a document and for the index.

    Each is swept only if its lock is free now: a build that holds it owns its temp files.
    """
    removed = 0
    folder = mf.document_dir(out_dir, slug)
    if any(folder.rglob(f"{TEMP_PREFIX}*")):
        with contextlib.suppress(PublishError), document_lock(folder, timeout=0):
            removed += sweep_temp(folder)
    if any(index_temps(Path(out_dir))):
        with contextlib.suppress(Timeout), FileLock(Path(out_dir) / INDEX_LOCK_NAME, timeout=0):
            for temp in index_temps(Path(out_dir)):
                temp.unlink(missing_ok=True)
                removed += 1
    return removed


def sweep_temp(folder: Path) -> int:
    """Remove temp files left by a killed build; call only while holding the lock."""
    removed = 0
    for temp in folder.rglob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
            removed += 1
    return removed


def retire_unreferenced(
    audio_dir: Path,
    referenced: set[str],
    published: set[str] | None = None,
    now: float | None = None,
    grace: float = RETIRED_GRACE_SECONDS,
) -> list[str]:
    """Note audio files no manifest uses; delete those unused for longer than `grace`.

    Only files a published manifest once used need the grace: `published` names those of
    the manifest being replaced, and files already in the ledger were published before.
    Any other unused file (left by a killed or failed build) is deleted at once. With
    `published` None (the previous manifest is unreadable) every unused file gets the grace.
    Returns the names deleted. Call only while holding the document's lock.
    """
    now = time.time() if now is None else now
    ledger_path = audio_dir.parent / RETIRED_NAME
    try:
        ledger = before = json.loads(ledger_path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        ledger, before = {}, None
    unused = audio_names(audio_dir) - referenced
    ledger = {
        name: ledger.get(name, now)
        for name in sorted(unused)
        if name in ledger or published is None or name in published
    }
    deleted = sorted(name for name in unused if name not in ledger or now - ledger[name] >= grace)
    for name in deleted:
        with contextlib.suppress(FileNotFoundError):
            (audio_dir / name).unlink()
        ledger.pop(name, None)
    if ledger != before:
        atomic_write(ledger_path, json.dumps(ledger, indent=1).encode("utf-8"))
    return deleted


def audio_names(audio_dir: Path) -> set[str]:
    """Return the names of the MP3 files in a document's audio folder."""
    return {p.name for p in audio_dir.glob("*.mp3")} if audio_dir.is_dir() else set()


@dataclass(frozen=True)
class Version:
    """One version of a document, made in memory, for `publish` to put on disk."""

    manifest: mf.Manifest
    """Its manifest; `publish` fills in `page`."""
    html: str
    """The sanitised article, published as the version's page file."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """New audio (sections and the download) by path in the document's folder."""
    spoken: bytes | None = None
    """The spoken-text cache to keep for the next build; None to leave it as it is."""


def publish(out_dir: Path, version: Version, lock_timeout: float) -> mf.Outline:
    """Put a version on disk, atomically and under the document's lock; return its manifest.

    The audio and the page are written first, then the manifest that names them: replacing
    it is the commit point, so a visitor gets the old version or the new one. Files written
    for a version that is not published are deleted. A version without audio never replaces
    one with audio: the last complete version stays, and is returned.
    """
    folder = mf.document_dir(out_dir, version.manifest.document.slug)
    with document_lock(folder, lock_timeout):
        sweep_temp(folder)
        previous, used_before = _published(folder)
        if previous is not None and previous.has_audio and not version.manifest.has_audio:
            return previous
        written: list[Path] = []
        page = f"{mf.PAGES_DIR}/{_hash_name(version.html.encode('utf-8'))}.html"
        files = {**version.files, page: version.html.encode("utf-8")}
        try:
            # Each file waits for its own fsync: on threads, the waits overlap.
            with ThreadPoolExecutor(max_workers=WRITERS) as writers:
                paths = [folder / path for path in files]
                list(writers.map(_write_new, paths, files.values(), [written] * len(files)))
            manifest = dataclasses.replace(version.manifest, page=page)
            atomic_write(folder / mf.MANIFEST_NAME, mf.dumps(manifest))
            # Published again under a name it had moved away from, or been unpublished as:
            # no longer a redirect or a 410. Under the lock, so an unpublish that comes after
            # this version keeps its mark.
            (folder / MOVED_NAME).unlink(missing_ok=True)
            (folder / mf.UNPUBLISHED_NAME).unlink(missing_ok=True)
        except BaseException:
            # Interrupted just after the manifest was replaced, the version is published:
            # what it names stays.
            for path in set(written) - _named_by_published(folder):
                path.unlink(missing_ok=True)
            raise
        # The previous page is kept: a request that read the old manifest reads it next.
        keep = {page, previous.page if previous else None}
        for old in (folder / mf.PAGES_DIR).glob("*.html"):
            if f"{mf.PAGES_DIR}/{old.name}" not in keep:
                old.unlink(missing_ok=True)
        retire_unreferenced(folder / mf.AUDIO_DIR, manifest.audio_names, used_before)
        if version.spoken is not None:
            # A cache that cannot be written makes the next build slower, not this one fail.
            with contextlib.suppress(PublishError):
                atomic_write(folder / SPOKEN_CACHE_NAME, version.spoken)
    update_index(out_dir, mf.IndexEntry.of(manifest))
    return manifest


def _published(folder: Path) -> tuple[mf.Outline | None, set[str] | None]:
    """Return the published version and the audio it uses: (None, None) if it is unreadable."""
    try:
        manifest = mf.read_outline(folder / mf.MANIFEST_NAME)
    except mf.ManifestError:
        return None, None
    return manifest, (manifest.audio_names if manifest else set())


def _named_by_published(folder: Path) -> set[Path]:
    """Return the files the published manifest names (none if it is unreadable)."""
    published, audio = _published(folder)
    if published is None:
        return set()
    pages = {folder / published.page} if published.page else set()
    return pages | {folder / mf.AUDIO_DIR / name for name in audio}


def _hash_name(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def _write_new(path: Path, data: bytes, written: list[Path]) -> None:
    """Write a content-named file unless it is there: the same name always holds the same bytes."""
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    written.append(path)
