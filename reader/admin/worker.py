"""The worker process: runs queued jobs in order, at low priority, and recovers after a kill."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from reader.admin.queue import BUILD, MAX_ATTEMPTS, Queue, build_running

log = logging.getLogger(__name__)
NICENESS = 10
"""Synthesis is batch work: visitors of the same machine are served first."""
POLL_SECONDS = 0.05
"""How often an idle worker looks at the queue: a PUT's build starts within this."""
ORPHAN_WAIT = 120.0
"""Seconds to wait for a killed worker's synthesis processes to let go of a document's lock."""


def recover(queue: Queue) -> str | None:
    """Deal with the job a killed worker left running: mark it interrupted, retry it once.

    Returns what was done, for the log.
    """
    job_id = queue.huey.get("running", peek=True)
    job = queue.record(job_id) if job_id else None
    if job is None or job.state != "building":
        queue.huey.delete("running")
        return None
    # The synthesis processes of the killed build may still hold the lock for a moment;
    # the retry must not start (and then wait) while they finish their sentence.
    deadline = time.monotonic() + ORPHAN_WAIT
    while (
        build_running(queue.build_dir, job.slug) or queue.job_running(job.id)
    ) and time.monotonic() < deadline:
        time.sleep(0.2)
    job.state, job.finished = "interrupted", time.time()
    job.error = "the worker stopped before the job finished"
    queue.huey.delete("running")
    retry = job.attempt < MAX_ATTEMPTS
    if retry and job.kind == BUILD and not queue.huey.put_if_empty(f"pending:{job.slug}", job.id):
        retry = False  # a build of the same document is already queued: it covers this one
    if not retry:
        queue.save(job)
        return f"job {job.id} was interrupted"
    job.state, job.attempt, job.done, job.total = "queued", job.attempt + 1, 0, None
    job.error = "interrupted once (the worker stopped); tried again"
    queue.save(job)
    queue.enqueue(job)
    return f"job {job.id} was interrupted; queued again"


def run(
    queue: Queue,
    stop: Callable[[], bool] = lambda: False,
    idle_exit: bool = False,
) -> int:
    """Run jobs in order until `stop()` says so (or, with `idle_exit`, the queue is empty).

    Returns how many jobs ran.
    """
    # huey's own consumer runs tasks beside a scheduler thread; a build started from a
    # process with threads must use the slow forkserver for its synthesis processes, so the
    # worker dequeues in its only thread instead (huey.execute still applies its retries).
    ran = 0
    while not stop():
        task = queue.huey.dequeue()
        if task is None:
            if idle_exit:
                break
            time.sleep(POLL_SECONDS)
            continue
        queue.huey.execute(task)
        ran += 1
    return ran


@functools.cache
def lower_priority() -> None:
    """Make this process (and the synthesis processes it starts) yield to the web server."""
    # Once per process (cached): os.nice adds to the niceness, it does not set it.
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


def serve_forever(queue: Queue, parent: int | None = None) -> None:
    """Run as `reader worker`: low priority, recover, then run jobs until SIGTERM or SIGINT."""
    lower_priority()

    def stop_now(signum, frame):
        # Unwinding closes the synthesis pool and releases the document's lock; the job
        # stays marked as running, so the next worker retries it.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop_now)
    note = recover(queue)
    if note:
        log.warning(note)
    # Started beside `reader serve`, the worker leaves when the server has gone: at once on
    # Linux (the kernel sends SIGTERM when the parent dies), else between jobs.
    if parent:
        _term_with_parent()
    orphaned = (lambda: os.getppid() != parent) if parent else (lambda: False)
    with contextlib.suppress(KeyboardInterrupt):
        run(queue, stop=orphaned)


def _term_with_parent() -> None:
    PR_SET_PDEATHSIG = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def beside(environ: dict | None = None) -> Iterator[subprocess.Popen]:
    """Start `reader worker` as a child process for as long as the block runs."""
    command = [sys.executable, "-m", "reader", "worker", "--parent", str(os.getpid())]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, env=environ)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def context_for(app, queue: Queue, jobs: int | None = None):
    """Return the work context of an app's config."""
    from reader.admin.work import Context

    config = app.config
    return Context(
        queue,
        Path(config["CONTENT_DIR"]),
        Path(config["BUILD_DIR"]),
        Path(app.instance_path),
        config["ENGINE"],
        config["VOICE"] or None,
        jobs,
    )
