"""Is a token an English word? Asked of words.txt, a word list shipped next to this module."""

from __future__ import annotations

from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("words.txt")
"""The lower-case alphabetic words that both Webster's (web2) and GCIDE list, sorted, one a
line: each list alone holds stray abbreviations ("dna", "ok"). Made from the english-words
package by `python -m tests.speech.wordlist`, and a test checks it still matches."""


@cache
def _words() -> str:
    # Read once per process and searched in place: a page asks a few dozen questions, too
    # few to repay building a set of 85,000 strings.
    # A plain path, not importlib.resources, whose imports cost more than this whole read.
    return WORDS_FILE.read_text(encoding="ascii")


def is_listed(word: str) -> bool:
    """Return whether `word`, exactly as given, is a line of the word list."""
    text = _words()
    if not word or "\n" in word:
        return False
    # Binary search on the sorted lines: `low` and `high` are offsets that always fall at
    # the start of a line, and every line before `low` sorts before `word`.
    low, high = 0, len(text)
    while low < high:
        # The start of the line that holds the midpoint (`low` itself when that line is the first).
        middle = max(low, text.rfind("\n", low, (low + high) // 2) + 1)
        end = text.find("\n", middle, high)
        end = high if end < 0 else end
        line = text[middle:end]
        if line == word:
            return True
        if line < word:
            low = end + 1
        else:
            high = middle
    return False


_ENDINGS = ("s", "es", "ed", "ing")
"""The lists hold base forms only: "nurses" and "booked" are found as "nurse" and "book"."""


def is_english_word(token: str) -> bool:
    """Return whether `token`, in any case, is an English word or a regular inflection of one."""
    word = token.lower()
    if is_listed(word):
        return True
    if word.endswith("ed") and is_listed(word[:-1]):
        return True  # "used", "booked" is caught below
    return any(
        word.endswith(ending) and len(word) - len(ending) >= 3 and is_listed(word[: -len(ending)])
        for ending in _ENDINGS
    )
