"""Measure `reader build` on the NETs document against the espeak-ng command, side by side.

Run: .venv/bin/python benchmarks/bench_build.py [--runs 3]
Needs the espeak-ng command (apt-get install espeak-ng) for the comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SLUG = "neuroendocrine-tumours"
EDIT_FROM = "for at least 6 hours before the scan"
EDIT_TO = "for at least 8 hours before the scan"
# Each build runs in its own process, so that its peak memory can be measured as a tree
# and nothing is cached between runs; the time is taken inside, around build_documents.
BUILD = """
import json, sys, time
from reader.pipeline.build import BuildOptions, build_documents
options = BuildOptions(force=sys.argv[3] == "force")
summary = build_documents(sys.argv[1], sys.argv[2], [sys.argv[4]], options)
assert not summary.failed, summary.failed
r = summary.results[0]
print(json.dumps({"seconds": summary.seconds, "built": r.built, "reused": r.reused}))
"""


def tree_memory_kb(pid: int) -> tuple[int, int]:
    """Return (RSS, PSS) of a process and all its descendants, in KiB.

    RSS counts pages shared by forked workers once per process; PSS shares them out.
    """
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text().split()
            rss += int(rollup[rollup.index("Rss:") + 1])
            pss += int(rollup[rollup.index("Pss:") + 1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ValueError, ProcessLookupError):
            continue
    return rss, pss


def run_build(content: Path, out: Path, force: bool, watch_memory: bool = False) -> dict:
    """Run one build in a child process; return its timing, counts and peak memory."""
    child = subprocess.Popen(
        [sys.executable, "-c", BUILD, str(content), str(out), "force" if force else "-", SLUG],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak_rss = peak_pss = 0
    # Polling /proc costs CPU, so memory is watched only in a run that is not timed.
    while watch_memory and child.poll() is None:
        rss, pss = tree_memory_kb(child.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.002)
    result = json.loads(child.communicate()[0])
    result.update(peak_rss_mb=peak_rss / 1024, peak_pss_mb=peak_pss / 1024)
    return result


def time_espeak(spoken: Path, voice: str, rate: int, wav: Path) -> float:
    """Time the espeak-ng command reading the same text into one WAV file."""
    started = time.perf_counter()
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), "-f", str(spoken)], check=True
    )
    return time.perf_counter() - started


def main() -> None:
    """Print the table of measured times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median)")
    args = parser.parse_args()
    if not shutil.which("espeak-ng"):
        sys.exit("benchmarks/bench_build.py needs the espeak-ng command: apt-get install espeak-ng")
    with tempfile.TemporaryDirectory() as tmp:
        content, out = Path(tmp) / "content", Path(tmp) / "build"
        shutil.copytree(REPO / "content", content)
        # The first build warms the disk cache, and is the one whose memory is watched.
        memory = run_build(content, out, force=True, watch_memory=True)
        manifest = json.loads((out / SLUG / "manifest.json").read_text())
        sentences = [s for sec in manifest["sections"] for s in sec["sentences"]]
        spoken = Path(tmp) / "spoken.txt"
        spoken.write_text("\n".join(s["spoken"] for s in sentences) + "\n")
        voice, rate = manifest["voice"]["voice"], manifest["voice"]["rate"]

        full, espeak, unchanged, edited = [], [], [], []
        source = content / f"{SLUG}.html"
        original = source.read_text()
        assert EDIT_FROM in original, "the edit benchmark's sentence is gone from the document"
        for run in range(args.runs):
            full.append(run_build(content, out, force=True))
            espeak.append(time_espeak(spoken, voice, rate, Path(tmp) / "espeak.wav"))
            unchanged.append(run_build(content, out, force=False))
            edit = (EDIT_FROM, EDIT_TO) if run % 2 == 0 else (EDIT_TO, EDIT_FROM)
            source.write_text(source.read_text().replace(*edit))
            edited.append(run_build(content, out, force=False))
        source.write_text(original)

        assert all(r["built"] == len(manifest["sections"]) for r in full)
        assert all(r["built"] == 0 for r in unchanged)
        assert all(r["built"] == 1 for r in edited), edited
        audio_seconds = sum(sec["duration"] for sec in manifest["sections"])
        mp3_bytes = sum(sec["bytes"] for sec in manifest["sections"])
        wav_bytes = sum(44 + round(sec["duration"] * 22050) * 2 for sec in manifest["sections"])

    median = statistics.median
    t_full = median(r["seconds"] for r in full)
    t_espeak = median(espeak)
    t_unchanged = median(r["seconds"] for r in unchanged)
    t_edited = median(r["seconds"] for r in edited)
    rows = [
        ("document", f"{SLUG}: {len(manifest['sections'])} sections, {len(sentences)} sentences"),
        ("audio", f"{audio_seconds / 60:.1f} minutes, voice {voice}, {rate} wpm"),
        ("cores / build workers", f"{os.cpu_count()} / default"),
        ("full build (--force)", f"{t_full:.3f} s"),
        ("espeak-ng command, same text", f"{t_espeak:.3f} s"),
        ("full build / espeak-ng", f"{t_full / t_espeak:.2f}x   (target <= 2.0x)"),
        ("no-change rebuild", f"{t_unchanged * 1000:.1f} ms"),
        ("no-change / full", f"{t_unchanged / t_full:.1%}   (target <= 5%)"),
        ("one-section edit rebuild", f"{t_edited * 1000:.1f} ms"),
        ("one-section edit / full", f"{t_edited / t_full:.1%}   (target <= 15%)"),
        ("MP3 bytes / WAV bytes", f"{mp3_bytes / wav_bytes:.1%}   (target <= 15%)"),
        (
            "peak memory, build + workers",
            f"RSS {memory['peak_rss_mb']:.0f} MB, "
            f"PSS {memory['peak_pss_mb']:.0f} MB   (target <= 300 MB)",
        ),
        ("runs (medians)", f"{args.runs}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
