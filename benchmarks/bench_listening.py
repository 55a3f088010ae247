"""Measure what a listening beacon costs, beside GET /healthz, and beacons from many threads.

Run: .venv/bin/python benchmarks/bench_listening.py [--rounds 2000] [--threads 8]

Prints, in one process with the Flask test client (no network), the median microseconds of a
beacon (JSON checked, the document and section looked up, one count written in SQLite) and of
`GET /healthz`, taking turns, and their ratio; then beacons posted by `--threads` threads at once,
per second, and whether every one was counted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from reader import create_app
from reader.listening_store import today

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()

    # Here, once REPO is on sys.path: the tests' helpers are not an installed package.
    from tests.support.web import NETS, make_site

    root = Path(tempfile.mkdtemp(prefix="bench-listening-"))
    content_dir, build_dir = make_site(root)
    os.environ["READER_INSTANCE_PATH"] = str(root / "instance")
    app = create_app({"CONTENT_DIR": content_dir, "BUILD_DIR": build_dir})
    client = app.test_client()
    url = f"/api/documents/{NETS}/listening"
    section = client.get(f"/api/documents/{NETS}/manifest.json").get_json()["sections"][0]["id"]
    body = json.dumps({"section": section, "event": "play"})
    headers = {"Content-Type": "text/plain;charset=UTF-8"}

    def beacon():
        assert client.post(url, data=body, headers=headers).status_code == 204

    def health():
        assert client.get("/healthz").status_code == 200

    times: dict[str, list[float]] = {"beacon": [], "healthz": []}
    for _ in range(options.rounds):
        for name, call in (("beacon", beacon), ("healthz", health)):
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) * 1e6 for name, values in times.items()}
    print(f"beacon      {medians['beacon']:7.0f} µs (median of {options.rounds})")
    print(f"GET /healthz {medians['healthz']:6.0f} µs")
    print(f"ratio        {medians['beacon'] / medians['healthz']:6.2f}")

    each = options.rounds // options.threads

    def post_many():
        own = app.test_client()
        for _ in range(each):
            assert own.post(url, data=body, headers=headers).status_code == 204

    threads = [threading.Thread(target=post_many) for _ in range(options.threads)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    (row,) = app.extensions["reader.listening"].counts(today())
    expected = options.rounds + each * options.threads
    print(f"{options.threads} threads: {each * options.threads / elapsed:.0f} beacons/s")
    print(f"counted {row.count} of {expected}: {'all' if row.count == expected else 'LOST'}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
