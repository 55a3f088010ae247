"""Time how soon a CMS is told: PUT an edit with a callback_url, wait for the signed POST.

Run: .venv/bin/python benchmarks/bench_callback.py [--rounds 7]

It copies content/, builds it with `reader build` (the real engine), makes an API token and
starts `reader serve` with READER_CALLBACK_HOSTS=127.0.0.1, beside a local HTTP receiver.
Each round PUTs NETs with one sentence changed and a callback_url, and measures the seconds
until the receiver has the "built" POST (its signature checked), and until the served page
shows the sentence (polled every 20 ms), so the two can be compared.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from bench_staff_edit import SLUG, healthy, reader, request, swapped
from common import free_port

REPO = Path(__file__).resolve().parents[1]
POLL_SECONDS = 0.02


def receiver() -> tuple[ThreadingHTTPServer, queue.Queue]:
    """Start a local server that puts each POST's (time, headers, body) on a queue."""
    arrived: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            arrived.put((time.perf_counter(), dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, arrived


def one_edit(port, token, secret, hook, arrived, served: Path) -> tuple[float, float]:
    """PUT one edit; return the seconds until the page shows it and until the callback."""
    html, sentence = swapped(served.read_text("utf-8"))
    path = f"/api/v1/documents/{SLUG}?callback_url={quote(hook, safe='')}"
    started = time.perf_counter()
    status, body = request(port, "PUT", path, token, html.encode("utf-8"))
    assert status == 202, (status, body)
    page_at = None
    while page_at is None:
        status, page = request(port, "GET", f"/documents/{SLUG}", token)
        if status == 200 and sentence in page.decode("utf-8"):
            page_at = time.perf_counter() - started
        else:
            time.sleep(POLL_SECONDS)
    at, headers, body = arrived.get(timeout=120)
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["X-Voice-Reader-Signature"])
    assert json.loads(body)["event"] == "built", body
    return page_at, at - started


def main() -> None:
    """Print the medians of "page shows the edit" and "CMS told" after a PUT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    server, arrived = receiver()
    hook = f"http://127.0.0.1:{server.server_address[1]}/voice-reader"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "content", root / "content")
        reader("build", "--content", str(root / "content"), "--out", str(root / "build"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
        env.update(
            READER_CONTENT_DIR=str(root / "content"),
            READER_BUILD_DIR=str(root / "build"),
            READER_INSTANCE_PATH=str(root / "instance"),
            READER_CALLBACK_HOSTS="127.0.0.1",
        )
        made = subprocess.run(
            [sys.executable, "-m", "reader", "token", "create", "bench"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        token = made.stdout.strip()
        secret = made.stderr.rsplit("Callback signing secret: ", 1)[1].strip()
        port = free_port()
        service = subprocess.Popen(
            [sys.executable, "-m", "reader", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not healthy(port, token):
                assert time.monotonic() < deadline, "reader serve did not start"
                time.sleep(0.05)
            served = root / "content" / f"{SLUG}.html"
            runs = [
                one_edit(port, token, secret, hook, arrived, served) for _ in range(args.rounds)
            ]
        finally:
            service.terminate()
            service.wait(timeout=30)
            server.shutdown()
    pages, told = [r[0] for r in runs], [r[1] for r in runs]
    print(
        f"page shows the edit  median {statistics.median(pages):.3f} s, fastest {min(pages):.3f} s"
    )
    print(f"CMS told (callback)  median {statistics.median(told):.3f} s, fastest {min(told):.3f} s")
    print(f"{args.rounds} rounds; load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
