"""Requests to voice-reader run on one background thread, in order, once the change commits.

So an editor's publish never waits for voice-reader, and never fails because it is down: the
outcome is stored in an AudioRecord for the editor's panel instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for

from django.db import close_old_connections, connection, transaction

logger = logging.getLogger(__name__)

# One thread keeps requests in the order the editors made them: a move before the publish
# under the new name, a publish before its unpublish.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice-reader")
_pending: set[Future] = set()
_lock = threading.Lock()


def _run(job: Callable, args: tuple) -> None:
    close_old_connections()
    try:
        job(*args)
    except Exception:
        # A bug here must not kill the thread that sends every later change.
        logger.exception("voice-reader: %s failed", job.__name__)
    finally:
        # The thread's own connection: left open, SQLite would keep its file busy.
        connection.close()


def submit(job: Callable, *args) -> None:
    """Run `job(*args)` on the sending thread once the current transaction commits."""

    def start():
        future = _executor.submit(_run, job, args)
        with _lock:
            _pending.add(future)
        future.add_done_callback(_forget)

    transaction.on_commit(start)


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def wait(timeout: float = 60.0) -> bool:
    """Wait until every request submitted so far has ended; say whether they all did."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            pending = set(_pending)
        if not pending:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        wait_for(pending, timeout=left)
