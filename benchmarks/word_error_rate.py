"""Word error rate of a recogniser's transcript against the text that was spoken.

Both sides go through one normalisation, so that only what was heard differently counts:
lower case, numbers as words, punctuation out, British spellings as American ones. The
reference is the speech text a build said, whose respellings are written for eSpeak NG
("neuro-endocrine", "C T"); a recogniser writes those words whole ("neuroendocrine", "CT"),
so hyphens between letters and runs of single capitals are joined on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import jiwer
from num2words import num2words
from whisper_normalizer.english import EnglishSpellingNormalizer

_HYPHEN_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(st|nd|rd|th)?", re.IGNORECASE)
# The typewriter apostrophe and the typographic ones.
_APOSTROPHE = re.compile("['\u2019\u2018]")
# "A" and "I" are words of their own, so they never start a run of spelled letters.
_LETTER = re.compile(r"[A-Z]")
_WORD_LETTERS = {"A", "I"}
# Whisper's own list of British and American spellings (the one its evaluations use).
_AMERICAN = EnglishSpellingNormalizer().mapping


class WordErrors(NamedTuple):
    """The word-level edits that turn the references into the transcripts."""

    words: int
    substitutions: int
    deletions: int
    insertions: int

    @property
    def rate(self) -> float:
        """Return the word error rate: edits per word of the references."""
        return (self.substitutions + self.deletions + self.insertions) / self.words


def _number_words(match: re.Match) -> str:
    """Say a number as words: 6 is "six", 1,200 "one thousand two hundred", 21st "twenty-first"."""
    digits = match.group().replace(",", "")
    if match.group(1):
        words = num2words(int(digits[: -len(match.group(1))]), to="ordinal")
    else:
        words = num2words(float(digits) if "." in digits else int(digits))
    # Spaces keep the words apart from letters written against the digits ("3D").
    return f" {words} "


def _joined_spellings(tokens: list[str]) -> list[str]:
    """Join runs of single capital letters into one word: "N E T" is "NET"."""
    joined: list[str] = []
    in_run = False
    for token in tokens:
        letter = bool(_LETTER.fullmatch(token))
        if letter and in_run:
            joined[-1] += token
        else:
            joined.append(token)
        in_run = letter and (in_run or token not in _WORD_LETTERS)
    return joined


def normalise(text: str) -> list[str]:
    """Return the words of `text` as the word error rate compares them."""
    text = unicodedata.normalize("NFKC", text)
    text = _HYPHEN_BETWEEN_LETTERS.sub("", text)
    text = _NUMBER.sub(_number_words, text)
    text = _APOSTROPHE.sub("", text)
    # Every other punctuation mark or symbol separates words.
    text = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    words = [word.lower() for word in _joined_spellings(text.split())]
    return [_AMERICAN.get(word, word) for word in words]


def word_errors(references: list[str], transcripts: list[str]) -> WordErrors:
    """Count the edits from each reference to its transcript, summed over all the pairs.

    Each pair is aligned on its own (a section of audio against its spoken text), so words
    never move between pairs. References with no words are left out.
    """
    pairs = [
        (" ".join(ref), " ".join(normalise(hyp)))
        for ref, hyp in ((normalise(r), h) for r, h in zip(references, transcripts, strict=True))
        if ref
    ]
    if not pairs:
        raise ValueError("no reference has a word to compare")
    output = jiwer.process_words([ref for ref, _ in pairs], [hyp for _, hyp in pairs])
    words = output.hits + output.substitutions + output.deletions
    return WordErrors(words, output.substitutions, output.deletions, output.insertions)
