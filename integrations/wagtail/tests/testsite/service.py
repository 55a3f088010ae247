"""A real `reader serve` on a free port, with its own folders and an API token."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

START_SECONDS = 60


@dataclass(frozen=True)
class Service:
    """A running voice-reader: its address, a content API token, and its folders."""

    url: str
    token: str
    env: dict
    content_dir: Path
    secret: str = ""
    """The token's callback signing secret, which `reader token create` prints beside it."""

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET a path on the service with the token, not following redirects."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.get(self.url + path, headers=headers, allow_redirects=False, timeout=10)

    def reader(self, *args: str) -> str:
        """Run a `reader` command against this service's folders; return what it printed."""
        command = [sys.executable, "-m", "reader", *args]
        ran = subprocess.run(command, env=self.env, capture_output=True, text=True, check=True)
        return ran.stdout


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def reader_serve(folder: Path, engine: str = "fake") -> Iterator[Service]:
    """Run `reader serve` (with its build worker) over empty folders in `folder`."""
    content, build = folder / "content", folder / "build"
    for made in (content, build):
        made.mkdir(parents=True, exist_ok=True)
    # A developer's own READER_* settings must not change what the tests see.
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_CONTENT_DIR=str(content),
        READER_BUILD_DIR=str(build),
        READER_INSTANCE_PATH=str(folder / "instance"),
        READER_ENGINE=engine,
        # The test site's callback receiver listens here, on a live server of its own.
        READER_CALLBACK_HOSTS="127.0.0.1",
    )
    made = subprocess.run(
        [sys.executable, "-m", "reader", "token", "create", "wagtail"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    port = free_port()
    secret = made.stderr.rpartition("Callback signing secret:")[2].strip()
    service = Service(f"http://127.0.0.1:{port}", made.stdout.strip(), env, content, secret)
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if service.get("/healthz").status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, (folder / "serve.log").read_text()
            assert time.monotonic() < deadline, "reader serve did not start"
            time.sleep(0.05)
        yield service
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
