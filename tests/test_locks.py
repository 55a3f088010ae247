"""The lock (filelock) that keeps two builds of one document apart, between real processes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import pytest
from filelock import FileLock
from filelock import Timeout as LockTimeout

HOLD = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire(timeout=5)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def held_by_another_process(path, seconds: float):
    """Hold the lock in a child process for `seconds`; yield the child, and end it after."""
    command = [sys.executable, "-c", HOLD, str(path), str(seconds)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline() == "held\n"
            yield holder
        finally:
            holder.kill()


def test_a_lock_held_by_another_process_is_waited_for_then_refused(tmp_path):
    path = tmp_path / ".lock"
    with held_by_another_process(path, 30):
        started = time.monotonic()
        with pytest.raises(LockTimeout, match="could not be acquired"):
            FileLock(path).acquire(timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 2
        with pytest.raises(LockTimeout):
            FileLock(path).acquire(timeout=0)
    # The kernel lets go when the holder dies, even killed: no stale lock to clear by hand.
    with FileLock(path, timeout=1) as lock:
        assert lock.is_locked
    assert not lock.is_locked
    assert path.is_file(), "the lock file stays, so every waiter locks the same file"


def test_a_waiter_gets_the_lock_as_soon_as_it_is_let_go(tmp_path):
    path = tmp_path / ".lock"
    with held_by_another_process(path, 0.3) as holder:
        started = time.monotonic()
        with FileLock(path, timeout=10):
            assert time.monotonic() - started < 5
            assert holder.wait() == 0, "the holder let go by ending"


def test_two_locks_in_one_process_exclude_each_other(tmp_path):
    first = FileLock(tmp_path / ".lock")
    first.acquire()
    with pytest.raises(LockTimeout):
        FileLock(tmp_path / ".lock").acquire(timeout=0)
    first.release()
    first.release()  # twice is harmless
    assert not first.is_locked
    FileLock(tmp_path / ".lock").acquire(timeout=0)


def test_a_lock_file_replaced_by_a_link_is_never_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("not ours")
    os.symlink(elsewhere, tmp_path / ".lock")
    with pytest.raises(OSError):
        FileLock(tmp_path / ".lock").acquire(timeout=0)
    assert elsewhere.read_text() == "not ours"
