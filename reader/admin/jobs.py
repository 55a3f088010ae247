"""Start `reader build` as a background job and track it in the instance folder."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from reader.errors import ReaderError
from reader.pipeline.publish import atomic_write

JOB_ID_PATTERN = r"\d{8}-\d{6}-[0-9a-f]{6}"
_JOB_ID = re.compile(JOB_ID_PATTERN)
RESULT_KEYS = frozenset({"returncode", "finished", "summary", "errors"})
KEEP_FINISHED = 50
"""How many finished jobs keep their files; older ones are deleted when a job starts."""

# The web server's own children, so each is reaped (no zombies) once it ends.
_children: dict[str, subprocess.Popen] = {}
# Checking that no job runs and starting one happen together in this process.
_start_lock = threading.Lock()


class JobConflict(ReaderError):
    """A build is already running for one of the documents asked for."""


@dataclass(frozen=True)
class Job:
    """One build started from the admin page, as recorded in the instance folder."""

    id: str
    slugs: tuple[str, ...]
    pid: int
    started: float
    log: str
    result: dict | None
    """How it ended (returncode, finished, summary, errors); None while it runs or if killed."""
    running: bool

    @property
    def state(self) -> str:
        """Say how the job stands: running, succeeded, failed or interrupted."""
        if self.running:
            return "running"
        if self.result is None:
            return "interrupted"
        return "succeeded" if self.result["returncode"] == 0 else "failed"


def jobs_dir(instance_path: str | Path) -> Path:
    """Return the folder holding the job records."""
    return Path(instance_path) / "jobs"


def _alive(job_id: str, pid: int) -> bool:
    child = _children.get(job_id)
    if child is not None:
        if child.poll() is None:
            return True
        _children.pop(job_id, None)
        return False
    # Started by an earlier server process: it is no child of ours, so ask the kernel.
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load(folder: Path, job_id: str) -> Job | None:
    """Read one job's record and decide whether it still runs."""
    if not _JOB_ID.fullmatch(job_id):
        return None
    record = _read_json(folder / f"{job_id}.json")
    if record is None:
        return None
    result = _read_json(folder / f"{job_id}.result.json")
    if not isinstance(result, dict) or not result.keys() >= RESULT_KEYS:
        result = None
    try:
        pid, slugs = int(record["pid"]), tuple(record["slugs"])
        started, log = float(record["started"]), str(record["log"])
    except (KeyError, TypeError, ValueError):
        # A record edited or damaged by hand must not take the admin page down.
        return None
    running = result is None and _alive(job_id, pid)
    if result is not None:
        _alive(job_id, pid)  # reap the finished child
    return Job(job_id, slugs, pid, started, log, result, running)


def all_jobs(folder: Path) -> list[Job]:
    """Return every recorded job, oldest first."""
    if not folder.is_dir():
        return []
    ids = sorted(p.name[:-5] for p in folder.glob("*.json") if _JOB_ID.fullmatch(p.name[:-5]))
    return [job for job in (load(folder, i) for i in ids) if job is not None]


def latest_by_slug(folder: Path) -> dict[str, Job]:
    """Return each document's most recent job."""
    latest: dict[str, Job] = {}
    for job in all_jobs(folder):
        for slug in job.slugs:
            latest[slug] = job
    return latest


def build_command(slugs: list[str], content_dir: Path, build_dir: Path, engine: str) -> list[str]:
    """Return the `reader build` command line for `slugs`."""
    return [
        sys.executable,
        "-m",
        "reader",
        "build",
        *slugs,
        "--content",
        str(content_dir),
        "--out",
        str(build_dir),
        "--engine",
        engine,
    ]


def start(folder: Path, slugs: list[str], content_dir: Path, build_dir: Path, engine: str) -> Job:
    """Start building `slugs` in a new, low-priority process; refuse if one of them is building."""
    folder.mkdir(parents=True, exist_ok=True)
    with _start_lock:
        busy = sorted(
            {s for job in all_jobs(folder) if job.running for s in job.slugs} & set(slugs)
        )
        if busy:
            raise JobConflict(f"audio is already being built for: {', '.join(busy)}")
        job_id = f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"
        log_path = folder / f"{job_id}.log"
        result_path = folder / f"{job_id}.result.json"
        command = [
            sys.executable,
            "-m",
            "reader.admin.job_runner",
            str(result_path),
            str(log_path),
            "--",
            *build_command(slugs, content_dir, build_dir, engine),
        ]
        with open(log_path, "ab") as log:
            # A session of its own: the build outlives a server restart and gets no
            # signal meant for the server's terminal.
            child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        _children[job_id] = child
        record = {
            "slugs": slugs,
            "pid": child.pid,
            "started": time.time(),
            "log": str(log_path),
        }
        atomic_write(folder / f"{job_id}.json", json.dumps(record).encode("utf-8"))
    _prune(folder)
    return load(folder, job_id)


def _prune(folder: Path) -> None:
    finished = [job for job in all_jobs(folder) if not job.running]
    for job in finished[:-KEEP_FINISHED]:
        for name in (f"{job.id}.json", f"{job.id}.result.json", f"{job.id}.log"):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
