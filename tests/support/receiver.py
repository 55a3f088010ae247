"""A real HTTP server on 127.0.0.1 that records the callbacks it receives, for tests."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        """Return the body as JSON."""
        return json.loads(self.body)


class Receiver:
    """Record every POST; answer each with the next of `answers` (200 when they run out)."""

    def __init__(self, answers: list[int] | None = None):
        self.answers = list(answers or [])
        self.received: queue.Queue[Received] = queue.Queue()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                owner.received.put(Received(self.path, dict(self.headers), body))
                code = owner.answers.pop(0) if owner.answers else 200
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", "/redirected")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass  # keep the test output clean

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return the receiver's base address."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def next(self, timeout: float = 10.0) -> Received:
        """Return the next request received, waiting for it."""
        return self.received.get(timeout=timeout)

    def nothing_more(self, wait: float = 0.3) -> bool:
        """Say whether no other request arrives within `wait` seconds."""
        try:
            self.received.get(timeout=wait)
        except queue.Empty:
            return True
        return False

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
