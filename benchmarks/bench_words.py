"""Measure the manifest's word timings on the NETs document against eSpeak NG's own clock.

Run: .venv/bin/python benchmarks/bench_words.py [--json] [--engine pyttsx3|piper]

Every section is said by the real engine, in this process, through the pipeline's own
`render_section`. A second observer on eSpeak's synth callback notes, for each word event,
eSpeak's `audio_position` (milliseconds since the utterance began) and how many samples had
been delivered when the event arrived. Each manifest word start is then compared with the
sentence's start plus `audio_position`: the figure the pipeline must meet (median <= 30 ms,
p95 <= 80 ms). The samples-delivered clock is shown beside it, as the alternative that was
measured and rejected. Then the document is built with the fake engine and the real one,
and the gzipped manifest is weighed with and without its "words".

With `--engine piper`, each engine says every section instead (the natural voice as
en_US-joe-medium, then eSpeak NG), and each manifest word start is checked against its own
audio, side by side: the sound onsets found from the decoded MP3's loudness alone
(tests/audio.py), paired with the word starts in order, each onset with at most one word and
never out of order (not with the nearest start of any word). Three kinds are reported, each
with its median, its nearest-rank p95 and its share within 80 ms:
- a sentence's first word, against the sound after at least 150 ms of quiet (the pipeline
  puts more than that between sentences);
- a later word after a pause (a comma's), against the same onsets;
- a later word after a gap of at least 60 ms.
The first two together are the ones tests/test_piper_engine.py holds to the targets.

The last is not a clean measure, and cannot be from loudness alone. In connected speech most
words follow the last with no quiet between them, so most word starts inside a phrase have no
onset to find; and the closure of a stop inside a word ("endocrine") is as quiet as a gap
between words, often longer than 60 ms in Piper's voice. A word that begins with a stop
("to", "can") sounds only at its release. So some onsets after a gap start no word and are
paired with a neighbour's start, and the kind's p95 is the detector's as much as the
timings'. The first two kinds are what the audio shows reliably.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from pathlib import Path

from common import need_modules

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reader import manifest as mf  # noqa: E402
from reader.pipeline.build import BuildOptions, build_documents  # noqa: E402
from reader.pipeline.engine import SAMPLE_RATE, Pyttsx3Engine  # noqa: E402
from reader.pipeline.lexicon import load_lexicon  # noqa: E402
from reader.pipeline.parse import parse_document  # noqa: E402
from reader.pipeline.render import render_section  # noqa: E402
from reader.pipeline.speech import spoken_sections  # noqa: E402
from reader.pipeline.synthesise import SectionJob  # noqa: E402

SLUG = "neuroendocrine-tumours"
CONTENT = REPO / "content"


class EventClock:
    """Note eSpeak's own clock for every word event, around the engine's own observer."""

    def __init__(self):
        from pyttsx3.drivers import _espeak

        self.utterances: list[list[tuple[int, int]]] = []
        """Per utterance: (audio_position in ms, samples delivered before the event's buffer)."""
        # The engine's own observer is the callback in place; this one runs before it.
        handle = _espeak.SynthCallback
        self.delivered = 0

        def observe(wav, numsamples, events):
            index = 0
            while events[index].type != _espeak.EVENT_LIST_TERMINATED:
                event = events[index]
                if event.type == _espeak.EVENT_WORD and self.utterances:
                    self.utterances[-1].append((event.audio_position, self.delivered))
                index += 1
            self.delivered += max(numsamples, 0)
            return handle(wav, numsamples, events)

        _espeak.SetSynthCallback(observe)

    def start_utterance(self) -> None:
        """Begin noting a new utterance: eSpeak's clock starts again at 0."""
        self.utterances.append([])
        self.delivered = 0


def measure_accuracy() -> dict:
    """Say the NETs document and compare each word's start with eSpeak's audio_position."""
    from tests.audio import percentile

    document = parse_document((CONTENT / f"{SLUG}.html").read_bytes(), SLUG)
    sections = spoken_sections(document, load_lexicon(CONTENT, SLUG))
    engine = Pyttsx3Engine(160)
    clock = EventClock()
    speak = engine.speak

    def speak_and_count(text, voice):
        clock.start_utterance()
        return speak(text, voice)

    engine.speak = speak_and_count
    errors, delivered_errors = [], []
    words = unmatched = 0
    for index, section in enumerate(sections):
        start = len(clock.utterances)
        audio = render_section(engine, SectionJob(str(index), section.sentences), {})
        events = clock.utterances[start:]
        for (sentence_start, _), manifest_words, reference in zip(
            audio.timings, audio.words, events, strict=True
        ):
            if len(manifest_words) != len(reference):
                unmatched += abs(len(manifest_words) - len(reference))
            for (word_start, _, _), (position_ms, delivered) in zip(
                manifest_words, reference, strict=False
            ):
                truth = sentence_start + position_ms / 1000
                errors.append(abs(word_start - truth))
                chunk = sentence_start + delivered / SAMPLE_RATE
                delivered_errors.append(abs(chunk - truth))
                words += 1
    return {
        "words": words,
        "unmatched_events": unmatched,
        "median_ms": round(statistics.median(errors) * 1000, 1),
        "p95_ms": round(percentile(errors, 0.95) * 1000, 1),
        "max_ms": round(max(errors) * 1000, 1),
        "samples_delivered_median_ms": round(statistics.median(delivered_errors) * 1000, 1),
        "samples_delivered_p95_ms": round(percentile(delivered_errors, 0.95) * 1000, 1),
    }


PIPER_VOICE = "en_US-joe-medium"
KINDS = {
    "sentence": "sentence's first word, after >= 150 ms quiet",
    "pause": "later word after a pause (>= 150 ms)",
    "heard": "either of the two above",
    "gap": "later word after a gap (>= 60 ms)",
}


def measure_onsets(engine_name: str) -> dict:
    """Say NETs with `engine_name` and pair its word starts with its audio's sound onsets."""
    from reader.pipeline.engines import make_engine
    from tests.audio import decode_mp3, start_errors

    document = parse_document((CONTENT / f"{SLUG}.html").read_bytes(), SLUG)
    sections = spoken_sections(document, load_lexicon(CONTENT, SLUG))
    engine = make_engine(engine_name, 160)
    preferred = {document.lang.lower(): PIPER_VOICE} if engine_name == "piper" else {}
    rate = getattr(engine, "sample_rate", SAMPLE_RATE)
    errors: dict[str, list[float]] = {kind: [] for kind in KINDS}
    sentences = later_words = 0
    for index, section in enumerate(sections):
        audio = render_section(engine, SectionJob(str(index), section.sentences), preferred)
        said = [
            (start, end, [word[0] for word in words])
            for (start, end), words in zip(audio.timings, audio.words, strict=True)
            if words
        ]
        for kind, found in start_errors(decode_mp3(audio.mp3, rate), rate, said).items():
            errors[kind] += found
        sentences += len(said)
        later_words += sum(len(words) - 1 for _, _, words in said)
    # What tests/test_piper_engine.py holds to the targets: the starts the audio shows.
    errors["heard"] = errors["sentence"] + errors["pause"]
    return {
        "engine": engine_name,
        "sentences": sentences,
        "later_words": later_words,
        **{kind: _figures(found) for kind, found in errors.items()},
    }


def _figures(errors: list[float]) -> dict:
    from tests.audio import percentile

    return {
        "paired": len(errors),
        "median_ms": round(statistics.median(errors) * 1000, 1),
        "p95_ms": round(percentile(errors, 0.95) * 1000, 1),
        "within_80ms": round(sum(e <= 0.08 for e in errors) / len(errors), 3),
    }


def without_words(manifest: mf.Manifest) -> mf.Manifest:
    """Return a copy of a manifest with every sentence's "words" taken out."""
    data = manifest.to_dict()
    for section in data["sections"]:
        for sentence in section["sentences"]:
            sentence.pop("words", None)
    return mf.Manifest.from_dict(data)


def measure_size(engine: str = "pyttsx3") -> dict:
    """Build the NETs document and weigh its gzipped manifest with and without words.

    Both forms are weighed as the service gzips them (level 6): the published file, and the
    compact JSON that the service sends to the widget.
    """
    with tempfile.TemporaryDirectory() as out:
        summary = build_documents(CONTENT, Path(out), [SLUG], BuildOptions(engine=engine, jobs=2))
        assert not summary.failed, summary.failed
        manifest = mf.load_manifest(Path(out), SLUG)
    bare = without_words(manifest)
    result = {}
    for form, serialise in (("file", mf.dumps), ("served", _served)):
        before, after = (len(gzip.compress(serialise(m), 6, mtime=0)) for m in (bare, manifest))
        result[form] = {
            "gzip_bytes_without_words": before,
            "gzip_bytes_with_words": after,
            "growth_percent": round(100 * (after / before - 1), 1),
        }
    return result


def _served(manifest: mf.Manifest) -> bytes:
    # As reader.web.views.public_manifest writes it (there with absolute audio URLs).
    return json.dumps(manifest.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


def measure() -> dict:
    """Return the word-timing error and the manifest growth, for this and other benchmarks."""
    return {"accuracy": measure_accuracy(), "size": measure_size()}


def print_onsets(result: dict) -> None:
    """Print the engines' word starts against their audio's onsets, side by side."""
    engines = list(result.values())
    print(
        "word starts vs the sound onsets of their own audio, NETs, paired in order "
        "(target: median <= 30 ms, p95 <= 80 ms)"
    )
    print(f"{'':46}" + "".join(f"{figures['engine']:>36}" for figures in engines))
    counts = ", ".join(
        f"{f['engine']} {f['sentences']} sentences, {f['later_words']} later words" for f in engines
    )
    for kind, label in KINDS.items():
        cells = "".join(
            f"{f[kind]['paired']:>5} paired: {f[kind]['median_ms']:>5} / {f[kind]['p95_ms']:>5} ms,"
            f" {f[kind]['within_80ms']:>5.1%}"
            for f in engines
        )
        print(f"{label:46}{cells}")
    print(f"(median / p95, share within 80 ms; {counts})")


def main() -> None:
    """Print the word-timing error and the manifest growth."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--engine",
        choices=("pyttsx3", "piper"),
        default="pyttsx3",
        help="piper: both engines' word starts against their audio's sound onsets",
    )
    args = parser.parse_args()
    if args.engine == "piper":
        need_modules('pip install -e ".[natural,test]"', "piper", "numpy", "miniaudio")
        result = {engine: measure_onsets(engine) for engine in ("pyttsx3", "piper")}
        if args.json:
            print(json.dumps(result))
            return
        print_onsets(result)
        return
    result = measure()
    if args.json:
        print(json.dumps(result))
        return
    accuracy, size = result["accuracy"], result["size"]
    print(f"word starts vs eSpeak audio_position, NETs document, {accuracy['words']} words:")
    print(
        f"  manifest: median {accuracy['median_ms']} ms, p95 {accuracy['p95_ms']} ms, "
        f"max {accuracy['max_ms']} ms (target: median <= 30, p95 <= 80)"
    )
    print(
        f"  samples delivered when the event arrived (rejected): median "
        f"{accuracy['samples_delivered_median_ms']} ms, p95 "
        f"{accuracy['samples_delivered_p95_ms']} ms"
    )
    for form, figures in size.items():
        print(
            f"gzipped manifest ({form}): {figures['gzip_bytes_without_words']} B without words, "
            f"{figures['gzip_bytes_with_words']} B with, +{figures['growth_percent']}% "
            "(target <= 60%)"
        )


if __name__ == "__main__":
    main()
