"""Time a CMS edit end to end: PUT of the NETs page with one paragraph changed → served.

Run: python benchmarks/bench_publish.py [--runs 3] [--engine pyttsx3]
The NETs page is built once with the engine into a temporary folder; `reader serve` (with its
worker) then serves it. Each run changes one paragraph, PUTs the page through the content API and
waits until the document page shows the new text and the manifest's audio for the changed
section answers 200: the time a reader of the CMS waits before visitors hear the edit.
Target: ≤ 3 s with the real engine. The first run also waits for the service's page checker to
finish starting (it is started with `reader serve`), so the median is the figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import free_port

REPO = Path(__file__).resolve().parents[1]
READER = [sys.executable, "-m", "reader"]
NETS = "neuroendocrine-tumours"
TARGET_SECONDS = 3.0
PARAGRAPH = "<p>Cells that are similar to nerve cells make up the neuroendocrine system."


def request(url: str, method: str = "GET", data: bytes | None = None, headers=None):
    """Send a request; return (status, body) without raising for 4xx/5xx."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def served(base: str, marker: str) -> bool:
    """Say whether the page shows `marker` and the manifest's audio for it is served."""
    status, page = request(f"{base}/documents/{NETS}")
    if status != 200 or marker.encode() not in page:
        return False
    status, body = request(f"{base}/api/documents/{NETS}/manifest.json")
    if status != 200:
        return False
    manifest = json.loads(body)
    base_url = f"{base}/api/documents/{NETS}/manifest.json"
    for section in manifest["sections"]:
        if any(marker in s["text"] for s in section["sentences"]):
            audio = urllib.request.urljoin(base_url, section["audio"])
            return request(audio, headers={"Range": "bytes=0-1023"})[0] in (200, 206)
    return False


def main() -> int:
    """Build, serve, then time a few edits and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", default="pyttsx3", choices=("pyttsx3", "fake"))
    options = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    content, build, instance = root / "content", root / "build", root / "instance"
    content.mkdir()
    shutil.copy(REPO / "content" / f"{NETS}.html", content)
    for lexicon in (REPO / "content").glob("lexicon.*"):
        shutil.copy(lexicon, content)
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_CONTENT_DIR=str(content),
        READER_BUILD_DIR=str(build),
        READER_INSTANCE_PATH=str(instance),
        READER_ENGINE=options.engine,
    )
    print(f"building {NETS} with {options.engine} (once, not timed)…", flush=True)
    subprocess.run([*READER, "build", "--engine", options.engine], env=env, check=True)
    token = subprocess.run(
        [*READER, "token", "create", "bench"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*READER, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not (_up(port) and request(f"{base}/healthz")[0] == 200):
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        original = (content / f"{NETS}.html").read_text("utf-8")
        assert PARAGRAPH in original, "the NETs page changed: pick another paragraph"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/html"}
        times = []
        for run in range(options.runs):
            marker = f"This is edit number {run + 1} of the benchmark."
            html = original.replace(PARAGRAPH, f"<p>{marker} " + PARAGRAPH[3:], 1)
            started = time.perf_counter()
            status, body = request(f"{base}/api/v1/documents/{NETS}", "PUT", html.encode(), headers)
            assert status == 202, (status, body)
            accepted = time.perf_counter() - started
            while not served(base, marker):
                assert time.perf_counter() - started < 120, "the edit was never served"
                time.sleep(0.02)
            seconds = time.perf_counter() - started
            job_url = base + json.loads(body)["job"]
            job = json.loads(request(job_url, headers=headers)[1])
            while job["state"] in ("queued", "building"):  # the check findings, after publishing
                time.sleep(0.05)
                job = json.loads(request(job_url, headers=headers)[1])
            times.append(seconds)
            if job["state"] != "succeeded":
                print(json.dumps(job, indent=1))
            print(
                f"run {run + 1}: served after {seconds:.2f} s (PUT answered in {accepted:.2f} s; "
                f"{job['result']['built']} section built, {job['result']['reused']} reused)"
            )
        median = statistics.median(times)
        verdict = "ok" if median <= TARGET_SECONDS else "over"
        print(
            f"PUT → new text and audio served, {options.engine}: median {median:.2f} s, "
            f"max {max(times):.2f} s over {len(times)} runs (target ≤ {TARGET_SECONDS:g} s: "
            f"{verdict})"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
    return 0


def _up(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    sys.exit(main())
