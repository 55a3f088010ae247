"""Test the build queue and its worker: order, priority, SIGKILL mid-build, liveness by lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import waitress
from click.testing import CliRunner

from reader.admin.queue import BUILD, build_running
from reader.admin.worker import NICENESS, recover
from reader.cli import main
from reader.locks import FileLock
from reader.manifest import load_manifest, manifest_path
from tests.support.content import SMALL
from tests.support.staff import SMALL_SLUG as SLUG
from tests.support.staff import make_staff, run_worker

HTML = {"Content-Type": "text/html"}


@pytest.fixture
def staff(tmp_path, monkeypatch, content_dir):
    """Give a test an app with the API on, a token and its queue."""
    return make_staff(tmp_path, monkeypatch, content_dir)


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


def start_worker(staff) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "reader", "worker"],
        env=worker_env(staff),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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


def test_sigkill_mid_build_keeps_the_published_version_and_retries_once(staff):
    published = publish_small(staff)
    response = staff.client.put(
        f"/api/v1/documents/{SLUG}", data=long_document(), headers={**staff.auth, **HTML}
    )
    job_url = response.get_json()["job"]
    job_id = job_url.rsplit("/", 1)[1]
    worker = start_worker(staff)
    try:
        wait(lambda: (staff.queue.record(job_id).done or 0) >= 2, what="the build to start")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert manifest_path(staff.build_dir, SLUG).read_bytes() == published
    assert staff.client.get(f"/documents/{SLUG}").status_code == 200

    # The page tells the truth: building while any of the build's processes holds the lock,
    # then interrupted; never "building" once nothing runs.
    def settled():
        job = staff.client.get(job_url, headers=staff.auth).get_json()
        return job if job["state"] != "building" else None

    job = wait(settled, what="the killed build's processes to stop")
    assert job["state"] == "interrupted"
    assert not build_running(staff.build_dir, SLUG)
    state = staff.client.get(f"/api/v1/documents/{SLUG}", headers=staff.auth).get_json()
    assert state["state"] == "failed" and "stopped" in state["error"]
    assert manifest_path(staff.build_dir, SLUG).read_bytes() == published

    # The next worker marks it interrupted and tries it once more.
    assert "queued again" in recover(staff.queue)
    assert run_worker(staff.app) == 1
    job = staff.client.get(job_url, headers=staff.auth).get_json()
    assert job["state"] == "succeeded" and job["attempt"] == 2
    assert len(load_manifest(staff.build_dir, SLUG).sections) > 80


@pytest.mark.parametrize("attempt", [1, 2])
def test_an_interrupted_job_is_retried_only_once(staff, attempt):
    job = staff.queue.submit(BUILD, SLUG)
    staff.queue.huey.flush()  # as if a worker had taken it off the queue, then died
    job.state, job.started, job.attempt = "building", time.time() - 60, attempt
    staff.queue.save(job)
    staff.queue.huey.put("running", job.id)
    staff.queue.claim_pending(SLUG)
    note = recover(staff.queue)
    record = staff.queue.record(job.id)
    if attempt == 1:
        assert "queued again" in note and record.state == "queued" and record.attempt == 2
        assert staff.queue.huey.pending_count() == 1
    else:
        assert "queued again" not in note and record.state == "interrupted"
        assert staff.queue.huey.pending_count() == 0
    assert recover(staff.queue) is None


def test_liveness_comes_from_the_lock_not_the_record(staff):
    job = staff.queue.submit(BUILD, SLUG)
    record = staff.queue.record(job.id)
    record.state, record.started = "building", time.time() - 60
    staff.queue.save(record)
    url = f"/api/v1/jobs/{job.id}"
    assert staff.client.get(url, headers=staff.auth).get_json()["state"] == "interrupted"
    folder = staff.build_dir / SLUG
    folder.mkdir(parents=True)
    with FileLock(folder / ".lock"):
        # Some build holds the document (here: this test, as `reader build` would).
        assert staff.client.get(url, headers=staff.auth).get_json()["state"] == "building"
        state = staff.client.get(f"/api/v1/documents/{SLUG}", headers=staff.auth).get_json()
        assert state["state"] == "building"


def test_jobs_run_in_order_with_previews_first(staff):
    first = staff.queue.submit(BUILD, SLUG)
    second = staff.queue.submit(BUILD, "neuroendocrine-tumours")
    draft = staff.instance / "draft.html"
    draft.write_text(SMALL)
    preview = staff.queue.submit("preview", SLUG, {"draft": str(draft)})
    assert run_worker(staff.app) == 3
    started = {j.id: staff.queue.record(j.id).started for j in (first, second, preview)}
    assert started[preview.id] < started[first.id] < started[second.id]
    result = staff.queue.record(preview.id).result
    assert result["title"] == "Small page" and result["sections"][0]["sentences"]


def test_a_failing_job_fails_alone(staff):
    (staff.content_dir / "broken.html").write_text("<p>no heading</p>")
    broken = staff.queue.submit(BUILD, "broken")
    fine = staff.queue.submit(BUILD, SLUG)
    assert run_worker(staff.app) == 2
    assert staff.queue.record(broken.id).state == "failed"
    assert "h1" in staff.queue.record(broken.id).error
    assert staff.queue.record(fine.id).state == "succeeded"


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


def _children() -> list[tuple[int, str]]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                command = cmd.read().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if parent == os.getpid():
            found.append((int(entry), command))
    return found


def test_a_bad_queue_url_is_a_clear_error(staff, monkeypatch):
    for name, value in worker_env(staff).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("READER_QUEUE_URL", "ftp://queue.example")
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code != 0
    assert "READER_QUEUE_URL must be" in result.output
