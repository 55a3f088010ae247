"""Measure how `reader serve` scales with the number of published documents.

Run: python benchmarks/bench_scale.py [--sizes 10,100,1000] [--pages 20]

For each size it publishes that many documents into a temporary build folder (copies of the
shipped NETs page as the fake engine builds it, each with its own slug, title and files, and
one index), starts `reader serve` as a separate process, and measures, side by side:
- how long the start takes, from the command to the port accepting connections;
- the first `/` after the start (the service has read nothing yet), on a new connection, as
  a visitor's browser asks for it, while the worker and checker processes `reader serve`
  starts beside it are still starting too;
- a document page, each asked for the first time (median and slowest of `--pages`);
- the service's resident memory (RSS) after that, and its peak; and, for the record, the RSS
  of those two child processes (not the service's: the targets are the service's own).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from common import free_port

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reader import manifest as mf  # noqa: E402

TARGETS = {"first /": 300.0, "page": 50.0, "rss": 150.0}
WORDS = [
    "anaemia",
    "asthma",
    "bowel",
    "cancer",
    "cataract",
    "diabetes",
    "eczema",
    "fatigue",
    "gout",
    "hearing",
    "insomnia",
    "jaundice",
    "kidney",
    "lupus",
    "migraine",
    "nausea",
    "obesity",
    "psoriasis",
    "quinsy",
    "rickets",
    "sciatica",
    "tinnitus",
    "ulcer",
    "vertigo",
    "whooping",
    "xerosis",
    "yellow",
    "zoster",
]


def template(root: Path) -> tuple[mf.Manifest, Path]:
    """Build the shipped NETs document once with the fake engine; return it and its folder."""
    from reader.pipeline.build import BuildOptions, build_documents

    content, out = root / "content", root / "template"
    content.mkdir()
    shutil.copy(REPO / "content" / "neuroendocrine-tumours.html", content)
    summary = build_documents(content, out, options=BuildOptions(engine="fake", jobs=2))
    assert not summary.failed, summary.failed
    slug = "neuroendocrine-tumours"
    return mf.load_manifest(out, slug), mf.document_dir(out, slug)


def publish_copies(build: Path, count: int, manifest: mf.Manifest, folder: Path) -> list[str]:
    """Publish `count` copies of one document under their own slugs and titles, one index."""
    build.mkdir()
    rng = random.Random(count)
    entries, slugs = [], []
    for number in range(count):
        slug = f"{rng.choice(WORDS)}-{number}"
        title = f"{slug.split('-')[0].capitalize()} {number}: {manifest.document.title}"
        target = build / slug
        (target / mf.AUDIO_DIR).mkdir(parents=True)
        (target / mf.PAGES_DIR).mkdir()
        for name in manifest.audio_names:
            # Linked, not copied: the service only checks the files are there and sends them.
            os.link(folder / mf.AUDIO_DIR / name, target / mf.AUDIO_DIR / name)
        shutil.copy(folder / manifest.page, target / manifest.page)
        copy = replace(manifest, document=replace(manifest.document, slug=slug, title=title))
        (target / mf.MANIFEST_NAME).write_bytes(mf.dumps(copy))
        entries.append(mf.IndexEntry.of(copy))
        slugs.append(slug)
    index = mf.Index(tuple(sorted(entries, key=lambda e: e.slug)))
    (build / mf.INDEX_NAME).write_bytes(mf.dumps(index))
    return slugs


def start(build: Path, root: Path) -> tuple[subprocess.Popen, int, float]:
    """Start `reader serve` on the build folder; return once its port accepts connections."""
    port = free_port()
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    env.update(
        READER_BUILD_DIR=str(build),
        READER_CONTENT_DIR=str(root / "no-content"),
        READER_INSTANCE_PATH=str(root / "instance"),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "serve", "--port", str(port)],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # Only a TCP connect: the first HTTP request must be the measured `/`.
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port, (time.perf_counter() - started) * 1000
        time.sleep(0.02)
    process.kill()
    raise SystemExit("reader serve did not start within 30 s")


def timed_get(port: int, path: str) -> float:
    """GET `path` on a new connection, read the whole body; return milliseconds."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.read()
    connection.close()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return elapsed


def memory_mb(pid: int) -> tuple[float, float]:
    """Return the process's resident memory now and at its peak, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.split()
    return int(fields["VmRSS"][0]) / 1024, int(fields["VmHWM"][0]) / 1024


def children_mb(pid: int) -> float:
    """Return the resident memory of a process's child processes, in MB."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            # A child that has just left has no memory to count.
            with contextlib.suppress(OSError):
                total += memory_mb(int(child))[0]
    return total


def measure(size: int, pages: int, manifest, folder, root: Path) -> dict:
    """Publish `size` documents, start the service, and measure it."""
    build = root / f"build-{size}"
    slugs = publish_copies(build, size, manifest, folder)
    process, port, start_time = start(build, root)
    try:
        first_index = timed_get(port, "/")
        chosen = random.Random(size).sample(slugs, min(pages, len(slugs)))
        page_times = [timed_get(port, f"/documents/{slug}") for slug in chosen]
        rss, peak = memory_mb(process.pid)
        children = children_mb(process.pid)
    finally:
        process.terminate()
        process.wait(10)
    return {
        "size": size,
        "start": start_time,
        "first /": first_index,
        "page median": statistics.median(page_times),
        "page max": max(page_times),
        "rss": rss,
        "peak": peak,
        "children": children,
    }


def main() -> None:
    """Print the figures for each size side by side, and whether they meet the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--pages", type=int, default=20, help="document pages to time per size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # Figures from a busy machine are not comparable: say how busy it was.
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temp:
        root = Path(temp)
        manifest, folder = template(root)
        rows = [measure(size, args.pages, manifest, folder, root) for size in sizes]
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"{'documents':>10} {'start ms':>9} {'first / ms':>11} {'page ms (median)':>17}"
        f" {'page ms (max)':>14} {'RSS MB':>7} {'peak RSS MB':>12} {'children RSS MB':>16}"
    )
    for row in rows:
        print(
            f"{row['size']:>10} {row['start']:>9.0f} {row['first /']:>11.1f}"
            f" {row['page median']:>17.1f} {row['page max']:>14.1f} {row['rss']:>7.1f}"
            f" {row['peak']:>12.1f} {row['children']:>16.1f}"
        )
    worst = max(rows, key=lambda r: r["size"])
    met = (
        worst["first /"] <= TARGETS["first /"]
        and worst["page max"] <= TARGETS["page"]
        and worst["peak"] <= TARGETS["rss"]
    )
    print(
        f"targets at {worst['size']} documents: first / <= {TARGETS['first /']:.0f} ms, "
        f"page <= {TARGETS['page']:.0f} ms, RSS <= {TARGETS['rss']:.0f} MB: "
        + ("met" if met else "MISSED")
    )


if __name__ == "__main__":
    main()
