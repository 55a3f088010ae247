"""The build queue (huey): jobs persisted in SQLite or Redis, run by one worker process.

This module is safe for the web process: it imports huey and nothing of the pipeline.
The task bodies import `reader.admin.work`, which only the worker ever runs.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from huey import RedisHuey, SqliteHuey

from reader.files import LOCK_NAME
from reader.locks import FileLock, LockTimeout
from reader.manifest import document_dir

STARTING_GRACE = 5.0
"""Seconds a job may say "building" before its build holds the document's lock."""
BUILD, PREVIEW, CLIP, RETIRE = "build", "preview", "clip", "retire"
# Previews and clips are short and a person waits for them: they run before builds.
PRIORITY = {BUILD: 0, RETIRE: 0, PREVIEW: 10, CLIP: 10}
MAX_ATTEMPTS = 2
"""A job interrupted by a killed worker is tried once more."""
FINISHED = frozenset({"succeeded", "failed", "interrupted"})


@dataclass
class Job:
    """One queued piece of work and how it stands."""

    id: str
    kind: str
    slug: str
    state: str = "queued"
    """queued, building, succeeded, failed or interrupted."""
    created: float = 0.0
    started: float | None = None
    finished: float | None = None
    done: int = 0
    """Sections synthesised so far."""
    total: int | None = None
    """Sections to synthesise; None until the build knows."""
    attempt: int = 1
    error: str | None = None
    result: dict | None = None
    args: dict | None = None
    """What the job needs besides the slug (a draft's path, a word…)."""

    def to_dict(self) -> dict:
        """Return the job as plain data."""
        return dict(self.__dict__)


def _url_storage(url: str, name: str, instance_path: Path):
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url and not url.startswith("sqlite:///"):
        raise ValueError(f"READER_QUEUE_URL must be sqlite:///PATH or redis://…, not {url!r}")
    path = Path(url.removeprefix("sqlite:///")) if url else instance_path / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    # fsync: a job accepted with 202 must survive a power cut too.
    return SqliteHuey(name, filename=str(path), fsync=True, results=False)


class Queue:
    """Jobs and their records, over one huey instance."""

    def __init__(self, url: str, instance_path: str | Path, build_dir: str | Path):
        self.huey = _url_storage(url, "voice-reader", Path(instance_path))
        self.build_dir = Path(build_dir)
        self.locks_dir = Path(instance_path) / "running"
        self._task = self.huey.task(name="run_job")(_run_job)

    # ------------------------------------------------------------ records

    def save(self, job: Job) -> None:
        """Store a job's record."""
        self.huey.put(f"job:{job.id}", json.dumps(job.to_dict()))

    def record(self, job_id: str) -> Job | None:
        """Return a job's record exactly as last saved."""
        if not isinstance(job_id, str) or not job_id.isalnum() or len(job_id) > 40:
            return None
        raw = self.huey.get(f"job:{job_id}", peek=True)
        return None if raw is None else Job(**json.loads(raw))

    def job(self, job_id: str) -> Job | None:
        """Return a job's record, with a dead build reported as interrupted."""
        job = self.record(job_id)
        if job is not None and job.state == "building" and not self._alive(job):
            # The worker died with it: say so now, whatever the record last said.
            job.state = "interrupted"
            job.error = job.error or "the worker stopped before the job finished"
        return job

    def latest(self, slug: str) -> Job | None:
        """Return the latest build (or unpublish) job of a document."""
        job_id = self.huey.get(f"latest:{slug}", peek=True)
        return self.job(job_id) if job_id else None

    def _alive(self, job: Job) -> bool:
        if time.time() - (job.started or 0) < STARTING_GRACE:
            return True
        if self.job_running(job.id):
            return True
        return job.kind in (BUILD, RETIRE) and build_running(self.build_dir, job.slug)

    def job_running(self, job_id: str) -> bool:
        """Say whether some process still holds the job's lock (a worker is running it)."""
        return _held(self.job_lock_path(job_id))

    def job_lock_path(self, job_id: str) -> Path:
        """Return the lock the worker holds for as long as it runs the job."""
        return self.locks_dir / f"{job_id}.lock"

    # ------------------------------------------------------------ submitting

    def submit(self, kind: str, slug: str, args: dict | None = None) -> Job:
        """Queue a job; a build of a document that already has one queued joins that one."""
        job = Job(secrets.token_hex(8), kind, slug, created=time.time(), args=args)
        self.save(job)
        if kind == BUILD and not self.huey.put_if_empty(f"pending:{slug}", job.id):
            # A build of this document is queued and not started: it will read the newest
            # source when it starts, so this request is the same build.
            pending = self.huey.get(f"pending:{slug}", peek=True)
            existing = self.job(pending) if pending else None
            self.huey.delete(f"job:{job.id}")
            if existing is not None and existing.state == "queued":
                return existing
            return self.submit(kind, slug, args)
        if kind in (BUILD, RETIRE):
            self.huey.put(f"latest:{slug}", job.id)
        self.enqueue(job)
        return job

    def enqueue(self, job: Job) -> None:
        """Put a job's task on the queue."""
        self.huey.enqueue(self._task.s(job.id, priority=PRIORITY[job.kind]))

    def claim_pending(self, slug: str) -> None:
        """Mark the document's queued build as started: later requests queue a new one."""
        self.huey.get(f"pending:{slug}")

    def queued(self, slug: str) -> Job | None:
        """Return the queued, not yet started build of a document, if any."""
        pending = self.huey.get(f"pending:{slug}", peek=True)
        return self.job(pending) if pending else None


def build_running(build_dir: Path, slug: str) -> bool:
    """Say whether some process holds the document's build lock (a build is running)."""
    return _held(document_dir(build_dir, slug) / LOCK_NAME)


def _held(path: Path) -> bool:
    if not path.exists():
        return False
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except LockTimeout:
        return True
    lock.release()
    return False


def _run_job(job_id: str) -> None:
    """Run a queued job in the worker (the task huey stores)."""
    from reader.admin import work

    work.run(job_id)


_queues: dict[tuple, Queue] = {}


def queue_for(app) -> Queue:
    """Return the queue the app's config names, one per process."""
    key = (app.config["QUEUE_URL"], app.instance_path, str(app.config["BUILD_DIR"]))
    if key not in _queues:
        _queues[key] = Queue(*key)
    return _queues[key]
