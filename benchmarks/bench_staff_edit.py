"""Time a staff edit the way a CMS makes one: PUT the page to the API and wait for its job.

Run: .venv/bin/python benchmarks/bench_staff_edit.py [--rounds 9]

It copies content/ twice, builds both copies with `reader build` (the real engine), makes an
API token, and starts `reader serve` on the first copy: its build worker stays running
between jobs, as it does in a deployment. Each round, one after the other and in alternating
order, so that a busy machine slows every figure alike:
- "staff edit": PUT NETs with one sentence changed, then poll every 20 ms: "page" is when
  the served page first shows the new sentence, "job" when the job has also finished (after
  publishing, it checks the document for the dashboard's findings);
- "command-line edit": the same change to the second copy, then `reader build`;
- "full build": `reader build --force` of the second copy.
Prints the medians, and each edit as a share of the full build. No target is set here: the
issue's edit target is for the command, a process that starts cold.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import free_port

REPO = Path(__file__).resolve().parents[1]
SLUG = "neuroendocrine-tumours"
EDIT = ("for at least 6 hours before the scan", "for at least 8 hours before the scan")
POLL_SECONDS = 0.02
"""How often the page and the job are asked for: each answer costs the service a little CPU."""


def reader(*args: str, env: dict | None = None) -> str:
    """Run a `reader` command to its end and return what it printed."""
    command = [sys.executable, "-m", "reader", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def timed_build(content: Path, out: Path, *extra: str) -> float:
    """Run `reader build` as a user does; return its whole wall time in seconds."""
    started = time.perf_counter()
    reader("build", "--content", str(content), "--out", str(out), *extra)
    return time.perf_counter() - started


def request(port: int, method: str, path: str, token: str, body: bytes | None = None):
    """Send one request on a new connection; return the status and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "text/html"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def staff_edit(port: int, token: str, html: bytes, expected: str) -> tuple[float, float]:
    """PUT `html`; return the seconds until its page shows `expected`, and until its job ends.

    The page is published first; the job then also checks the document for the dashboard.
    """
    started = time.perf_counter()
    status, body = request(port, "PUT", f"/api/v1/documents/{SLUG}", token, html)
    assert status == 202, (status, body)
    job, published = json.loads(body)["job"], None
    while True:
        if published is None:
            status, page = request(port, "GET", f"/documents/{SLUG}", token)
            if status == 200 and expected in page.decode("utf-8"):
                published = time.perf_counter() - started
        status, body = request(port, "GET", job, token)
        state = json.loads(body)["state"]
        if state == "ready" and published is not None:
            return published, time.perf_counter() - started
        assert state in ("queued", "building", "ready"), body
        time.sleep(POLL_SECONDS)


def healthy(port: int, token: str) -> bool:
    """Return whether the service answers its health check yet."""
    try:
        return request(port, "GET", "/healthz", token)[0] == 200
    except OSError:
        return False


def swapped(text: str) -> tuple[str, str]:
    """Return the text with the benchmark's sentence swapped, and the sentence it now has."""
    assert EDIT[0] in text or EDIT[1] in text, "the edited sentence is gone from the document"
    old, new = EDIT if EDIT[0] in text else tuple(reversed(EDIT))
    return text.replace(old, new), new


def main() -> None:
    """Print the medians of the three kinds of build and the edits' shares of the full one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("served", "command"):
            shutil.copytree(REPO / "content", root / name)
            reader("build", "--content", str(root / name), "--out", str(root / f"{name}-build"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
        env.update(
            READER_CONTENT_DIR=str(root / "served"),
            READER_BUILD_DIR=str(root / "served-build"),
            READER_INSTANCE_PATH=str(root / "instance"),
        )
        token = reader("token", "create", "bench", env=env).strip()
        port = free_port()
        service = subprocess.Popen(
            [sys.executable, "-m", "reader", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            times = measure(root, port, token, args.rounds)
        finally:
            service.terminate()
            service.wait(timeout=30)
    medians = {name: statistics.median(runs) for name, runs in times.items()}
    full = medians["full build"]
    for name, runs in times.items():
        share = "" if name == "full build" else f"   {medians[name] / full:.1%} of a full build"
        print(f"{name:18} median {medians[name]:.3f} s, fastest {min(runs):.3f} s{share}")
    print(f"{args.rounds} rounds; load average at the end {os.getloadavg()[0]:.1f}")
    print("The worker runs at nice 10 (docs/service.md): visitors are served before it.")


def measure(root: Path, port: int, token: str, rounds: int) -> dict[str, list[float]]:
    """Run the rounds against the service on `port`; return each kind's times in seconds."""
    deadline = time.monotonic() + 60
    while not healthy(port, token):
        assert time.monotonic() < deadline, "reader serve did not start"
        time.sleep(0.05)
    served = root / "served" / f"{SLUG}.html"
    command, command_out = root / "command", root / "command-build"
    times: dict[str, list[float]] = {
        "staff edit, page": [],
        "staff edit, job": [],
        "command-line edit": [],
        "full build": [],
    }

    def by_staff() -> None:
        html, sentence = swapped(served.read_text("utf-8"))
        published, finished = staff_edit(port, token, html.encode("utf-8"), sentence)
        times["staff edit, page"].append(published)
        times["staff edit, job"].append(finished)

    def by_command() -> None:
        source = command / f"{SLUG}.html"
        source.write_text(swapped(source.read_text("utf-8"))[0], "utf-8")
        times["command-line edit"].append(timed_build(command, command_out))

    def full() -> None:
        times["full build"].append(timed_build(command, command_out, "--force"))

    for number in range(rounds):
        kinds = [by_staff, by_command, full]
        for kind in kinds if number % 2 == 0 else reversed(kinds):
            kind()
    return times


if __name__ == "__main__":
    main()
