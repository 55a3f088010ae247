"""What the synthesis workers are given and what they return: a section's job and its audio."""

from __future__ import annotations

from dataclasses import dataclass

from reader.model import Sentence
from reader.pipeline.words import Word


@dataclass(frozen=True)
class SectionJob:
    """A section to synthesise, named by the hash of everything that shapes its audio."""

    key: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class SectionAudio:
    """A section's MP3 and where each sentence starts and ends in it."""

    key: str
    mp3: bytes
    duration: float
    """Seconds, including the encoder's priming silence."""
    timings: tuple[tuple[float, float], ...]
    """(start, end) in seconds for each sentence, in order."""
    voices: tuple[str, ...]
    """Voice used for each sentence."""
    words: tuple[tuple[Word, ...], ...] = ()
    """Each sentence's words: (start in seconds, UTF-16 offset, length) in its display text."""
    parts: tuple[tuple[tuple[float, float, str], ...], ...] = ()
    """Each sentence's parts when it mixes languages: (start, end, voice); () for the rest."""
