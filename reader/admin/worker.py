"""The worker: huey's consumer runs the jobs in worker processes, beats for them, and sweeps.

As it starts, it queues a rebuild of every published page that its settings would build anew.

`reader worker` is huey's own consumer with process workers: it restarts a worker process that
dies, and each worker process runs one job at a time, at low priority. The consumer's main
process says every second which of its worker processes are alive, and takes over any job
whose worker has stopped beating, on this machine or another (reader/admin/queue.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import time
from pathlib import Path

from huey import signals
from huey.consumer import Consumer, Scheduler

from reader import manifest as mf
from reader.admin import audit, status, store
from reader.admin.queue import BEAT_SECONDS, BUILD, Job, Queue, State, owner_id
from reader.admin.supervisor import lower_priority
from reader.admin.work import Work
from reader.errors import ReaderError

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05
"""How often an idle worker looks at a SQLite queue."""
_PR_SET_PDEATHSIG = 1


def attach(queue: Queue, work: Work) -> None:
    """Make this process run the queue's jobs with `work`, its ends recorded through signals."""
    first = queue.runner is None
    queue.runner = work
    if not first:
        return

    def mine(task) -> Job | None:
        # The job this process was building: not a stale message that found it taken.
        job = queue.record(task.args[0])
        ours = job is not None and job.state == State.BUILDING and job.owner == owner_id()
        return job if ours else None

    @queue.huey.signal(signals.SIGNAL_COMPLETE)
    def ready(signal_name, task):
        if (job := mine(task)) is None:
            return
        queue.finish(job.id, State.READY)
        if job.kind == BUILD:
            queue.huey.put(f"built:{job.slug}", job.id)
        queue.runner.ended(queue, queue.record(job.id))

    @queue.huey.signal(signals.SIGNAL_ERROR)
    def failed(signal_name, task, error):
        queue.runner.failed(queue, task.args[0], error)

    @queue.huey.signal(signals.SIGNAL_INTERRUPTED)
    def interrupted(signal_name, task):
        if (job := mine(task)) is not None:
            log.warning(queue.retry_or_give_up(job))


class _Scheduler(Scheduler):
    consumer: int | None = None

    def initialize(self) -> None:
        # Nothing of it is worth keeping once the consumer has gone.
        _signal_when_parent_dies(signal.SIGKILL, self.consumer)


class Worker(Consumer):
    """huey's consumer, beating for its worker processes and sweeping up after dead ones."""

    scheduler_class = _Scheduler

    def __init__(self, queue: Queue, processes: int = 1):
        self.queue = queue
        # Processes, not threads: a build forks its synthesis processes, which is safe only
        # from a process with one thread. huey restarts a worker process that dies.
        super().__init__(
            queue.huey,
            workers=processes,
            worker_type="process",
            periodic=False,
            # An idle worker asks the (SQLite) queue every POLL_SECONDS: a PUT's build starts within
            # that. On Redis it waits on the queue instead.
            initial_delay=POLL_SECONDS,
            backoff=1.0,
            max_delay=POLL_SECONDS,
            health_check_interval=BEAT_SECONDS,
        )
        self.pid = os.getpid()
        """The consumer's process, which its worker processes and scheduler watch."""
        self._next_beat = 0.0
        self._beating: set[int] = set()
        queue.huey.on_startup("reader-worker-process")(self._in_worker_process)

    def _create_scheduler(self) -> _Scheduler:
        scheduler = super()._create_scheduler()
        scheduler.consumer = os.getpid()
        return scheduler

    def start(self) -> None:
        """Start the worker processes; they open their own connections to the queue."""
        self.queue.live.storage.close()
        super().start()

    def _in_worker_process(self) -> None:
        # Sockets and SQLite connections must not be shared with the consumer's process.
        self.queue.huey.storage.close()
        self.queue.live.storage.close()
        # huey starts its worker processes daemonic, so that they end with the consumer, and a
        # daemonic process may not start processes: a build needs its synthesis processes.
        # The parent-death signal below ends this one with the consumer instead.
        multiprocessing.current_process().daemon = False
        # Its own process group, so that it can take its synthesis processes with it.
        os.setpgid(0, 0)
        signal.signal(signal.SIGUSR1, _end_process_group)
        _signal_when_parent_dies(signal.SIGUSR1, self.pid)
        self.queue.beat([owner_id()])

    def loop(self, health_check_ts=None):
        """Run huey's loop, and beat and sweep once a second."""
        health_check_ts = super().loop(health_check_ts)
        if time.monotonic() >= self._next_beat:
            self._next_beat = time.monotonic() + BEAT_SECONDS
            self.beat_and_sweep()
        return health_check_ts

    def beat_and_sweep(self) -> None:
        """Say which worker processes are alive; retry the jobs of any that have gone."""
        host = owner_id().rsplit(":", 1)[0]
        alive = {p.pid for _, p in self.worker_threads if p.is_alive()}
        for pid in self._beating - alive:
            # Gone (huey has started another): its job is swept now, not once its last beat
            # is old, and its synthesis processes go with it.
            self.queue.live.delete(f"beat:{host}:{pid}")
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        self._beating = alive
        self.queue.beat([f"{host}:{pid}" for pid in sorted(alive)])
        for note in self.queue.sweep():
            log.warning(note)


def _end_process_group(signum, frame) -> None:
    # The consumer is gone without a word: end this worker and its synthesis processes at
    # once. The job is taken over by a live worker when its beats stop.
    os.killpg(0, signal.SIGKILL)


def _signal_when_parent_dies(signum: int, parent: int | None = None) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signum)  # the parent died before the signal was asked for


def serve_forever(queue: Queue, work: Work, parent: int | None = None) -> None:
    """Run as `reader worker`: low priority, then run jobs until SIGTERM or SIGINT."""
    lower_priority()
    attach(queue, work)
    # A page that cannot be built is the job's own failure, said in its record in one line:
    # huey's traceback of it would only bury the worker's log.
    logging.getLogger("huey").addFilter(
        lambda record: not (record.exc_info and isinstance(record.exc_info[1], ReaderError))
    )
    if parent:
        # Started beside `reader serve`: leave when it has gone (the kernel sends SIGTERM).
        _signal_when_parent_dies(signal.SIGTERM)
        if os.getppid() != parent:
            return
    for job in queue_out_of_date(queue, work):
        log.info("queued job %s: %s is out of date", job.id, job.slug)
    Worker(queue).run()


def queue_out_of_date(queue: Queue, work: Work) -> list[Job]:
    """Queue a build of each published document that the worker's settings would build anew.

    Run as a worker starts: after the site's voice or engine changed (or eSpeak NG, or a
    lexicon edited by hand), the service rebuilds every page that is not current, one build
    per page, and each keeps its published audio until its new version is published. A page
    already current, or whose build is queued or running, queues nothing; workers starting
    together on several machines join one queued build per page (`Queue.submit`).
    """
    queued = []
    for slug in mf.published_slugs(work.build_dir):
        if (
            store.is_unpublished(work.build_dir, slug)
            or queue.queued(slug)
            or queue.building(slug)
            or not status.is_stale(work.content_dir, work.build_dir, slug, work.options)
        ):
            continue
        job = queue.submit(BUILD, slug)
        entry = {"who": "worker", "via": "build queue", "address": "local", "action": "rebuild"}
        entry.update(target=slug, document=slug, result="queued: out of date", job=job.id)
        audit.append(audit.log_path(work.instance_path), {**entry, "outcome": "queued"})
        queued.append(job)
    return queued


def work_for(app, jobs: int | None = None) -> Work:
    """Return the work of an app's config: its folders, and its engine and voice."""
    config = app.config
    options = status.build_options(config, jobs)
    return Work(config["CONTENT_DIR"], config["BUILD_DIR"], Path(app.instance_path), options)
