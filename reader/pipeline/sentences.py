"""Split a block's display text into sentences the widget can find on the page."""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")

# A candidate end: terminal punctuation, then any closing quotes or brackets, then space.
_CANDIDATE_END = re.compile(r"[.!?\u2026]+[\"'\u2019\u201d)\]]*(?=\s)")

# Abbreviations that never end a sentence, lower-cased. "etc." is not here: it often does.
ABBREVIATIONS = frozenset(
    {
        "e.g.",
        "i.e.",
        "e.e.",  # Welsh "er enghraifft"
        "h.y.",  # Welsh "hynny yw"
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "prof.",
        "sr.",
        "st.",
        "vs.",
        "cf.",
        "approx.",
        "fig.",
        "v.",
        "incl.",
        "dept.",
    }
)

_INITIAL = re.compile(r"[A-Z]\.")

BEFORE_NUMBERS = frozenset({"no.", "nos.", "tel.", "ext.", "fig.", "p.", "pp.", "vol."})
"""Abbreviations that never end a sentence when a number follows: "No. 5", "Tel. 0800…"."""


def collapse_whitespace(text: str) -> str:
    """Collapse runs of white space (including no-break spaces) to one space and trim."""
    # Python's \s, like JavaScript's, includes U+00A0, so the widget collapses the same way.
    return _WHITESPACE.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split whitespace-collapsed text into sentences, each an exact substring of it."""
    sentences = []
    start = 0
    for match in _CANDIDATE_END.finditer(text):
        end = match.end()
        if match.start() == 0 or text[match.start() - 1].isspace():
            continue  # a lone "!" is a symbol, a flag in a table cell, not a sentence's end
        if _ends_sentence(text, end):
            piece = text[start:end].strip()
            if piece:
                sentences.append(piece)
            start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _is_name_after_title(text: str, end: int) -> bool:
    before = text[:end].rsplit(None, 2)
    return len(before) >= 2 and before[-2].rstrip(".").lower() + "." in _TITLES


_TITLES = frozenset({"dr.", "mr.", "mrs.", "ms.", "prof.", "sr."})


def _ends_sentence(text: str, end: int) -> bool:
    following = text[end:].lstrip()
    if not following or following[0].islower():
        # "(benign) or …", "e.g. the …": a lower-case word continues the sentence.
        return False
    word = text[:end].rsplit(None, 1)[-1].lower()
    # Strip opening brackets so "(e.g. NETs)" is still recognised.
    word = word.lstrip("(\"'\u2018\u201c[")
    if word in BEFORE_NUMBERS and following[0].isdigit():
        return False
    if _INITIAL.fullmatch(text[:end].rsplit(None, 1)[-1]) and _is_name_after_title(text, end):
        return False  # "Dr A. Smith": an initial, not the end of a sentence
    return word not in ABBREVIATIONS
