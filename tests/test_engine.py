"""The real pyttsx3 + eSpeak NG adapter, and the faults it designs around."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from reader.errors import EngineError
from reader.pipeline.encode import pcm_seconds
from reader.pipeline.engine import SAMPLE_RATE, Pyttsx3Engine, engine_id, load_espeak
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


class EspeakPositions:
    """Note eSpeak NG's own audio_position of every word event, beside the engine's observer."""

    def __enter__(self):
        from pyttsx3.drivers import _espeak

        self.words: list[tuple[int, int, int]] = []
        self._message: int | None = None
        self._espeak, self._handle = _espeak, _espeak.SynthCallback

        def note(wav, numsamples, events):
            index = 0
            while events[index].type != _espeak.EVENT_LIST_TERMINATED:
                event = events[index]
                if event.type == _espeak.EVENT_WORD:
                    if event.unique_identifier != self._message:
                        # A new message: the engine tried again after eSpeak NG cancelled
                        # the last one (see Pyttsx3Engine._render); only the kept one counts.
                        self._message, self.words = event.unique_identifier, []
                    self.words.append((event.audio_position, event.text_position, event.length))
                index += 1
            return self._handle(wav, numsamples, events)

        _espeak.SetSynthCallback(note)
        return self

    def __exit__(self, *error):
        # Put the engine's own callback back as it was, not wrapped once more.
        self._espeak.SynthCallback = self._handle
        self._espeak.cSetSynthCallback(self._handle)


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("Hormones control how different organs in the body work, and how fast.", "gmw/en"),
        ("Take 500 milligrams, 5 to 10 times; then rest for 2 days.", "gmw/en"),
        ("On 30 June 2018 the IntronA trial ended.", "gmw/en"),
        ("Mae hwn yn wybodaeth am ŵyr a chanser.", "cel/cy"),
    ],
)
def test_word_starts_are_espeaks_own_audio_positions(engine, text, voice):
    with EspeakPositions() as espeak:
        utterance = engine.speak(text, voice)
    assert len(utterance.words) == len(espeak.words) >= len(text.split()) // 2
    for word, (position_ms, text_position, length) in zip(
        utterance.words, espeak.words, strict=True
    ):
        # audio_position is whole milliseconds, rounded down; the sample is exact.
        assert 0 <= word.sample * 1000 / SAMPLE_RATE - position_ms < 1
        assert (word.start + 1, word.length) == (text_position, length)
        assert utterance.text[word.start].isalnum()
    assert utterance.words[-1].sample < len(utterance.pcm) // 2


def test_a_word_espeak_places_inside_another_is_moved_to_its_own_start(engine):
    # eSpeak reports "as" in "such as" one character into "such".
    utterance = engine.speak("In organs such as the stomach.", "gmw/en")
    said = [utterance.text[w.start : w.start + w.length] for w in utterance.words]
    assert said == ["In", "organs", "such", "as", "the", "stomach"]


def test_each_utterance_reports_only_its_own_words(engine):
    first = engine.speak("Types of cancer.", "gmw/en")
    second = engine.speak("Types of cancer.", "gmw/en")
    assert [w.start for w in first.words] == [w.start for w in second.words] == [0, 6, 9]


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


def test_the_drivers_poll_ends_when_the_utterance_finishes(engine):
    # The driver sleeps 10 ms per poll of its loop; a sentence said in 4 ms must not wait out
    # the rest. Its loop's clock is the adapter's, whose sleep ends on "finished-utterance".
    import pyttsx3.drivers.espeak as driver

    engine.synthesise("Yes.", "gmw/en")
    finished = threading.Event()
    # An utterance that has finished leaves the clock set: even a long sleep returns at once.
    sleeper = threading.Thread(target=lambda: (driver.time.sleep(30), finished.set()))
    sleeper.start()
    assert finished.wait(5), "the driver's sleep did not end when the utterance finished"
    sleeper.join()
    # Anything else the driver asks of `time` is the real thing.
    assert driver.time.monotonic is time.monotonic


FIRST_AND_SECOND = """
import json
from reader.pipeline.phonemes import phonemes
from reader.pipeline.engine import Pyttsx3Engine
# eSpeak NG used before pyttsx3 starts it, as the test suite's phoneme checks do.
for voice in ("gmw/en", "cel/cy", "gmw/de", "roa/fr", "gmw/en-us"):
    phonemes("Call 999, or 111 for 5 mg of it on 3 June.", voice)
engine = Pyttsx3Engine(160)
text = "Hormones control how different organs in the body work."
first, second = (engine.speak(text, "gmw/en") for _ in range(2))
print(json.dumps([[len(u.pcm), [w.sample for w in u.words]] for u in (first, second)]))
"""


def test_a_new_engines_first_sentence_is_said_like_the_next():
    # The warm-up utterance in Pyttsx3Engine.__init__ takes the first turn, which once came
    # out five times too fast in a long-lived process; a fresh one shows the sentence whole.
    result = subprocess.run(
        [sys.executable, "-c", FIRST_AND_SECOND], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    (first, first_words), (second, second_words) = json.loads(result.stdout)
    assert abs(first - second) < 0.05 * second
    assert len(first_words) == len(second_words) >= 8  # eSpeak says "in the" as one
    assert all(abs(a - b) < 0.05 * second for a, b in zip(first_words, second_words, strict=True))


ONCE = """
import json
from reader.pipeline.encode import pcm_seconds
from reader.pipeline.espeak import load_espeak
# Count every initialisation, by the adapter's ctypes library or by pyttsx3's binding (which
# must find the bundled library already loaded, as the adapter sees to).
calls = []
library = load_espeak()[0]
from pyttsx3.drivers import _espeak
direct, binding = library.espeak_Initialize, _espeak.Initialize
library.espeak_Initialize = lambda *args: calls.append("library") or direct(*args)
_espeak.Initialize = lambda *args: calls.append("pyttsx3") or binding(*args)
from reader.pipeline.engine import Pyttsx3Engine
from reader.pipeline.phonemes import phonemes
phonemes("Call 999, or 111 for 5 mg of it.", "gmw/en")
first = Pyttsx3Engine(160)
phonemes("Mae hwn yn wybodaeth am ganser.", "cel/cy")
second = Pyttsx3Engine(160)
text = "Hormones control how different organs in the body work."
print(json.dumps([calls, pcm_seconds(second.synthesise(text, "gmw/en"))]))
"""


def test_espeak_is_initialised_once_however_a_process_first_uses_it():
    # A phoneme lookup before pyttsx3 started used to initialise eSpeak NG, and pyttsx3 then
    # initialised it again: that reloads the phoneme data under the translator chosen before,
    # whose tables then point at freed memory (README, "The speech engine").
    run = subprocess.run([sys.executable, "-c", ONCE], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    calls, seconds = json.loads(run.stdout)
    assert len(calls) == 1, calls
    assert 2.0 < seconds < 5.0
