"""Word timings: each word the engine said, placed on the sentence's display text.

The engine reports words in the text it was given, which normalisation and the lexicon made
differ from the page ("500mg" is said "500 milligrams"). The two texts are aligned character by
character, and each spoken word is given the display word (or words) its characters came
from; spoken words with no characters of their own, such as "milligrams", take the display
word they were written in, so several spoken words can share one display span.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from difflib import SequenceMatcher

from reader.model import SpokenWord, Utterance

Word = tuple[float, int, int]
"""(start in seconds, offset, length): the offset and length in UTF-16 code units."""

START_DECIMALS = 2
"""Word starts to the hundredth of a second: 5 ms at most off, and a smaller manifest."""
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb()[]{}.,;:!?\u2026\u2014"
"""Punctuation that is not part of the word it touches: quotes, brackets, stops, dashes."""


def word_timings(display: str, utterance: Utterance, start: float) -> list[Word]:
    """Return the manifest's words for one sentence whose audio starts at `start` seconds."""
    spans = display_spans(display, utterance.text, utterance.words)
    units = _utf16_offsets(display)
    rate = utterance.sample_rate
    return [
        (round(start + word.sample / rate, START_DECIMALS), units[lo], units[hi] - units[lo])
        for word, (lo, hi) in zip(utterance.words, spans, strict=True)
    ]


def display_spans(display: str, said: str, words: Sequence[SpokenWord]) -> list[tuple[int, int]]:
    """Return, for each spoken word, the (start, end) of the display text it reads."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(display)]
    if not tokens:
        raise ValueError("the display text has no words to place the spoken words on")
    to_display = _character_map(display, said)
    spans = []
    for word in words:
        mapped = [i for i in to_display[word.start : word.start + word.length] if i is not None]
        if mapped:
            first, last = _token_at(tokens, min(mapped)), _token_at(tokens, max(mapped))
        else:
            # A spoken word made up by normalisation: the display word it was written in.
            first = last = _inserted_at(tokens, to_display, word.start)
        spans.append(_trimmed(display, tokens[first][0], tokens[last][1]))
    return spans


def _character_map(display: str, said: str) -> list[int | None]:
    """Map each character of `said` to the display character it came from, or None."""
    if display == said:
        return list(range(len(said)))  # most sentences are said as written
    matcher = SequenceMatcher(None, _lower(display), _lower(said), autojunk=False)
    to_display: list[int | None] = [None] * len(said)
    for op, d1, d2, s1, s2 in matcher.get_opcodes():
        for j in range(s1, s2):
            if op == "equal":
                to_display[j] = d1 + (j - s1)
            elif op == "replace":
                # Rewritten text ("12/03" said "12 March"): spread it over what it replaced.
                to_display[j] = d1 + (j - s1) * (d2 - d1) // (s2 - s1)
    return to_display


def _lower(text: str) -> str:
    # Lower case, one character for one, so that indices still line up.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _inserted_at(tokens: list[tuple[int, int]], to_display: list[int | None], index: int) -> int:
    """Return the token a spoken word with no display characters of its own belongs to.

    That is the first display word that starts between the mapped characters either side of
    it ("e.g." for "for" in "for example"), or else the one the character before it is in.
    """
    before = next(
        (to_display[i] for i in range(index - 1, -1, -1) if to_display[i] is not None), -1
    )
    after = next((i for i in to_display[index:] if i is not None), tokens[-1][1])
    for number, (start, _) in enumerate(tokens):
        if before < start <= after:
            return number
    return _token_at(tokens, max(before, 0))


def _token_at(tokens: list[tuple[int, int]], position: int) -> int:
    """Return the index of the token holding `position`, or of the one before a gap."""
    return max(0, bisect_right([start for start, _ in tokens], position) - 1)


def _trimmed(display: str, start: int, end: int) -> tuple[int, int]:
    """Drop the punctuation around a span, unless it is nothing but punctuation."""
    lo, hi = start, end
    while lo < hi and display[lo] in _EDGE_PUNCTUATION:
        lo += 1
    while hi > lo and display[hi - 1] in _EDGE_PUNCTUATION:
        if display[hi - 1] == "." and "." in display[lo : hi - 1]:
            break  # an abbreviation keeps its last full stop: "e.g."
        hi -= 1
    return (lo, hi) if lo < hi else (start, end)


def _utf16_offsets(text: str) -> list[int]:
    """Return the UTF-16 offset of every character index of `text`, and of its end."""
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return offsets
