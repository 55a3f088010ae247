"""The shipped word list: it matches the english-words package, and lookups agree with a set."""

from __future__ import annotations

from reader.pipeline.speechtext.wordlist import WORDS_FILE, is_english_word, is_listed
from tests.speech.wordlist import listed_words


def test_the_shipped_list_is_what_the_english_words_package_gives():
    # If this fails, english-words changed: run `python -m tests.speech.wordlist` and check
    # the corpus report, since a changed list can change what pages say.
    assert WORDS_FILE.read_text(encoding="ascii") == listed_words()


def test_every_listed_word_is_found_and_near_misses_are_not():
    words = WORDS_FILE.read_text(encoding="ascii").split()
    known = set(words)
    assert words == sorted(known)  # the binary search needs sorted, unique lines
    for word in words[::7] + words[:3] + words[-3:]:
        assert is_listed(word)
        for near in (word[:-1], word + "q", "q" + word, word[1:], word.upper(), word + "\n"):
            assert is_listed(near) == (near in known), near
    for odd in ("", "\n", " ", "{", "zzzzzzzz", "aaaaaa"):
        assert is_listed(odd) == (odd in known), odd


def test_inflections_and_any_case_are_english_words():
    assert is_english_word("TWICE")
    assert is_english_word("nurses") and is_english_word("booked") and is_english_word("used")
    assert not is_english_word("NHS")
    assert not is_english_word("dna") and not is_english_word("OK")  # each in one list only
