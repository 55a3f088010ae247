"""Measure the speech-text stage of the NETs page in fresh processes, as `reader build` pays it.

Run: .venv/bin/python benchmarks/bench_speech.py [--runs 3]

Each run is a new Python process (interpreter start excluded, imports included) that imports
the parser and the speech stage, asks the word list its first question, then makes the
spoken sections of content/neuroendocrine-tumours.html, timing the `apply_rules` calls inside.
Beside the shipped word list it times the old way, unpickling the english-words package's
sets and intersecting them. Every figure is taken twice: with bytecode caches for every module,
as an installed wheel has them, and under PYTHONDONTWRITEBYTECODE=1, where an editable install
without __pycache__ folders compiles reader's own modules from source in every process.
Each figure is the best of --runs: other work on a shared machine only ever adds time.
Targets are from issue 12.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SLUG = "neuroendocrine-tumours"

ROWS = (
    ("import reader.pipeline.parse", "parse_import", None),
    ("import reader.pipeline.speech, on top", "speech_import", None),
    ("first is_english_word()", "first_word", 0.030),
    ("  old: english-words sets, intersected", "old_words", None),
    ("apply_rules over the page (fresh)", "rules_first", 0.080),
    ("apply_rules over the page (again)", "rules_again", None),
    ("spoken_sections (fresh, word list included)", "spoken", None),
)


def child() -> None:
    """Time one fresh process's stages and print them as JSON."""
    started = time.perf_counter()
    import reader.pipeline.parse as parse

    parsed = time.perf_counter()
    import reader.pipeline.normalise as normalise
    import reader.pipeline.speech as speech
    from reader.pipeline.lexicon import load_lexicon

    imported = time.perf_counter()
    document = parse.parse_document((REPO / "content" / f"{SLUG}.html").read_bytes(), SLUG)
    lexicon = load_lexicon(REPO / "content", SLUG)

    calls: list[tuple[str, str]] = []
    rules_time = 0.0
    apply_rules = normalise.apply_rules

    def timed(text: str, lang: str) -> str:
        nonlocal rules_time
        before = time.perf_counter()
        said = apply_rules(text, lang)
        rules_time += time.perf_counter() - before
        calls.append((text, lang))
        return said

    # The word list is asked inside spoken_sections: its first question is timed on its own.
    from reader.pipeline.speechtext.wordlist import is_english_word

    before = time.perf_counter()
    is_english_word("nurses")
    first_word = time.perf_counter() - before

    normalise.apply_rules = timed
    before = time.perf_counter()
    speech.spoken_sections(document, lexicon)
    spoken = time.perf_counter() - before + first_word
    normalise.apply_rules = apply_rules
    before = time.perf_counter()
    for text, lang in calls:
        apply_rules(text, lang)
    rules_again = time.perf_counter() - before

    from english_words import get_english_words_set

    before = time.perf_counter()
    sets = [get_english_words_set([s], lower=True, alpha=True) for s in ("web2", "gcide")]
    frozenset(set.intersection(*sets))
    old_words = time.perf_counter() - before

    print(
        json.dumps(
            {
                "parse_import": parsed - started,
                "speech_import": imported - parsed,
                "first_word": first_word,
                "old_words": old_words,
                "rules_first": rules_time,
                "rules_again": rules_again,
                "spoken": spoken,
                "sentences": len(calls),
            }
        )
    )


def run_child(env: dict[str, str]) -> dict:
    """Run one fresh measuring process and return its figures."""
    done = subprocess.run(
        [sys.executable, __file__, "--child"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    """Print each stage's median time in fresh processes, with and without bytecode caches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure (best)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child()
        return
    with tempfile.TemporaryDirectory() as caches:
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = caches
        run_child(cached)  # writes the bytecode caches the measured runs read
        # As this project's own machines run: installed packages have their caches, and
        # reader's modules (an editable install without __pycache__) compile from source.
        source = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
        source["PYTHONDONTWRITEBYTECODE"] = "1"
        with_pyc = [run_child(cached) for _ in range(arguments.runs)]
        from_source = [run_child(source) for _ in range(arguments.runs)]
    print(f"NETs page, {with_pyc[0]['sentences']} sentences; best of {arguments.runs} runs")
    print(f"{'':46} {'with .pyc':>10} {'no .pyc':>10} {'target':>8}")
    for label, key, target in ROWS:
        cells = [min(r[key] for r in runs) for runs in (with_pyc, from_source)]
        goal = f"<= {target * 1000:.0f}" if target else ""
        print(f"{label:46} {cells[0] * 1000:7.1f} ms {cells[1] * 1000:7.1f} ms {goal:>8}")


if __name__ == "__main__":
    main()
