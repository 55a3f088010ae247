"""Run the service in production with waitress, a pure-Python multi-threaded WSGI server."""

from __future__ import annotations

import gc
import logging
import sys

import waitress
from flask import Flask

# Seconds a busy thread may hold the GIL while another waits. Shorter than Python's default,
# it measured a tighter tail (p99 and max) under load at the same throughput (docs/service.md).
SWITCH_INTERVAL = 0.001


def serve(app: Flask, host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve `app` until interrupted."""
    # waitress reports "Serving on ..." through logging; without a handler nobody sees it.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sys.setswitchinterval(SWITCH_INTERVAL)
    # What start-up made (modules, the app, its templates) lives as long as the process: freeze
    # it, so that a collection walks only what requests made. Unfrozen, a full collection
    # walked it all, and the first requests after a start (which trigger one, as reading a
    # manifest makes thousands of lists) took longer (docs/service.md).
    gc.collect()
    gc.freeze()
    waitress.serve(app, host=host, port=port, threads=app.config["THREADS"], ident="voice-reader")
