"""A fast, deterministic stand-in for the speech engine, for tests and previews."""

from __future__ import annotations

import math
import re
from array import array

from reader.errors import EngineError
from reader.model import SpokenWord, Utterance
from reader.pipeline.engine import SAMPLE_RATE, unknown_voice_message

FAKE_ENGINE_ID = "fake-1"
FAKE_VOICES = ("cel/cy", "gmw/de", "gmw/en", "gmw/en-us", "roa/fr")
_PERIOD = 98  # samples: a 225 Hz tone repeats exactly every 98 samples at 22,050 Hz
_LEAD_IN = 0.1
"""Seconds before the first word, as eSpeak leaves a little silence before speech."""
_WORD = re.compile("\\w+(?:['\u2019-]\\w+)*")
_TONE = array("h", (int(3000 * math.sin(2 * math.pi * i / _PERIOD)) for i in range(_PERIOD)))


def engine_id() -> str:
    """Name the fake engine; a change to its sound changes the version."""
    return FAKE_ENGINE_ID


class FakeEngine:
    """Turn text into a tone as long as the text would take to say at `rate`."""

    def __init__(self, rate: int):
        self.rate = rate

    def voices(self) -> list[str]:
        """List the voices the fake pretends to have."""
        return list(FAKE_VOICES)

    def synthesise(self, text: str, voice: str) -> bytes:
        """Return PCM whose length follows the text's length, like real speech."""
        return self.speak(text, voice).pcm

    def speak(self, text: str, voice: str) -> Utterance:
        """Return the tone and a word event per word, each at its share of the time."""
        if voice not in FAKE_VOICES:
            raise EngineError(unknown_voice_message(voice, FAKE_VOICES))
        if not any(ch.isalnum() for ch in text):
            raise ValueError("nothing to say: the spoken text has no letters or digits")
        # About 5.5 characters a word, as in English prose.
        per_character = 60 / (self.rate * 5.5)
        seconds = 2 * _LEAD_IN + len(text) * per_character
        periods = max(1, int(seconds * SAMPLE_RATE) // _PERIOD)
        words = tuple(
            SpokenWord(
                round((_LEAD_IN + m.start() * per_character) * SAMPLE_RATE),
                m.start(),
                m.end() - m.start(),
            )
            for m in _WORD.finditer(text)
        )
        return Utterance(text, (_TONE * periods).tobytes(), words)
