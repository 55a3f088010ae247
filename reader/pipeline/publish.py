"""Publish files atomically: readers see the old set or the new set, never a mix."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from reader import manifest as mf
from reader.errors import PublishError
from reader.files import LOCK_NAME, TEMP_PREFIX, atomic_write
from reader.locks import FileLock, LockTimeout

RETIRED_NAME = "retired.json"
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
    except LockTimeout:
        raise PublishError(
            f"another build of {folder.name} is still running (waited {timeout:g} s)"
        ) from None
    try:
        yield
    finally:
        lock.release()


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
        ledger = json.loads(ledger_path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        ledger = {}
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
    atomic_write(ledger_path, json.dumps(ledger, indent=1).encode("utf-8"))
    return deleted


def audio_names(audio_dir: Path) -> set[str]:
    """Return the names of the MP3 files in a document's audio folder."""
    return {p.name for p in audio_dir.glob("*.mp3")} if audio_dir.is_dir() else set()


def _version_files(folder: Path) -> set[Path]:
    """Return the audio and page files of a document's folder: what a version is made of."""
    audio = {folder / mf.AUDIO_DIR / name for name in audio_names(folder / mf.AUDIO_DIR)}
    return audio | set((folder / mf.PAGES_DIR).glob("*.html"))


@contextlib.contextmanager
def removed_on_failure(folder: Path):
    """Delete the audio and page files made inside the block if it fails, unless published.

    A file the published manifest names is kept: a new document's page is published as text
    when its audio fails. Enter it while holding the lock, so every new file is this build's.
    """
    before = _version_files(folder)
    try:
        yield
    except BaseException:
        for path in _version_files(folder) - before - _published_files(folder):
            with contextlib.suppress(OSError):
                path.unlink()
        raise


def _published_files(folder: Path) -> set[Path]:
    """Return the files the document's published manifest names (none if it is unreadable)."""
    try:
        manifest = mf.read_manifest(folder / mf.MANIFEST_NAME)
    except mf.ManifestError:
        return set()
    if manifest is None:
        return set()
    names = {folder / mf.AUDIO_DIR / name for name in manifest.audio_names}
    return names | ({folder / manifest.page} if manifest.page else set())


INDEX_LOCK_NAME = ".index.lock"


def publish_version(
    out_dir: Path,
    manifest: mf.Manifest,
    html: str,
    previous: mf.Manifest | None,
    files: Mapping[str, bytes] | None = None,
) -> mf.Manifest:
    """Publish one version of a document: its page and `files`, then its manifest, the index.

    The manifest is the commit point: it names the page by the hash of its bytes, and the
    audio files are already complete, so a visitor gets the old version or the new one.
    `files` (path in the folder → bytes: the whole-page download) are written while the
    manifest is serialised, and are on disk before it. Call only while holding the lock.
    """
    folder = mf.document_dir(out_dir, manifest.document.slug)
    page = write_page(folder, html)
    manifest = dataclasses.replace(manifest, page=page)
    with _written_meanwhile({folder / path: data for path, data in (files or {}).items()}):
        data = mf.dumps(manifest)
    atomic_write(folder / mf.MANIFEST_NAME, data)
    # The previous page is kept: a request that read the old manifest a moment ago reads it next.
    keep = {page, previous.page if previous else None}
    for old in (folder / mf.PAGES_DIR).glob("*.html"):
        if f"{mf.PAGES_DIR}/{old.name}" not in keep:
            old.unlink(missing_ok=True)
    update_index(out_dir, mf.IndexEntry.of(manifest))
    return manifest


@contextlib.contextmanager
def _written_meanwhile(files: Mapping[Path, bytes]):
    """Write `files` atomically on threads while the block runs; raise their first error after.

    Writing and fsync release the GIL: the 4 MB download of NETs reaches the disk in the
    time the manifest takes to serialise, 15 ms either way.
    """
    errors: list[BaseException] = []

    def write(path: Path, data: bytes) -> None:
        try:
            atomic_write(path, data)
        except BaseException as error:  # handed to the building thread, which raises it
            errors.append(error)

    threads = [threading.Thread(target=write, args=item) for item in files.items()]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]


def write_page(folder: Path, html: str) -> str:
    """Write a version's page, named by its bytes, unless it is there; return its path.

    A build writes it while its workers speak, before the manifest that will name it. Call
    only while holding the document's lock.
    """
    data = html.encode("utf-8")
    page = f"{mf.PAGES_DIR}/{hashlib.sha256(data).hexdigest()[:20]}.html"
    if not (folder / page).is_file():
        (folder / mf.PAGES_DIR).mkdir(parents=True, exist_ok=True)
        atomic_write(folder / page, data)
    return page


def update_index(out_dir: Path, entry: mf.IndexEntry) -> None:
    """Put `entry` into the build folder's index, unless it is there already."""
    _change_index(Path(out_dir), entry.slug, entry)


def remove_from_index(out_dir: Path, slug: str) -> None:
    """Take an unpublished document out of the build folder's index."""
    _change_index(Path(out_dir), slug, None)


def _change_index(out_dir: Path, slug: str, entry: mf.IndexEntry | None) -> None:
    found, documents = _indexed(out_dir)
    if found and documents.get(slug) == entry:
        return
    with FileLock(out_dir / INDEX_LOCK_NAME, timeout=60):
        # Only this lock's holder writes the index, so a temp file of it is a killed build's.
        for temp in out_dir.glob(f"{TEMP_PREFIX}*-{mf.INDEX_NAME}"):
            temp.unlink(missing_ok=True)
        # Read again under the lock: another document's build may have written it meanwhile.
        _, documents = _indexed(out_dir)
        documents.pop(slug, None)
        if entry is not None:
            documents[slug] = entry
        index = mf.Index(tuple(documents[name] for name in sorted(documents)))
        atomic_write(out_dir / mf.INDEX_NAME, mf.dumps(index))


_last_index: tuple[tuple, dict[str, mf.IndexEntry]] | None = None


def _indexed(out_dir: Path) -> tuple[bool, dict[str, mf.IndexEntry]]:
    """Return whether the index file is there and usable, and its entries by slug."""
    global _last_index
    try:
        st = os.stat(out_dir / mf.INDEX_NAME)
        version = (str(out_dir), st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        version = None
    # A build of many unchanged documents asks once per document: read the file once.
    if version is not None and _last_index is not None and _last_index[0] == version:
        return True, dict(_last_index[1])
    try:
        index = mf.read_index(out_dir)
    except mf.ManifestError:
        index = None
    if index is not None:
        documents = {entry.slug: entry for entry in index.documents}
        _last_index = (version, documents)
        return True, dict(documents)
    # No index yet (or a damaged one): make it once from what is published.
    documents = {}
    for slug in mf.published_slugs(out_dir):
        try:
            manifest = mf.load_manifest(out_dir, slug)
        except mf.ManifestError:
            continue
        if manifest is not None and manifest.page is not None:
            documents[slug] = mf.IndexEntry.of(manifest)
    return False, documents
