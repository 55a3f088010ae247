"""Exclusive locks between processes on a file, with flock: what a build holds per document.

filelock 4 did this job before, and cost every build 27 ms of imports (logging, inspect,
decimal, platform) for a portability we do not use: the service runs on Linux and macOS,
where flock is the lock. Both ways lock the same way, so a lock file means the same to any
process that holds it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

POLL_SECONDS = 0.05
"""How often a waiting process tries again: a build holds its lock for a second or more."""
_BUSY = {errno.EAGAIN, errno.EACCES}


class LockTimeout(TimeoutError):
    """Another process held the lock for longer than we were prepared to wait."""


class FileLock:
    """An exclusive lock on `path`, the file created if need be and left in place on release.

    The lock belongs to the open file, so a second FileLock on the same path waits, in this
    process as in any other, and the kernel lets go of it when its holder's process ends.
    """

    def __init__(self, path: Path | str, timeout: float = 0.0):
        self.path = Path(path)
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self, timeout: float | None = None) -> None:
        """Take the lock, waiting up to `timeout` seconds (0: one try); raise LockTimeout."""
        if self._fd is not None:
            # Not reentrant: a second open file would wait for this one, until the timeout.
            raise RuntimeError(f"{self.path} is already held by this FileLock")
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        # O_NOFOLLOW: a lock file swapped for a link cannot make us open another file.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            while not _try_lock(fd):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LockTimeout(f"{self.path} is held by another process")
                time.sleep(min(POLL_SECONDS, left))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock, if this object holds it."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    @property
    def is_locked(self) -> bool:
        """Say whether this object holds the lock."""
        return self._fd is not None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in _BUSY:
            return False
        raise
    return True
