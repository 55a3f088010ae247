"""Time whole `reader build` commands of this tree against another commit's, alternating.

Run: .venv/bin/python benchmarks/bench_against.py REV [--kind edit|full|none] [--rounds 11]

"edit" changes one sentence of NETs before each build, "full" is `--force`, "none" rebuilds
with nothing changed. Both trees run with this venv's interpreter and packages (REV's own
dependencies must be installed in it), each on its own copy of content/ and build folder, one
command after the other and the order swapped every round, so that a busy machine slows both
sides alike. Prints each side's median and fastest run, the median CPU time of the command
and its workers (steadier than wall time on a shared machine), and the ratios of the medians.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import children_cpu

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = "neuroendocrine-tumours.html"
EDIT = ("for at least 6 hours before the scan", "for at least 8 hours before the scan")


def export_tree(rev: str, target: Path) -> Path:
    """Write the files of commit `rev` into `target`, compiled as an installed tree would be."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev], capture_output=True, check=True
    )
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def build(tree: Path, content: Path, out: Path, force: bool) -> tuple[float, float]:
    """Run `python -m reader build` from `tree`; return its wall and CPU times in seconds."""
    command = [sys.executable, "-m", "reader", "build", "--content", str(content)]
    command += ["--out", str(out), *(["--force"] * force)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cpu, started = children_cpu(), time.perf_counter()
    subprocess.run(command, cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu() - cpu


def edited(content: Path) -> None:
    """Swap the benchmark's sentence one way or the other."""
    source = content / DOCUMENT
    text = source.read_text(encoding="utf-8")
    assert EDIT[0] in text or EDIT[1] in text, "the edited sentence is gone from the document"
    source.write_text(
        text.replace(*EDIT) if EDIT[0] in text else text.replace(*reversed(EDIT)), "utf-8"
    )


def main() -> None:
    """Print both sides' medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to compare with, e.g. main or a hash")
    parser.add_argument("--kind", choices=("edit", "full", "none"), default="edit")
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {args.rev: export_tree(args.rev, Path(tmp) / "other"), "this tree": REPO}
        for tree in trees.values():
            # PYTHONDONTWRITEBYTECODE would otherwise compile every module in every run.
            compileall.compile_dir(tree / "reader", quiet=1)
        folders = {}
        for number, (name, tree) in enumerate(trees.items()):
            content = Path(tmp) / f"content-{number}"
            shutil.copytree(REPO / "content", content)
            folders[name] = (content, Path(tmp) / f"build-{number}")
            build(tree, *folders[name], force=False)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for round_number in range(args.rounds):
            order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            for name in order:
                content, out = folders[name]
                if args.kind == "edit":
                    edited(content)
                times[name].append(build(trees[name], content, out, args.kind == "full"))
    medians = {}
    for name, runs in times.items():
        wall, cpu = ([run[i] for run in runs] for i in (0, 1))
        medians[name] = statistics.median(wall), statistics.median(cpu)
        print(
            f"{args.kind:5} {name:>12}: median {medians[name][0]:.3f} s, "
            f"fastest {min(wall):.3f} s, CPU {medians[name][1]:.3f} s, {len(runs)} runs"
        )
    (this, this_cpu), (other, other_cpu) = medians["this tree"], medians[args.rev]
    print(
        f"this tree / {args.rev} = {this / other:.3f}, CPU {this_cpu / other_cpu:.3f}"
        f"   (load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
