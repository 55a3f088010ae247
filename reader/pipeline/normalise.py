"""Normalisation: rewrite display text so eSpeak NG says what the page means (speechtext rules)."""

from __future__ import annotations

import re

from reader.pipeline.sentences import collapse_whitespace
from reader.pipeline.speechtext import LANGUAGES, Words, apply_rules, words_for
from reader.pipeline.speechtext.capitals import reads_as_word

__all__ = [
    "LANGUAGES",
    "Words",
    "is_speakable",
    "normalise",
    "reads_as_word",
    "spell_out",
    "tidy",
    "words_for",
]

_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?)])")
_REPEATED_COMMA = re.compile(r",(?:\s*,)+")
_SPACE_AFTER_BRACKET = re.compile(r"\(\s+")
_BRACKET_AFTER_WORD = re.compile(r"(?<=[^\W_])\((?!s\)|es\))")
_ALL_CAPITALS = re.compile(r"[A-Z]{2,}")


def normalise(text: str, lang: str) -> str:
    """Rewrite numbers, units, symbols, dates, abbreviations and capitals in `text` as words."""
    return apply_rules(text, lang)


def tidy(text: str) -> str:
    """Collapse the white space that removed symbols leave behind."""
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", collapse_whitespace(text))
    # "38°C( 100.4 F)": a bracket glued to the word before, or a space inside it, as pages
    # type them; spoken text puts the space outside.
    text = _BRACKET_AFTER_WORD.sub(" (", _SPACE_AFTER_BRACKET.sub("(", text))
    return _REPEATED_COMMA.sub(",", text)


def is_speakable(text: str) -> bool:
    """Return whether `text` has anything to say: at least one letter or digit."""
    return any(ch.isalnum() for ch in text)


def spell_out(word: str, lang: str = "en") -> str:
    """Return how normalisation says an all-capital word alone: by the capitals policy."""
    if not _ALL_CAPITALS.fullmatch(word):
        return word
    return normalise(word, lang)
