"""Test builds on several machines: two workers, one Redis, one shared build folder."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reader.admin.queue import DEAD_AFTER, State, queue_for
from reader.manifest import document_dir
from tests.support.content import SMALL, copy_content
from tests.support.staff import staff_app

HTML = {"Content-Type": "text/html"}
DOCUMENTS = 10


@pytest.fixture
def farm(tmp_path, monkeypatch, redis_url):
    """Give a test the service's app over Redis, and a way to start workers on other "machines"."""
    for name in [n for n in os.environ if n.startswith("READER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "web"))
    content, build = copy_content(tmp_path / "content"), tmp_path / "build"
    app = staff_app(tmp_path, content, build, QUEUE_URL=redis_url)
    token = app.extensions["reader.admin.tokens"].create("cms")
    workers: list[subprocess.Popen] = []

    def start_worker(name: str) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
        env.update(
            READER_INSTANCE_PATH=str(tmp_path / name),  # each machine its own instance folder
            READER_CONTENT_DIR=str(content),
            READER_BUILD_DIR=str(build),  # one shared build folder
            READER_QUEUE_URL=redis_url,
            READER_ENGINE="fake",
            PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
        )
        # Its own session: killing the group is the machine going away, all its processes.
        worker = subprocess.Popen(
            [sys.executable, "-m", "reader", "worker"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        workers.append(worker)
        return worker

    yield type(
        "Farm",
        (),
        {
            "app": app,
            "client": app.test_client(),
            "auth": {"Authorization": f"Bearer {token}"},
            "queue": queue_for(app),
            "content": content,
            "build": build,
            "start_worker": staticmethod(start_worker),
        },
    )
    for worker in workers:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def page(title: str, parts: int) -> bytes:
    """Return a page with its own title and `parts` more sections."""
    extra = "".join(
        f"<h2>Part {n}</h2><p>Sentence number {n} of {title} is here. It has a second one.</p>"
        for n in range(parts)
    )
    return SMALL.replace("Small page", title).replace("</main>", extra + "</main>").encode()


def put(farm, slug: str, body: bytes) -> str:
    response = farm.client.put(
        f"/api/v1/documents/{slug}", data=body, headers={**farm.auth, **HTML}
    )
    assert response.status_code == 202, response.get_json()
    return response.get_json()["job"].rsplit("/", 1)[1]


def wait(predicate, timeout: float = 120.0, what: str = "it"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout} s"
        time.sleep(0.05)
    return value


class Watcher(threading.Thread):
    """Ask for every document's manifest while builds run; note any that is half-built."""

    def __init__(self, farm, slugs: list[str]):
        super().__init__(daemon=True)
        self.client, self.build, self.slugs = farm.app.test_client(), farm.build, slugs
        self.stop, self.served, self.broken = threading.Event(), 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            for slug in self.slugs:
                response = self.client.get(f"/api/documents/{slug}/manifest.json")
                if response.status_code != 200:
                    continue  # not published yet (or text only): nothing is served
                self.served += 1
                manifest = json.loads(response.get_data())
                for section in manifest["sections"]:
                    if not (document_dir(self.build, slug) / section["audio"]).is_file():
                        self.broken.append((slug, section["audio"]))


def owners_machine(owner: str, workers: list[subprocess.Popen]) -> subprocess.Popen:
    """Return the worker (consumer) whose worker process is `owner` (host:pid)."""
    pid = int(owner.rsplit(":", 1)[1])
    with open(f"/proc/{pid}/stat") as stat:
        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
    (found,) = [w for w in workers if w.pid == parent]
    return found


def test_two_workers_share_ten_documents_each_built_once(farm, capsys):
    workers = [farm.start_worker("machine-a"), farm.start_worker("machine-b")]
    slugs = [f"page-{n}" for n in range(DOCUMENTS)]
    watcher = Watcher(farm, slugs)
    watcher.start()
    started = time.monotonic()
    # page-0 is longer, so that it is still being built when it is edited.
    jobs = [put(farm, slug, page(f"Page {n}", 12 + 48 * (n == 0))) for n, slug in enumerate(slugs)]
    # A second edit of one page once its build has started (on a fast machine it may have
    # finished already): a new build, after the first, never beside it.
    wait(lambda: farm.queue.record(jobs[0]).state != "queued", what="page-0's build to start")
    again = put(farm, "page-0", page("Page 0, edited", 12))
    every = [*jobs, again]
    records = wait(
        lambda: (
            all(farm.queue.record(j).finished_state for j in every)
            and [farm.queue.record(j) for j in every]
        ),
        what="every build",
    )
    took = time.monotonic() - started
    watcher.stop.set()
    watcher.join()
    assert all(w.poll() is None for w in workers)
    assert [r.state for r in records] == ["ready"] * (DOCUMENTS + 1)
    assert all(r.attempt == 1 for r in records)  # each built once: nothing was tried again
    hosts = {owners_machine(r.owner, workers).pid for r in records}
    assert hosts == {w.pid for w in workers}, "both workers took part"
    first, second = records[0], records[-1]
    assert first.finished <= second.started, "one document is built by one worker at a time"
    for slug in slugs:
        state = farm.client.get(f"/api/v1/documents/{slug}", headers=farm.auth).get_json()
        assert state["state"] == "ready" and state["published"]["current"], state
    assert watcher.served > 0 and watcher.broken == []
    with capsys.disabled():
        print(f"\n{DOCUMENTS} documents (+1 edit) built by 2 workers in {took:.1f} s")


def test_a_worker_killed_mid_build_has_its_job_finished_by_the_other(farm, capsys):
    workers = [farm.start_worker("machine-a"), farm.start_worker("machine-b")]
    first = put(farm, "long", page("Long page", 1))
    wait(lambda: farm.queue.record(first).state == "ready", what="the first version")
    published = (document_dir(farm.build, "long") / "manifest.json").read_bytes()
    job_id = put(farm, "long", page("Long page", 200))
    watcher = Watcher(farm, ["long"])
    watcher.start()
    job = wait(
        lambda: (j := farm.queue.record(job_id)).done >= 5 and j, what="the build to be under way"
    )
    victim = owners_machine(job.owner, workers)
    survivor = next(w for w in workers if w is not victim)
    os.killpg(victim.pid, signal.SIGKILL)  # the whole machine, synthesis processes and all
    killed = time.monotonic()
    victim.wait(timeout=10)
    # Until the survivor publishes, visitors keep the version published before.
    assert (document_dir(farm.build, "long") / "manifest.json").read_bytes() == published
    wait(
        lambda: farm.queue.record(job_id).attempt == 2,
        timeout=DEAD_AFTER + 30,
        what="the surviving worker to take the job over",
    )
    taken = time.monotonic() - killed
    record = wait(
        lambda: (r := farm.queue.record(job_id)).state in ("ready", "failed", "interrupted") and r,
        timeout=120,
        what="the surviving worker to finish the job",
    )
    took = time.monotonic() - killed
    watcher.stop.set()
    watcher.join()
    assert record.state == "ready" and record.attempt == 2, record
    assert owners_machine(record.owner, workers) is survivor
    assert survivor.poll() is None
    manifest = json.loads(farm.client.get("/api/documents/long/manifest.json").get_data())
    assert len(manifest["sections"]) > 200
    assert watcher.broken == []
    with capsys.disabled():
        print(f"\nthe survivor took the killed worker's job over {taken:.1f} s after the kill")
        print(f"and finished it (201 sections, fake engine) {took:.1f} s after the kill")


def test_a_document_lock_of_a_dead_worker_is_taken_back(farm):
    # A worker that died holding a document leaves its lock in Redis: the sweep frees it.
    job = farm.queue.submit("build", "neuroendocrine-tumours")
    farm.queue.huey.storage.flush_queue()
    record = farm.queue.record(job.id)
    record.state, record.owner = State.BUILDING, "gone-machine:1"
    farm.queue.save(record)
    farm.queue.huey.delete("pending:neuroendocrine-tumours")
    farm.queue.huey.put_if_empty("lock:neuroendocrine-tumours", job.id)
    farm.queue.live.put(f"running:{job.id}", "gone-machine:1")
    farm.start_worker("machine-a")
    done = wait(lambda: (r := farm.queue.record(job.id)).state == "ready" and r, what="the retry")
    assert done.attempt == 2
    assert Path(document_dir(farm.build, "neuroendocrine-tumours"), "manifest.json").is_file()
