"""Measure `reader build` as a user times it against the espeak-ng command, side by side.

Run: .venv/bin/python benchmarks/bench_build.py [--runs 3] [--documents 20]
Needs the espeak-ng command (apt-get install espeak-ng) for the comparison.

Every build is a whole `python -m reader build` process: "whole" is its wall time from start
to exit (interpreter start and imports included), "inside" is the time the build reports in
its summary line, and "cpu" is the CPU time of the process and its workers: on a machine that
other work keeps busy, wall-time ratios drift towards the CPU ratio. Each figure is the
median of --runs, and all of them are measured in the same runs, one after another, so a
busy machine slows both sides of a ratio alike.

espeak-ng writes WAV, and the build also encodes MP3. One more row, "espeak-ng, then its WAV
as MP3", times espeak-ng followed by a Python command that encodes its WAV with the build's
own encoder settings: a full build should be no slower than that.

Targets (issue 19, whole commands): a no-change rebuild <= 0.25 s; a one-section edit <= 1.0 s;
NETs --force <= 3.0x the espeak-ng command and <= 1.0x espeak-ng followed by its MP3.
"""

from __future__ import annotations

import argparse
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

from common import children_cpu, need_command

REPO = Path(__file__).resolve().parents[1]
SLUG = "neuroendocrine-tumours"
EDIT_FROM = "for at least 6 hours before the scan"
EDIT_TO = "for at least 8 hours before the scan"
SUMMARY = re.compile(r"(\d+) sections built, (\d+) reused, .* in ([\d.]+) s")


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


def run_build(content: Path, out: Path, slugs: list[str], force: bool, watch: bool = False) -> dict:
    """Run `reader build` as a user does; return its whole and inside times, counts, memory."""
    command = [sys.executable, "-m", "reader", "build", *slugs]
    command += ["--content", str(content), "--out", str(out), *(["--force"] * force)]
    cpu_before = children_cpu()
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    peak_rss = peak_pss = 0
    # Polling /proc costs CPU, so memory is watched only in a run that is not timed.
    while watch and child.poll() is None:
        rss, pss = tree_memory_kb(child.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.002)
    output = child.communicate()[0]
    whole = time.perf_counter() - started
    assert child.returncode == 0, output
    cpu = children_cpu() - cpu_before
    built, reused, inside = SUMMARY.search(output).groups()
    return {
        "whole": whole,
        "cpu": cpu,
        "inside": float(inside),
        "built": int(built),
        "reused": int(reused),
        "peak_rss_mb": peak_rss / 1024,
        "peak_pss_mb": peak_pss / 1024,
    }


def espeak_command(text: Path, voice: str, rate: int, wav: Path) -> list[str]:
    """Return the espeak-ng command that reads `text` into `wav` with the build's voice and rate."""
    return ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), "-f", str(text)]


def timed_commands(commands: list[list[str]]) -> dict:
    """Run the commands one after the other; return their whole wall time and CPU time."""
    cpu_before = children_cpu()
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, check=True, cwd=REPO)
    return {"whole": time.perf_counter() - started, "cpu": children_cpu() - cpu_before}


def time_espeak(texts: list[Path], voice: str, rate: int, wav: Path) -> dict:
    """Time the espeak-ng command reading each text into a WAV file, one process per text."""
    return timed_commands([espeak_command(text, voice, rate, wav) for text in texts])


ENCODE = """
import sys, wave
from reader.pipeline.encode import encode_mp3
with wave.open(sys.argv[1]) as wav:
    pcm = wav.readframes(wav.getnframes())
open(sys.argv[2], "wb").write(encode_mp3(pcm))
"""
"""The build's MP3 encoding (lameenc, same bit rate and quality) of a WAV, as a command."""


def time_espeak_then_mp3(text: Path, voice: str, rate: int, wav: Path) -> dict:
    """Time espeak-ng writing the WAV, then a Python command encoding it as the build does.

    Not a target's baseline: it shows what MP3 alone adds to espeak-ng, which writes WAV.
    """
    encode = [sys.executable, "-c", ENCODE, str(wav), str(wav.with_suffix(".mp3"))]
    return timed_commands([espeak_command(text, voice, rate, wav), encode])


def main() -> None:
    """Print the table of measured times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median)")
    parser.add_argument("--documents", type=int, default=20, help="copies of NETs built together")
    args = parser.parse_args()
    need_command("espeak-ng", "apt-get install espeak-ng")
    with tempfile.TemporaryDirectory() as tmp:
        content, out = Path(tmp) / "content", Path(tmp) / "build"
        shutil.copytree(REPO / "content", content)
        many_content, many_out = Path(tmp) / "many", Path(tmp) / "many-build"
        many_content.mkdir()
        shutil.copy2(content / "lexicon.tsv", many_content)
        copies = [f"copy-{n:02d}" for n in range(args.documents)]
        for copy in copies:
            shutil.copy2(content / f"{SLUG}.html", many_content / f"{copy}.html")
        # The first build warms the disk cache, and is the one whose memory is watched.
        memory = run_build(content, out, [SLUG], force=True, watch=True)
        manifest = json.loads((out / SLUG / "manifest.json").read_text())
        sentences = [s for sec in manifest["sections"] for s in sec["sentences"]]
        spoken = Path(tmp) / "spoken.txt"
        spoken.write_text("\n".join(s["spoken"] for s in sentences) + "\n")
        voice, rate = manifest["voice"]["voice"], manifest["voice"]["rate"]
        wav = Path(tmp) / "espeak.wav"

        full, espeak, unchanged, edited, many, espeak_many = [], [], [], [], [], []
        espeak_mp3 = []
        source = content / f"{SLUG}.html"
        original = source.read_text()
        assert EDIT_FROM in original, "the edit benchmark's sentence is gone from the document"
        for run in range(args.runs):
            full.append(run_build(content, out, [SLUG], force=True))
            espeak.append(time_espeak([spoken], voice, rate, wav))
            espeak_mp3.append(time_espeak_then_mp3(spoken, voice, rate, wav))
            unchanged.append(run_build(content, out, [SLUG], force=False))
            edit = (EDIT_FROM, EDIT_TO) if run % 2 == 0 else (EDIT_TO, EDIT_FROM)
            source.write_text(source.read_text().replace(*edit))
            edited.append(run_build(content, out, [SLUG], force=False))
            many.append(run_build(many_content, many_out, [], force=True))
            espeak_many.append(time_espeak([spoken] * args.documents, voice, rate, wav))
        source.write_text(original)

        sections = len(manifest["sections"])
        assert all(r["built"] == sections for r in full)
        assert all(r["built"] == 0 for r in unchanged)
        assert all(r["built"] == 1 for r in edited), edited
        assert all(r["built"] == sections * args.documents for r in many)
        audio_seconds = sum(sec["duration"] for sec in manifest["sections"])
        mp3_bytes = sum(sec["bytes"] for sec in manifest["sections"])
        wav_bytes = sum(44 + round(sec["duration"] * 22050) * 2 for sec in manifest["sections"])

    def median(results: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in results)

    full_whole, full_inside, full_cpu = (median(full, k) for k in ("whole", "inside", "cpu"))

    def seconds_row(name: str, results: list[dict], target: str) -> tuple:
        whole, inside, cpu = (median(results, k) for k in ("whole", "inside", "cpu"))
        times = (f"{whole:7.3f} s", f"{inside:7.3f} s", f"{cpu:7.3f} s")
        return (name, *times, f"{whole / full_whole:.1%} of full   target {target}")

    def row(name: str, results: list[dict], against: list[dict] | None, target: str) -> tuple:
        whole, inside, cpu = (median(results, k) for k in ("whole", "inside", "cpu"))
        if against:
            base, base_cpu = median(against, "whole"), median(against, "cpu")
            ratios = (
                f"{whole / base:.2f}x  (inside {inside / base:.2f}x, cpu {cpu / base_cpu:.2f}x)"
            )
        else:
            ratios = (
                f"{whole / full_whole:.1%}  "
                f"(inside {inside / full_inside:.1%}, cpu {cpu / full_cpu:.1%})"
            )
        times = (f"{whole:7.3f} s", f"{inside:7.3f} s", f"{cpu:7.3f} s")
        return (name, *times, f"{ratios}   target {target}")

    def espeak_row(name: str, results: list[dict]) -> tuple:
        return (
            name,
            f"{median(results, 'whole'):7.3f} s",
            "",
            f"{median(results, 'cpu'):7.3f} s",
            "",
        )

    header = ("", "whole", "inside", "cpu", "ratio")
    rows = [
        row("NETs full build (--force)", full, espeak, "<= 3.0x espeak-ng"),
        espeak_row("espeak-ng command, same text", espeak),
        espeak_row("espeak-ng, then its WAV as MP3", espeak_mp3),
        row("NETs full build against that", full, espeak_mp3, "<= 1.0x"),
        seconds_row("no-change rebuild", unchanged, "<= 0.25 s whole"),
        seconds_row("one-section edit", edited, "<= 1.0 s whole"),
        row(f"{args.documents} documents (--force)", many, espeak_many, "none: shows the pool"),
        espeak_row(f"espeak-ng, {args.documents} runs", espeak_many),
    ]
    facts = [
        ("document", f"{SLUG}: {sections} sections, {len(sentences)} sentences"),
        ("audio", f"{audio_seconds / 60:.1f} minutes, voice {voice}, {rate} wpm"),
        ("many documents", f"{args.documents} copies of {SLUG}, each its own document"),
        ("cores / build workers", f"{os.cpu_count()} / default"),
        ("MP3 bytes / WAV bytes", f"{mp3_bytes / wav_bytes:.1%}   (target <= 15%)"),
        (
            "peak memory, build + workers",
            f"RSS {memory['peak_rss_mb']:.0f} MB, "
            f"PSS {memory['peak_pss_mb']:.0f} MB   (target <= 300 MB)",
        ),
        ("runs", f"{args.runs}, medians; load average at the end {os.getloadavg()[0]:.1f}"),
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for cells in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)), cells[4])
    print()
    width = max(len(name) for name, _ in facts)
    for name, value in facts:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
