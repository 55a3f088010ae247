"""Measure the engine adapter's sentence rate with and without its driver clock, side by side.

Run: .venv/bin/python benchmarks/bench_engine.py [--rounds 5]

pyttsx3's eSpeak driver polls its loop every 10 ms; the adapter hands the driver a clock whose
sleep ends when the utterance finishes (reader/pipeline/engine.py). This says NETs' sentences
with one engine, in rounds that alternate the driver's own `time` module and the adapter's
clock, and prints the median wall and CPU time of each and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reader.content import document_path, read_content  # noqa: E402
from reader.pipeline.engine import Pyttsx3Engine, _DriverClock  # noqa: E402
from reader.pipeline.lexicon import load_lexicon  # noqa: E402
from reader.pipeline.parse import parse_document  # noqa: E402
from reader.pipeline.speech import spoken_sections  # noqa: E402

SLUG = "neuroendocrine-tumours"


def spoken_texts() -> list[str]:
    """Return the spoken text of every sentence of the NETs page."""
    content = REPO / "content"
    document = parse_document(read_content(content, document_path(content, SLUG)), SLUG)
    sections = spoken_sections(document, load_lexicon(content, SLUG))
    return [s.spoken for section in sections for s in section.sentences]


def say_all(engine: Pyttsx3Engine, texts: list[str]) -> tuple[float, float]:
    """Say every text; return the wall and CPU seconds it took."""
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        engine.speak(text, "gmw/en")
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each (median)")
    args = parser.parse_args()
    texts = spoken_texts()
    engine = Pyttsx3Engine(160)
    import pyttsx3.drivers.espeak as driver  # only once the adapter has loaded eSpeak NG

    results: dict[str, list[tuple[float, float]]] = {"driver's own": [], "adapter's": []}
    for _ in range(args.rounds):
        for name, clock in (("driver's own", time), ("adapter's", _DriverClock())):
            driver.time = clock
            results[name].append(say_all(engine, texts))
    driver.time = _DriverClock()
    medians = {
        name: tuple(statistics.median(r[i] for r in runs) for i in (0, 1))
        for name, runs in results.items()
    }
    print(f"{len(texts)} sentences of {SLUG}, {args.rounds} rounds, medians")
    for name, (wall, cpu) in medians.items():
        print(f"{name + ' clock':<20} wall {wall:6.3f} s   cpu {cpu:6.3f} s")
    before, after = medians["driver's own"], medians["adapter's"]
    wall_ratio, cpu_ratio = after[0] / before[0], after[1] / before[1]
    print(f"adapter / driver     wall {wall_ratio:.2f}x   cpu {cpu_ratio:.2f}x")


if __name__ == "__main__":
    main()
