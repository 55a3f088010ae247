"""Is a token an English word? Asked of a maintained word list (the english-words package)."""

from __future__ import annotations

from functools import cache

from english_words import get_english_words_set

SOURCES = ("web2", "gcide")
"""Both dictionaries must list a word: each alone holds stray abbreviations ("dna", "ok")."""


@cache
def english_words() -> frozenset[str]:
    """Return the lower-case words listed by every source, loaded once per process."""
    sets = [get_english_words_set([source], lower=True, alpha=True) for source in SOURCES]
    return frozenset(set.intersection(*sets))


_ENDINGS = ("s", "es", "ed", "ing")
"""The lists hold base forms only: "nurses" and "booked" are found as "nurse" and "book"."""


def is_english_word(token: str) -> bool:
    """Return whether `token`, in any case, is an English word or a regular inflection of one."""
    word = token.lower()
    known = english_words()
    if word in known:
        return True
    if word.endswith("ed") and word[:-1] in known:
        return True  # "used", "booked" is caught below
    return any(
        word.endswith(ending) and len(word) - len(ending) >= 3 and word[: -len(ending)] in known
        for ending in _ENDINGS
    )
