"""Files written whole or not at all, and the lock name of a document's folder."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

from reader.errors import PublishError

TEMP_PREFIX = ".tmp-"
"""Temporary files start with a dot, so no *.html or *.mp3 glob ever sees a half-written one."""
LOCK_NAME = ".lock"
"""A document's build lock in its build folder: held by whichever process builds it."""

T = TypeVar("T")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that it appears complete or not at all."""
    temp = path.with_name(f"{TEMP_PREFIX}{secrets.token_hex(6)}-{path.name}")
    try:
        with open(temp, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException as error:
        # Ctrl-C too: a build interrupted mid-write leaves no temporary file behind.
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(error, OSError):
            raise PublishError(_explain(path, error)) from error
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # The rename itself is only durable once the folder's entry is on disk.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _explain(path: Path, error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return f"the disk is full: cannot write {path}; what was published before is intact"
    return f"cannot write {path}: {error.strerror or error}; what was published before is intact"


def folder_error(error: OSError) -> str:
    """Say why a folder could not be made or written into, in words staff can act on."""
    if isinstance(error, FileExistsError | NotADirectoryError):
        return "part of that path is a file, not a folder"
    return error.strerror or str(error)


def file_version(path: Path) -> tuple | None:
    """Return what changes whenever a file's bytes may have changed; None if it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Cache:
    """The last value made for each name, made again once its version changes.

    At most `size` names are kept, the least recently used dropped first (functools.lru_cache,
    which is thread-safe). Values are shared by every caller: treat them as read-only.
    """

    def __init__(self, size: int):
        self._slot = functools.lru_cache(maxsize=size)(lambda name: [None])

    def get(self, name: Hashable, version: Hashable, make: Callable[[], T]) -> T:
        """Return `make()` as made for `name` at `version`; make it now if it was not."""
        slot = self._slot(name)
        made = slot[0]
        if made is None or made[0] != version:
            made = (version, make())
            # One assignment: two threads racing here both store a correct value.
            slot[0] = made
        return made[1]


_files = Cache(64)


def read_cached(path: Path, load: Callable[[bytes, str], T]) -> T | None:
    """Return `load(bytes, name)` of a file, read again only once it changed; None if missing.

    The result is shared by every caller until the file changes: treat it as read-only.
    """
    version = file_version(path)
    if version is None:
        return None
    name = os.fspath(path)
    try:
        return _files.get((name, load), version, lambda: load(Path(name).read_bytes(), name))
    except FileNotFoundError:
        return None
