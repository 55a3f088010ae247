"""Measure build throughput on a Redis queue with 1 and then 2 workers sharing one build folder.

Run: python benchmarks/bench_workers.py [--documents 8] [--engine fake|pyttsx3] [--workers 1,2]
Starts its own `redis-server` on a free port (Debian package `redis-server`), copies the NETs
page under N slugs (each with its own title, so each is a full build), starts the workers as
`reader worker` processes, each with its own instance folder, waits until every one of them
beats, then queues the N builds at once and times until the last is ready. Each worker count
starts afresh: an empty Redis and an empty build folder. On one machine the workers share its
CPUs, so the figure says how well they share the queue, not what N machines would do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import free_port, need_command, needs

try:
    import redis
except ModuleNotFoundError:
    needs("the Python module redis", 'pip install -e ".[redis]"')

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reader.admin.queue import BUILD, Queue, State  # noqa: E402

NETS = "neuroendocrine-tumours"


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    """Start a redis-server that keeps nothing on disk; return it and its URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            return server, url
        except redis.ConnectionError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def run(count: int, documents: int, engine: str, url: str, root: Path) -> float:
    """Build `documents` pages with `count` workers; return the seconds it took."""
    redis.Redis.from_url(url).flushall()
    content, build = root / "content", root / f"build-{count}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_CONTENT_DIR=str(content),
        READER_BUILD_DIR=str(build),
        READER_QUEUE_URL=url,
        READER_ENGINE=engine,
        PYTHONPATH=str(REPO),
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "reader", "worker"],
            env={**env, "READER_INSTANCE_PATH": str(root / f"instance-{count}-{n}")},
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for n in range(count)
    ]
    queue = Queue(url, root / "instance-bench")
    try:
        deadline = time.monotonic() + 60
        while len(queue.live.storage.result_items()) < count:  # one beat per worker process
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start")
            time.sleep(0.1)
        started = time.monotonic()
        jobs = [queue.submit(BUILD, f"page-{n}") for n in range(documents)]
        while not all(queue.record(job.id).finished_state for job in jobs):
            time.sleep(0.05)
        took = time.monotonic() - started
        failed = [job.id for job in jobs if queue.record(job.id).state != State.READY]
        if failed:
            raise SystemExit(f"{len(failed)} builds failed")
        return took
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)


def main() -> None:
    """Print documents built per second with each number of workers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=8)
    parser.add_argument("--engine", default="fake", choices=["fake", "pyttsx3"])
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    need_command("redis-server", "apt-get install redis-server")
    counts = [int(n) for n in args.workers.split(",")]
    root = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    try:
        content = root / "content"
        shutil.copytree(REPO / "content", content)
        page = (content / f"{NETS}.html").read_text(encoding="utf-8")
        for n in range(args.documents):
            text = page.replace("Neuroendocrine tumours", f"Neuroendocrine tumours {n}", 1)
            (content / f"page-{n}.html").write_text(text, encoding="utf-8")
        server, url = start_redis(root)
        try:
            print(f"{args.documents} copies of the NETs page, engine {args.engine}, one machine")
            print(f"load average before: {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
            print(f"{'workers':>8} {'seconds':>8} {'documents/s':>12}")
            for count in counts:
                took = run(count, args.documents, args.engine, url, root)
                print(f"{count:>8} {took:>8.1f} {args.documents / took:>12.2f}")
        finally:
            server.terminate()
            server.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
