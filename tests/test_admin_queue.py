"""Test the build queue and its worker: order, priority, kills mid-build, liveness by beats."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import waitress
from click.testing import CliRunner

from reader.admin.queue import BUILD, DEAD_AFTER, State
from reader.admin.supervisor import NICENESS
from reader.cli import main
from reader.manifest import load_manifest, manifest_path
from tests.support.content import SMALL
from tests.support.staff import SMALL_SLUG as SLUG
from tests.support.staff import run_worker

HTML = {"Content-Type": "text/html"}


def long_document(parts: int = 80) -> bytes:
    """Return the small page with many more sections, so that a build takes a few seconds."""
    extra = "".join(
        f"<h2>Part {n}</h2><p>Sentence number {n} is here. It has a second sentence too.</p>"
        for n in range(parts)
    )
    return SMALL.replace("</main>", extra + "</main>").encode()


def worker_env(staff) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_INSTANCE_PATH=str(staff.instance),
        READER_CONTENT_DIR=str(staff.content_dir),
        READER_BUILD_DIR=str(staff.build_dir),
        READER_ENGINE="fake",
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    return env


def wait(predicate, timeout: float = 60.0, what: str = "it"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout} s"
        time.sleep(0.02)
    return value


def publish_small(staff) -> bytes:
    body = SMALL.replace("An introduction.", "An introduction, edited.").encode()
    assert staff.client.put(f"/api/v1/documents/{SLUG}", data=body, headers={**staff.auth, **HTML})
    assert run_worker(staff.app) == 1
    return manifest_path(staff.build_dir, SLUG).read_bytes()


def start_worker(staff, settings: dict | None = None, **options) -> subprocess.Popen:
    """Start `reader worker` over the staff's folders, with these READER_* settings besides."""
    # Its own session: a kill of the group is the machine going away, worker processes and all.
    return subprocess.Popen(
        [sys.executable, "-m", "reader", "worker"],
        env={**worker_env(staff), **(settings or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        **options,
    )


def put_long(staff) -> str:
    response = staff.client.put(
        f"/api/v1/documents/{SLUG}", data=long_document(), headers={**staff.auth, **HTML}
    )
    return response.get_json()["job"]


def job_state(staff, job_url: str) -> dict:
    return staff.client.get(job_url, headers=staff.auth).get_json()


def test_sigkill_mid_build_keeps_the_published_version_and_the_next_worker_retries(staff):
    published = publish_small(staff)
    job_url = put_long(staff)
    worker = start_worker(staff)
    try:
        wait(lambda: job_state(staff, job_url)["progress"]["done"] >= 2, what="the build")
        processes = _descendants(worker.pid)
        assert len(processes) >= 3, "a consumer, its worker process and synthesis processes"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        # The worker process, and the synthesis processes it started, go with the consumer.
        wait(lambda: not any(_running(p) for p in processes), what="its processes to end")
    finally:
        for pid in _descendants(worker.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert manifest_path(staff.build_dir, SLUG).read_bytes() == published
    assert staff.client.get(f"/documents/{SLUG}").status_code == 200

    # The page tells the truth: building while its worker beats, interrupted once it stops.
    job = wait(
        lambda: (j := job_state(staff, job_url))["state"] != "building" and j,
        timeout=DEAD_AFTER + 10,
        what="the killed worker's beats to stop counting",
    )
    assert job["state"] == "interrupted"
    state = staff.client.get(f"/api/v1/documents/{SLUG}", headers=staff.auth).get_json()
    assert state["state"] == "failed" and "stopped" in state["error"]
    assert manifest_path(staff.build_dir, SLUG).read_bytes() == published

    # The next worker to sweep takes the job over and tries it once more.
    assert "queued again" in staff.queue.sweep()[0]
    assert run_worker(staff.app) == 1
    job = job_state(staff, job_url)
    assert job["state"] == "ready" and job["attempt"] == 2
    assert len(load_manifest(staff.build_dir, SLUG).sections) > 80


def test_sigterm_mid_build_interrupts_the_job_and_queues_it_once_more(staff):
    job_url = put_long(staff)
    worker = start_worker(staff)
    try:
        wait(lambda: job_state(staff, job_url)["progress"]["done"] >= 2, what="the build")
        worker.terminate()
        assert worker.wait(timeout=30) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
    # huey's interrupted signal: the job is queued again at once, no sweep needed.
    job = job_state(staff, job_url)
    assert job["state"] == "queued" and job["attempt"] == 2, job
    assert run_worker(staff.app) == 1
    assert job_state(staff, job_url)["state"] == "ready"


def gone_building(staff, attempt: int, owner: str = "gone-host:1"):
    """Leave a build as a worker killed mid-job leaves it."""
    job = staff.queue.submit(BUILD, SLUG)
    staff.queue.huey.storage.flush_queue()  # a worker took it off the queue, then died
    job.state, job.started, job.attempt, job.owner = State.BUILDING, time.time(), attempt, owner
    staff.queue.save(job)
    staff.queue.huey.delete(f"pending:{SLUG}")
    staff.queue.huey.put_if_empty(f"lock:{SLUG}", job.id)
    staff.queue.live.put(f"running:{job.id}", owner)
    return job


@pytest.mark.parametrize("attempt", [1, 2])
def test_an_interrupted_job_is_retried_only_once(staff, attempt):
    job = gone_building(staff, attempt)
    (note,) = staff.queue.sweep()
    record = staff.queue.record(job.id)
    if attempt == 1:
        assert "queued again" in note and record.state == "queued" and record.attempt == 2
        assert staff.queue.huey.pending_count() == 1
    else:
        assert "queued again" not in note and record.state == "interrupted"
        assert staff.queue.huey.pending_count() == 0
    assert staff.queue.sweep() == []


def test_liveness_comes_from_the_workers_beats(staff):
    job = gone_building(staff, 1, owner="this-host:42")
    url = f"/api/v1/jobs/{job.id}"
    staff.queue.beat(["this-host:42"])
    assert staff.client.get(url, headers=staff.auth).get_json()["state"] == "building"
    state = staff.client.get(f"/api/v1/documents/{SLUG}", headers=staff.auth).get_json()
    assert state["state"] == "building"
    assert staff.queue.sweep() == []  # alive: nobody takes its job
    staff.queue.live.put("beat:this-host:42", staff.queue.now() - DEAD_AFTER - 1)
    assert staff.client.get(url, headers=staff.auth).get_json()["state"] == "interrupted"


def test_only_the_process_running_a_job_records_its_end(staff):
    # A stale message, or a worker whose job was taken over, must not end someone else's job.
    job = gone_building(staff, 1, owner="other-host:7")
    staff.queue.finish(job.id, State.READY)
    assert staff.queue.record(job.id).state == State.BUILDING
    staff.queue.enqueue(job)  # the same job once more, while the other worker builds it
    assert run_worker(staff.app) == 1
    assert staff.queue.record(job.id).state == State.BUILDING


def test_jobs_run_in_order_with_previews_first(staff):
    first = staff.queue.submit(BUILD, SLUG)
    second = staff.queue.submit(BUILD, "neuroendocrine-tumours")
    draft = staff.instance / "draft.html"
    draft.write_text(SMALL)
    preview = staff.queue.submit("preview", SLUG, {"draft": str(draft)})
    assert run_worker(staff.app) == 3
    started = {j.id: staff.queue.record(j.id).started for j in (first, second, preview)}
    assert started[preview.id] < started[first.id] < started[second.id]
    result = staff.queue.result(staff.queue.record(preview.id))
    assert result["title"] == "Small page" and result["sections"][0]["sentences"]


def test_a_failing_job_fails_alone(staff):
    (staff.content_dir / "broken.html").write_text("<p>no heading</p>")
    broken = staff.queue.submit(BUILD, "broken")
    fine = staff.queue.submit(BUILD, SLUG)
    assert run_worker(staff.app) == 2
    assert staff.queue.record(broken.id).state == "failed"
    assert "h1" in staff.queue.record(broken.id).error
    assert staff.queue.record(fine.id).state == "ready"


def test_the_worker_runs_niced_and_stops_with_sigterm(staff):
    worker = start_worker(staff)
    try:
        time.sleep(0.5)
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        wait(lambda: os.getpriority(os.PRIO_PROCESS, worker.pid) == min(19, mine + NICENESS))
        staff.queue.submit(BUILD, SLUG)
        wait(lambda: load_manifest(staff.build_dir, SLUG), what="the worker to build")
    finally:
        worker.terminate()
        assert worker.wait(timeout=30) == 0


def test_the_worker_runs_beside_the_server_and_stops_with_it(staff, monkeypatch):
    seen = []

    def fake_serve(app, **options):
        seen.append([p for p in _children() if "reader worker" in p[1]])

    monkeypatch.setattr(waitress, "serve", fake_serve)
    monkeypatch.setattr(sys, "setswitchinterval", lambda seconds: None)
    for name, value in worker_env(staff).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    ((pid, command),) = seen[0]
    assert f"--parent {os.getpid()}" in command
    assert all(child != pid for child, _ in _children())  # stopped with the server
    result = CliRunner().invoke(main, ["serve", "--no-worker"])
    assert result.exit_code == 0
    assert seen[1] == []


def test_serve_starts_a_killed_worker_again_and_its_processes_go_with_it(staff, monkeypatch):
    outcome = {}

    def fake_serve(app, **options):
        ((first, _),) = wait(lambda: _workers(), what="the worker to start")
        # Its scheduler and its worker process, which beats once it is ready.
        host = socket.gethostname()
        processes = wait(
            lambda: (
                (found := _children(first))
                and any(staff.queue.alive(f"{host}:{pid}") for pid, _ in found)
                and found
            ),
            what="the worker process to beat",
        )
        os.kill(first, signal.SIGKILL)
        # A consumer killed outright takes its worker processes with it...
        wait(lambda: not any(_running(pid) for pid, _ in processes), what="its processes to end")
        # ...and `reader serve` starts another, which builds what is asked afterwards.
        ((second, _),) = wait(lambda: [w for w in _workers() if w[0] != first], what="a restart")
        staff.queue.submit(BUILD, SLUG)
        outcome["built"] = wait(lambda: load_manifest(staff.build_dir, SLUG), what="the build")
        outcome["pids"] = first, second

    monkeypatch.setattr(waitress, "serve", fake_serve)
    monkeypatch.setattr(sys, "setswitchinterval", lambda seconds: None)
    for name, value in worker_env(staff).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert outcome["built"] and outcome["pids"][0] != outcome["pids"][1]
    assert not _workers()


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _descendants(root: int) -> list[int]:
    found, parents = [], {root}
    while True:
        more = [p for parent in parents for p, _ in _children(parent) if p not in found]
        if not more:
            return found
        found += more
        parents = set(more)


def _workers() -> list[tuple[int, str]]:
    return [p for p in _children() if "reader worker" in p[1]]


def _children(parent: int | None = None) -> list[tuple[int, str]]:
    parent = parent or os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                command = cmd.read().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if ppid == parent:
            found.append((int(entry), command))
    return found


def test_a_bad_queue_url_is_a_clear_error(staff, monkeypatch):
    for name, value in worker_env(staff).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("READER_QUEUE_URL", "ftp://queue.example")
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code != 0
    assert "READER_QUEUE_URL must be" in result.output
