"""The real pyttsx3 + eSpeak NG adapter, and the faults it designs around."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reader.errors import EngineError
from reader.pipeline.encode import pcm_seconds
from reader.pipeline.engine import Pyttsx3Engine, engine_id, load_espeak
from tests.audio import pcm_samples, rms

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def engine() -> Pyttsx3Engine:
    return Pyttsx3Engine(rate=160)


def test_a_sentence_is_speech_of_a_plausible_length(engine):
    pcm = engine.synthesise("Hormones control how different organs in the body work.", "gmw/en")
    # Nine words at 160 words a minute take about 3.4 s; eSpeak's own timing varies a little.
    assert 2.0 < pcm_seconds(pcm) < 5.0
    assert rms(pcm_samples(pcm)) > 500


def test_the_engines_trailing_silence_is_cut(engine):
    pcm = engine.synthesise("Types of cancer.", "gmw/en")
    assert pcm[-2:] != b"\x00\x00"


def test_the_same_text_gives_the_same_speech(engine):
    # eSpeak NG carries state from one utterance to the next, so the bytes differ by a few
    # milliseconds of audio; what must hold is the speech itself.
    first = engine.synthesise("The tracer shows up on scan pictures.", "gmw/en")
    again = engine.synthesise("The tracer shows up on scan pictures.", "gmw/en")
    assert abs(pcm_seconds(again) - pcm_seconds(first)) < 0.05


def test_an_unknown_voice_is_an_error_that_lists_the_installed_ones(engine):
    with pytest.raises(EngineError, match="not installed") as caught:
        engine.synthesise("Hello.", "gmw/en-xx-nonexistent")
    assert "gmw/en" in str(caught.value) and "cel/cy" in str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", "…", "-- ."])
def test_empty_text_is_a_clear_error_not_an_assertion(engine, text):
    with pytest.raises(ValueError, match="nothing to say"):
        engine.synthesise(text, "gmw/en")


def test_markup_characters_are_not_sent_to_the_engine(engine):
    # eSpeak would say "less than" and "greater than", adding about a second.
    plain = engine.synthesise("Take the tablets now.", "gmw/en")
    marked = engine.synthesise("Take the <tablets> now.", "gmw/en")
    assert abs(pcm_seconds(marked) - pcm_seconds(plain)) < 0.05


def test_a_welsh_voice_reads_welsh(engine):
    welsh = engine.synthesise("Mae hwn yn wybodaeth am ganser.", "cel/cy")
    english = engine.synthesise("Mae hwn yn wybodaeth am ganser.", "gmw/en")
    assert rms(pcm_samples(welsh)) > 500
    assert welsh != english


def test_the_engine_names_both_versions():
    assert engine_id().startswith("pyttsx3-2.99/espeak-ng-1.")


def test_a_missing_espeak_library_says_how_to_install_it(monkeypatch):
    import espeakng_loader

    load_espeak.cache_clear()
    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: "/nonexistent/libespeak.so")
    try:
        with pytest.raises(EngineError, match="apt-get install libespeak-ng1"):
            load_espeak()
    finally:
        monkeypatch.undo()
        load_espeak.cache_clear()
        load_espeak()


FRESH_PROCESS = """
from reader.pipeline.encode import pcm_seconds
from reader.pipeline.engine import Pyttsx3Engine
engine = Pyttsx3Engine(160)
long = "Hormones control how different organs in the body work, and how fast."
texts = [long, "Yes.", long, "No."]
print(*(pcm_seconds(engine.synthesise(text, "gmw/en")) for text in texts))
"""


def test_every_utterance_gets_its_own_audio_from_the_first_on():
    # The driver's first runAndWait returns before eSpeak finishes; unless the adapter waits,
    # each sentence's file holds the previous sentence's audio.
    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, check=True
        )
        long, short, long_again, short_again = map(float, run.stdout.split())
        assert short < 1.0 and short_again < 1.0 and long > 3.0, run.stdout
        # The rate holds from the first sentence on.
        assert abs(long - long_again) < 0.05, run.stdout
        assert run.stderr == ""
