"""Time `reader build` of NETs with each speech engine, side by side: full build, edit, bytes.

Run: .venv/bin/python benchmarks/bench_voice.py [--runs 3] [--against main]
Needs: pip install -e ".[natural]" for the Piper engine and its voice (en_US-joe-medium).

Every build is a whole `python -m reader build` process, interpreter start included, into a
build folder of its own: "whole" is its wall time, "cpu" the CPU time of the process and its
workers. Per round, each engine builds NETs with `--force`, then makes a one-section edit
(one sentence of a copy of the page changed, the same one as benchmarks/bench_build.py) and
builds again. The eSpeak NG engine is run as `reader build` with no engine option, the way a
site runs it today; the Piper engine with `--engine piper --voice VOICE`. The engines take
turns, in an order swapped every round, so that a busy machine slows both alike; each
figure is the median of --runs.

--against REV adds the eSpeak NG engine of commit REV (main, say) in the same rounds: the
target "no slower than today" is its ratio to this tree's.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from bench_against import edited, export_tree
from common import children_cpu, need_modules

REPO = Path(__file__).resolve().parents[1]
SLUG = "neuroendocrine-tumours"
SUMMARY = re.compile(r"(\d+) sections? built, (\d+) reused")
FULL_TARGET, EDIT_TARGET = 60.0, 5.0


class Side(NamedTuple):
    """One engine of one tree, built in its own copy of content/ into its own folder."""

    name: str
    tree: Path
    options: list[str]
    content: Path
    out: Path


def run_build(side: Side, force: bool) -> dict:
    """Run `reader build` as a user does; return its wall and CPU times and what it built."""
    command = [sys.executable, "-m", "reader", "build", SLUG, "--content", str(side.content)]
    command += ["--out", str(side.out), *side.options, *(["--force"] * force)]
    # The engine is the side's own options, never a READER_ENGINE or READER_VOICE setting.
    env = {k: v for k, v in os.environ.items() if k not in ("READER_ENGINE", "READER_VOICE")}
    env["PYTHONPATH"] = str(side.tree)
    cpu_before = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=side.tree, env=env, capture_output=True, text=True)
    whole = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{side.name}: {' '.join(command[2:])} failed:\n{done.stderr or done.stdout}")
    summary = SUMMARY.search(done.stdout)
    if summary is None:
        sys.exit(f"{side.name}: no summary line in the build's output:\n{done.stdout}")
    return {"whole": whole, "cpu": children_cpu() - cpu_before, "built": int(summary[1])}


def published(side: Side) -> dict:
    """Return what the last build published: audio seconds, MP3 bytes, sections, voices."""
    manifest = json.loads((side.out / SLUG / "manifest.json").read_text(encoding="utf-8"))
    sections = manifest["sections"]
    return {
        "sections": len(sections),
        "seconds": sum(section["duration"] for section in sections),
        "bytes": sum(section["bytes"] for section in sections),
        "download": manifest["download"]["bytes"],
        "voices": sorted({s["voice"] for section in sections for s in section["sentences"]}),
    }


def measure(sides: list[Side], runs: int) -> dict[str, dict[str, list[dict]]]:
    """Build each side with --force, then after an edit, for `runs` rounds in turn."""
    results = {side.name: {"full": [], "edit": []} for side in sides}
    for number in range(runs):
        order = sides if number % 2 == 0 else list(reversed(sides))
        for side in order:
            results[side.name]["full"].append(run_build(side, force=True))
            edited(side.content)
            results[side.name]["edit"].append(run_build(side, force=False))
    return results


def main() -> None:
    """Print the engines' figures side by side, with their ratios and targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds of each build (median)")
    parser.add_argument("--voice", default="en_US-joe-medium", help="the Piper engine's voice")
    parser.add_argument("--against", metavar="REV", help="also time REV's eSpeak NG engine")
    parser.add_argument(
        "--engines", nargs="+", default=["pyttsx3", "piper"], help="engines of this tree"
    )
    args = parser.parse_args()
    if "piper" in args.engines:
        need_modules('pip install -e ".[natural]"', "piper")
    options = {"pyttsx3": [], "piper": ["--engine", "piper", "--voice", args.voice]}

    with tempfile.TemporaryDirectory() as tmp:
        trees = [
            (engine, REPO, options.get(engine, ["--engine", engine])) for engine in args.engines
        ]
        if args.against:
            trees.append(
                (f"pyttsx3 at {args.against}", export_tree(args.against, Path(tmp) / "rev"), [])
            )
        sides = []
        for number, (name, tree, engine_options) in enumerate(trees):
            # PYTHONDONTWRITEBYTECODE would otherwise compile every module in every run.
            compileall.compile_dir(tree / "reader", quiet=1)
            content = Path(tmp) / f"content-{number}"
            shutil.copytree(REPO / "content", content)
            sides.append(Side(name, tree, engine_options, content, Path(tmp) / f"build-{number}"))
        results = measure(sides, args.runs)
        facts = {side.name: published(side) for side in sides}
    for name, result in results.items():
        assert all(r["built"] == facts[name]["sections"] for r in result["full"]), result["full"]
        assert all(r["built"] == 1 for r in result["edit"]), (name, result["edit"])
    print_table(results, facts, args)


def print_table(results: dict, facts: dict, args: argparse.Namespace) -> None:
    """Print one column per side, a ratio column, and the targets."""
    names = list(results)

    def median(name: str, kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name][kind])

    def cpu_per_second(name: str) -> float:
        return median(name, "full", "cpu") / facts[name]["seconds"]

    def kbits(name: str) -> float:
        return facts[name]["bytes"] * 8 / facts[name]["seconds"] / 1000

    rows = [
        ("NETs --force, whole command", lambda n: median(n, "full", "whole"), "{:.2f} s"),
        ("  its CPU", lambda n: median(n, "full", "cpu"), "{:.2f} s"),
        ("  CPU s per second of audio", cpu_per_second, "{:.3f}"),
        ("one-section edit, whole command", lambda n: median(n, "edit", "whole"), "{:.2f} s"),
        ("  its CPU", lambda n: median(n, "edit", "cpu"), "{:.2f} s"),
        ("MP3 bytes, sections", lambda n: facts[n]["bytes"], "{:,}"),
        ("MP3 bytes, whole-page download", lambda n: facts[n]["download"], "{:,}"),
        ("  bit rate (sections)", kbits, "{:.1f} kbit/s"),
        ("audio", lambda n: facts[n]["seconds"] / 60, "{:.2f} minutes"),
    ]
    # Each engine of this tree against the first; this tree's eSpeak NG against REV's.
    base, today = names[0], f"pyttsx3 at {args.against}"
    pairs = [(name, base) for name in names[1:] if name != today]
    if today in results and "pyttsx3" in results:
        pairs.append(("pyttsx3", today))
    header = ["", *names, *(f"{top} / {bottom}" for top, bottom in pairs)]
    table = [header]
    for label, value, style in rows:
        values = {name: value(name) for name in names}
        ratios = [f"{values[t] / values[b]:.2f}x" if values[b] else "" for t, b in pairs]
        table.append([label, *(style.format(values[n]) for n in names), *ratios])
    table.append(["voices", *(", ".join(facts[n]["voices"]) for n in names), *[""] * len(pairs)])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )

    print()
    print("targets (2 cores):")
    if "piper" in results:
        for kind, label, limit in (
            ("full", "NETs --force", FULL_TARGET),
            ("edit", "edit", EDIT_TARGET),
        ):
            whole = median("piper", kind, "whole")
            met = "met" if whole <= limit else "NOT met"
            print(f"  piper {label} <= {limit:.0f} s: {whole:.2f} s, {met}")
    if today in results and "pyttsx3" in results:
        for kind, label in (("full", "--force"), ("edit", "edit")):
            now, before = median("pyttsx3", kind, "whole"), median(today, kind, "whole")
            cpu = median("pyttsx3", kind, "cpu") / median(today, kind, "cpu")
            print(
                f"  eSpeak NG {label} no slower than at {args.against}: {now:.2f} s against"
                f" {before:.2f} s, {now / before:.2f}x (CPU {cpu:.2f}x)"
            )
    print()
    print(
        f"{args.runs} runs, medians; {os.cpu_count()} cores; "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
