"""The build queue on huey: jobs as tasks, their one typed state, and which of them are alive.

Safe for the web process: it imports huey and nothing of the pipeline. The worker hands the
queue the function that does a job (reader/admin/work.py), so the queue never imports its work.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from huey import PriorityRedisHuey, SqliteHuey
from huey.exceptions import RetryTask
from huey.storage import RedisStorage

NAME = "voice-reader"
BUILD, PREVIEW, CLIP, RETIRE = "build", "preview", "clip", "retire"
# Previews and clips are short and a person waits for them: they run before builds.
PRIORITY = {BUILD: 0, RETIRE: 0, PREVIEW: 10, CLIP: 10}
MAX_ATTEMPTS = 2
"""A job interrupted by a stopped or killed worker is tried once more."""
BEAT_SECONDS = 1.0
"""How often a worker says which of its processes are alive."""
DEAD_AFTER = 6.0
"""Seconds without a beat after which a worker process, and the job it ran, count as gone."""
LOCKED_RETRY = 1.0
"""Seconds a build waits before it tries again for a document another worker is building."""


class State(StrEnum):
    """Where a job stands: the one state the API, the dashboard and the worker share."""

    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass
class Job:
    """One queued piece of work and how it stands."""

    id: str
    kind: str
    slug: str
    state: State = State.QUEUED
    created: float = 0.0
    started: float | None = None
    finished: float | None = None
    done: int = 0
    """Sections synthesised so far."""
    total: int | None = None
    """Sections to synthesise; None until the build knows."""
    attempt: int = 1
    error: str | None = None
    """Why the job failed or was interrupted."""
    owner: str | None = None
    """The worker process running the job (`host:pid`), which must keep beating."""
    args: dict | None = None
    """What the job needs besides the slug (a draft's path, a word…)."""

    @property
    def finished_state(self) -> bool:
        """Say whether the job has ended, one way or another."""
        return self.state in (State.READY, State.FAILED, State.INTERRUPTED)


_FIELDS = frozenset(Job.__dataclass_fields__)


def _huey(url: str, name: str, instance_path: Path, durable: bool = True):
    if url.startswith(("redis://", "rediss://", "unix://")):
        # The priority flavour: previews and clips overtake builds here too.
        return PriorityRedisHuey(name, url=url)
    if url and not url.startswith("sqlite:///"):
        raise ValueError(f"READER_QUEUE_URL must be sqlite:///PATH or redis://…, not {url!r}")
    path = Path(url.removeprefix("sqlite:///")) if url else instance_path / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    # fsync: a job accepted with 202 must survive a power cut too.
    return SqliteHuey(name, filename=str(path), fsync=durable)


class Queue:
    """Jobs, their records and the liveness of the workers that run them, over huey."""

    def __init__(self, url: str, instance_path: str | Path):
        self.huey = _huey(url, NAME, Path(instance_path))
        # Beats and the jobs being run, apart from the records: a sweep reads all of them.
        # Beats are worth nothing after a power cut: they need no fsync.
        self.live = _huey(url, NAME + "-live", Path(instance_path), durable=False)
        self.runner: Callable[[Queue, Job], dict] | None = None
        """Does a job; set by the worker (the web process only queues)."""
        self._task = self.huey.task(name="run_job")(self._execute)

    # ------------------------------------------------------------ records

    def save(self, job: Job) -> None:
        """Store a job's record."""
        self.huey.put(f"job:{job.id}", json.dumps(asdict(job)))

    def record(self, job_id: str) -> Job | None:
        """Return a job's record exactly as last saved."""
        if not isinstance(job_id, str) or not job_id.isalnum() or len(job_id) > 40:
            return None
        raw = self.huey.get(f"job:{job_id}", peek=True)
        if raw is None:
            return None
        fields = {k: v for k, v in json.loads(raw).items() if k in _FIELDS}
        # A record kept by an earlier version says "succeeded" for ready.
        state = {"succeeded": State.READY}.get(fields["state"]) or State(fields["state"])
        return Job(**{**fields, "state": state})

    def job(self, job_id: str) -> Job | None:
        """Return a job's record, a build whose worker has gone reported as interrupted."""
        job = self.record(job_id)
        if job is not None and job.state == State.BUILDING and not self.alive(job.owner):
            # Until a sweep retries it, say what is true now, whatever the record last said.
            job.state = State.INTERRUPTED
            job.error = job.error or "the worker stopped before the job finished"
        return job

    def result(self, job: Job) -> dict | None:
        """Return what a ready job made, from huey's result store."""
        if job.state != State.READY:
            return None
        return self.huey.result(job.id, preserve=True)

    def latest(self, slug: str) -> Job | None:
        """Return the latest build (or unpublish) job asked for a document."""
        job_id = self.huey.get(f"latest:{slug}", peek=True)
        return self.job(job_id) if job_id else None

    def queued(self, slug: str) -> Job | None:
        """Return the queued, not yet started build of a document, if any."""
        job_id = self.huey.get(f"pending:{slug}", peek=True)
        return self.job(job_id) if job_id else None

    def building(self, slug: str) -> Job | None:
        """Return the job building (or unpublishing) a document now, if its worker is alive."""
        job_id = self.huey.get(f"lock:{slug}", peek=True)
        job = self.job(job_id) if job_id else None
        return job if job is not None and job.state == State.BUILDING else None

    # ------------------------------------------------------------ submitting

    def submit(self, kind: str, slug: str, args: dict | None = None) -> Job:
        """Queue a job; a build of a document that already has one queued joins that one."""
        job = Job(secrets.token_hex(8), kind, slug, created=time.time(), args=args)
        self.save(job)
        if kind == BUILD and not self.huey.put_if_empty(f"pending:{slug}", job.id):
            # A build of this document is queued and not started: it will read the newest
            # source when it starts, so this request is the same build.
            self.huey.delete(f"job:{job.id}")
            existing = self.queued(slug)
            if existing is not None and existing.state == State.QUEUED:
                return existing
            return self.submit(kind, slug, args)
        if kind in (BUILD, RETIRE):
            self.huey.put(f"latest:{slug}", job.id)
        self.enqueue(job)
        return job

    def enqueue(self, job: Job) -> None:
        """Put a job's task on the queue."""
        # The task has the job's id, so that huey keeps its result under that id.
        self.huey.enqueue(self._task.s(job.id, id=job.id, priority=PRIORITY[job.kind]))

    # ------------------------------------------------------------ running (in the worker)

    def _execute(self, job_id: str) -> dict | None:
        """Run a queued job: the body of the one huey task, in a worker process."""
        job = self.record(job_id)
        if job is None or job.state != State.QUEUED:
            return None  # recovered twice, or a stale message: nothing to do
        whole_document = job.kind in (BUILD, RETIRE)
        if whole_document and not self.huey.put_if_empty(f"lock:{job.slug}", job.id):
            # Another worker builds this document: huey brings this job back shortly.
            raise RetryTask(delay=LOCKED_RETRY)
        try:
            if job.kind == BUILD:
                # From here a new request is a new build: this one may have read the source.
                self.huey.delete(f"pending:{job.slug}")
            job.state, job.started, job.error = State.BUILDING, time.time(), None
            job.owner = owner_id()
            self.save(job)
            self.live.put(f"running:{job.id}", job.owner)
            return self.runner(self, job)
        finally:
            self.live.delete(f"running:{job.id}")
            if whole_document:
                self._unlock(job)

    def _unlock(self, job: Job) -> None:
        # Only the job's own lock: a job taken over from it may hold the document by now.
        # Nobody else can take the lock while it holds this job's id, so reading first is safe.
        if self.huey.get(f"lock:{job.slug}", peek=True) == job.id:
            self.huey.delete(f"lock:{job.slug}")

    def progress(self, job: Job, done: int, total: int) -> None:
        """Note how far a building job is."""
        job.done, job.total = done, total
        self.save(job)

    def finish(self, job_id: str, state: State, error: str | None = None) -> None:
        """Record how this process's job ended (one taken over meanwhile is left as it is)."""
        job = self.record(job_id)
        if job is None or job.state != State.BUILDING or job.owner != owner_id():
            return
        job.state, job.error, job.finished = state, error, time.time()
        self.save(job)

    def retry_or_give_up(self, job: Job) -> str:
        """Deal with a job whose worker stopped: queue it once more, or mark it interrupted."""
        job.finished = time.time()
        retry = job.attempt < MAX_ATTEMPTS
        if retry and job.kind == BUILD:
            # A build of the same document queued meanwhile covers this one.
            retry = self.huey.put_if_empty(f"pending:{job.slug}", job.id)
        if not retry:
            job.state, job.error = State.INTERRUPTED, "the worker stopped before the job finished"
            self.save(job)
            return f"job {job.id} was interrupted"
        job.state, job.attempt, job.done, job.total = State.QUEUED, job.attempt + 1, 0, None
        job.error, job.owner = "interrupted once (the worker stopped); tried again", None
        self.save(job)
        self.enqueue(job)
        return f"job {job.id} was interrupted; queued again"

    # ------------------------------------------------------------ liveness

    def now(self) -> float:
        """Return the time on the queue's own clock, which every machine of a queue shares."""
        if isinstance(self.live.storage, RedisStorage):
            seconds, micro = self.live.storage.conn.time()  # one clock for every machine
            return seconds + micro / 1e6
        return time.time()

    def beat(self, owners: list[str]) -> None:
        """Say that these worker processes are alive now."""
        now = self.now()
        for owner in owners:
            self.live.put(f"beat:{owner}", now)

    def alive(self, owner: str | None) -> bool:
        """Say whether a worker process beat recently."""
        if not owner:
            return False
        last = self.live.get(f"beat:{owner}", peek=True)
        return last is not None and self.now() - last < DEAD_AFTER

    def sweep(self) -> list[str]:
        """Retry once (or mark interrupted) every job whose worker has gone; say what was done."""
        notes = []
        for key, raw in self.live.storage.result_items().items():
            kind, _, name = key.partition(":")
            value = self.live.serializer.deserialize(raw)  # a beat's time, a job's owner
            if kind == "beat" and self.now() - value > 60 * DEAD_AFTER:
                self.live.delete(key)  # a worker long gone: forget it
            if kind != "running" or self.alive(value):
                continue
            # Only one sweeper, of any machine, takes over a dead job.
            if self.live.get(key) is None:
                continue
            job = self.record(name)
            if job is None or job.state != State.BUILDING:
                continue
            self._unlock(job)
            notes.append(self.retry_or_give_up(job))
        return notes


def owner_id() -> str:
    """Return this process's name as a job's owner: its host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


_queues: dict[tuple, Queue] = {}


def queue_for(app) -> Queue:
    """Return the queue the app's config names, one per process."""
    key = (app.config["QUEUE_URL"], app.instance_path)
    if key not in _queues:
        _queues[key] = Queue(*key)
    return _queues[key]
