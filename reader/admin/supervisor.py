"""The build worker's process: niced, started beside `reader serve`, started again if it dies.

Safe for the web process: it starts `reader worker` as a command and imports nothing of it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import subprocess
import sys
import threading
import time

log = logging.getLogger(__name__)
NICENESS = 10
"""Synthesis is batch work: visitors of the same machine are served first."""
RESTART_DELAYS = (0.5, 1, 2, 5, 10, 30)
"""Seconds to wait before starting a worker that died again soon after its start."""


@functools.cache
def lower_priority() -> None:
    """Make this process (and the processes it starts) yield to the web server."""
    # Once per process (cached): os.nice adds to the niceness, it does not set it.
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


class Supervisor:
    """Keep `reader worker` running beside `reader serve`: start it again when it dies."""

    def __init__(self, environ: dict | None = None):
        self.command = [sys.executable, "-m", "reader", "worker", "--parent", str(os.getpid())]
        self.environ = environ
        self.child: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(self.command, stdin=subprocess.DEVNULL, env=self.environ)

    def _watch(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            started = time.monotonic()
            code = self.child.wait()
            if self._stopping.is_set():
                return
            # A worker that dies at once again and again waits longer each time.
            failures = failures + 1 if time.monotonic() - started < 10 else 0
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
            log.warning("the build worker stopped (exit %s); starting it again", code)
            if self._stopping.wait(delay):
                return
            self.child = self._start()

    def __enter__(self) -> Supervisor:
        self.child = self._start()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        child = self.child
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        self._thread.join(timeout=5)
