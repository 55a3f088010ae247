"""Publish files atomically: readers see the old set or the new set, never a mix."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from filelock import FileLock, Timeout

from reader.errors import PublishError
from reader.files import LOCK_NAME, TEMP_PREFIX, atomic_write

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
    except Timeout:
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


@contextlib.contextmanager
def removed_on_failure(audio_dir: Path):
    """Delete the audio files made inside the block if it fails before its manifest is out.

    Yields a function to call once the manifest is written: from then on the new files are
    published and kept. Enter it while holding the lock, so every new file is this build's.
    """
    before = audio_names(audio_dir)
    done = []
    try:
        yield lambda: done.append(True)
    except BaseException:
        if not done:
            for name in audio_names(audio_dir) - before:
                with contextlib.suppress(OSError):
                    (audio_dir / name).unlink()
        raise
