"""Make the shipped word list from the english-words package: `python -m tests.speech.wordlist`.

The reader reads the list from its own file (fast in a fresh process); english-words is needed
only here, to make that file and to test that it still says what the package says."""

from __future__ import annotations

import sys

from english_words import get_english_words_set

from reader.pipeline.speechtext.wordlist import WORDS_FILE

SOURCES = ("web2", "gcide")
"""Both dictionaries must list a word: each alone holds stray abbreviations ("dna", "ok")."""


def listed_words() -> str:
    """Return the word list's text: every lower-case alphabetic word both sources list."""
    sets = [get_english_words_set([source], lower=True, alpha=True) for source in SOURCES]
    # Sorted by code point, as the reader's binary search compares strings.
    return "".join(f"{word}\n" for word in sorted(set.intersection(*sets)))


def main() -> int:
    """Write the word list next to reader/pipeline/speechtext/wordlist.py."""
    text = listed_words()
    WORDS_FILE.write_text(text, encoding="ascii", newline="\n")
    print(f"wrote {text.count(chr(10))} words to {WORDS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
