"""Move a document to a new name: its source, its published files and audio, without a rebuild.

Both names are held for the whole move, in the queue (no build of either can start) and by
their build folders' locks, always in the same order, so two moves never wait for each other.
The published folder is renamed whole, so visitors get the old name's version or the new
one's. The old name keeps a note of the new one, and its addresses answer 301.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from reader import manifest as mf
from reader import moves, names
from reader.admin import audit, store
from reader.admin.queue import Queue
from reader.content import LEXICON_SUFFIXES, lexicon_file
from reader.errors import ReaderError
from reader.files import LOCK_NAME, TEMP_PREFIX, atomic_write
from reader.layout import RETIRED_NAME
from reader.published_index import rename_in_index

LOCK_WAIT = 2.0
"""Seconds a move waits for a document's folder lock before it says the document is busy."""
QUEUE_KEYS = ("latest", "built")
"""The queue's notes about a document that follow it to its new name."""


class MoveRefused(ReaderError):
    """A move that cannot be made, with the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def exists(content_dir: Path, build_dir: Path, name: str) -> bool:
    """Say whether a document has a source or a published version, and was not unpublished."""
    if store.is_unpublished(build_dir, name):
        return False
    return store.source_path(content_dir, name).is_file() or (
        mf.manifest_path(build_dir, name).is_file()
    )


def move(
    queue: Queue, content_dir: Path, build_dir: Path, instance_path: Path, old: str, new: str
) -> dict:
    """Move document `old` to `new`; return what moved. Raise MoveRefused when it cannot."""
    content_dir, build_dir = Path(content_dir), Path(build_dir)
    if old == new:
        raise MoveRefused(400, f"{old!r} is already that document's name: name another")
    if not exists(content_dir, build_dir, old):
        raise MoveRefused(404, f"there is no document {old!r}")
    if exists(content_dir, build_dir, new):
        raise MoveRefused(409, f"there is already a document {new!r}: delete it or choose another")
    with _held_in_queue(queue, old, new), _held_on_disk(build_dir, old, new):
        # Asked again now that nothing else can build or write either name.
        if exists(content_dir, build_dir, new):
            raise MoveRefused(409, f"there is already a document {new!r}")
        if not exists(content_dir, build_dir, old):
            raise MoveRefused(404, f"there is no document {old!r}")
        sources = _link_sources(content_dir, old, new)
        try:
            manifest = _move_folder(build_dir, old, new)
        except BaseException:
            for _, target in sources:
                target.unlink(missing_ok=True)
            raise
        for source, _ in sources:
            source.unlink(missing_ok=True)
        moves.note_move(mf.document_dir(build_dir, old), new)
        rename_in_index(build_dir, old, mf.IndexEntry.of(manifest) if manifest else None)
    _follow_in_queue(queue, old, new)
    _follow_in_audit(Path(instance_path), old, new)
    return {
        "from": old,
        "to": new,
        "audio": bool(manifest and manifest.has_audio),
        "audio_files": len(manifest.audio_names) if manifest else 0,
    }


@contextlib.contextmanager
def _held_in_queue(queue: Queue, *wanted: str) -> Iterator[None]:
    """Hold both names' build locks in the queue, so no worker starts building either."""
    holder = f"move-{secrets.token_hex(6)}"
    held: list[str] = []
    try:
        for name in sorted(wanted):
            busy = queue.building(name) or queue.queued(name)
            if busy is not None or not queue.huey.put_if_empty(f"lock:{name}", holder):
                raise MoveRefused(
                    409, f"{name!r} is being built; try again when the build has finished"
                )
            held.append(name)
        yield
    finally:
        for name in held:
            # Only this move's own lock: nothing else takes a lock that is held.
            if queue.huey.get(f"lock:{name}", peek=True) == holder:
                queue.huey.delete(f"lock:{name}")


@contextlib.contextmanager
def _held_on_disk(build_dir: Path, *wanted: str) -> Iterator[None]:
    """Hold both build folders' locks, in the order of their names (so moves never deadlock)."""
    with contextlib.ExitStack() as stack:
        for name in sorted(wanted):
            folder = mf.document_dir(build_dir, name)
            folder.mkdir(parents=True, exist_ok=True)
            lock = FileLock(folder / LOCK_NAME)
            try:
                lock.acquire(timeout=LOCK_WAIT)
            except Timeout:
                raise MoveRefused(409, f"{name!r} is being built; try again shortly") from None
            stack.callback(lock.release)
        yield


def _link_sources(content_dir: Path, old: str, new: str) -> list[tuple[Path, Path]]:
    """Give the source and own lexicons of `old` their new names too (links, never over a file)."""
    pairs = [(store.source_path(content_dir, old), store.source_path(content_dir, new))]
    pairs += [
        (lexicon_file(content_dir, old, suffix), lexicon_file(content_dir, new, suffix))
        for suffix in LEXICON_SUFFIXES
    ]
    linked: list[tuple[Path, Path]] = []
    try:
        for source, target in pairs:
            if not source.is_file():
                continue
            # A hard link fails where the name is taken: a PUT to the new name is never lost.
            os.link(source, target)
            linked.append((source, target))
    except FileExistsError:
        for _, target in linked:
            target.unlink(missing_ok=True)
        raise MoveRefused(409, f"there is already a document {new!r}") from None
    return linked


def _move_folder(build_dir: Path, old: str, new: str) -> mf.Manifest | None:
    """Rename the published folder to the new name's and name the new one in its manifest."""
    source, target = mf.document_dir(build_dir, old), mf.document_dir(build_dir, new)
    _keep_retiring_audio(target, source)
    # What is left at the new name (a lock, a tombstone, a note of a move) is set aside whole.
    aside = build_dir / f"{TEMP_PREFIX}move-{secrets.token_hex(6)}"
    os.rename(target, aside)
    try:
        os.rename(source, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    try:
        manifest = mf.read_manifest(target / mf.MANIFEST_NAME)
    except mf.ManifestError:
        manifest = None  # an unreadable version moves as it is; the next build replaces it
    if manifest is None:
        return None
    document = dataclasses.replace(manifest.document, slug=new)
    manifest = dataclasses.replace(manifest, document=document)
    atomic_write(target / mf.MANIFEST_NAME, mf.dumps(manifest))
    return manifest


def _keep_retiring_audio(leftover: Path, folder: Path) -> None:
    """Move a deleted document's audio, still retiring, into the folder that takes its name.

    A visitor may still be listening to it; the folder's ledger deletes it after the grace.
    """
    audio = leftover / mf.AUDIO_DIR
    if not audio.is_dir():
        return
    try:
        ledger = json.loads((leftover / RETIRED_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        ledger = {}
    kept_path = folder / RETIRED_NAME
    try:
        kept = json.loads(kept_path.read_text("utf-8"))
    except (OSError, ValueError):
        kept = {}
    (folder / mf.AUDIO_DIR).mkdir(parents=True, exist_ok=True)
    for path in audio.glob("*.mp3"):
        if not (folder / mf.AUDIO_DIR / path.name).exists():
            os.replace(path, folder / mf.AUDIO_DIR / path.name)
            kept[path.name] = ledger.get(path.name, time.time())
    if kept:
        atomic_write(kept_path, json.dumps(kept, indent=1).encode("utf-8"))


def _follow_in_queue(queue: Queue, old: str, new: str) -> None:
    """Let the new name show the old one's last build and findings."""
    for kind in QUEUE_KEYS:
        value = queue.huey.get(f"{kind}:{old}", peek=True)
        if value is not None:
            queue.huey.put(f"{kind}:{new}", value)
            queue.huey.delete(f"{kind}:{old}")


def _follow_in_audit(instance_path: Path, old: str, new: str) -> None:
    """Keep the sections the audit log last saw, so the next build says what changed."""
    folder = instance_path / audit.SECTIONS_FOLDER
    with contextlib.suppress(OSError):
        os.replace(folder / f"{names.key(old)}.json", folder / f"{names.key(new)}.json")
