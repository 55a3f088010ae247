"""The intelligibility benchmark's word error rate: its normalisation and its edit counts."""

from __future__ import annotations

import pytest

from benchmarks.word_error_rate import WordErrors, normalise, word_errors


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hormones control how organs work.", ["hormones", "control", "how", "organs", "work"]),
        ("for at least 6 hours", ["for", "at", "least", "six", "hours"]),
        (
            "1,200 people, 2.5 cm",
            ["one", "thousand", "two", "hundred", "people", "two", "point", "five", "cm"],
        ),
        ("the 21st", ["the", "twenty", "first"]),
        ("a 3D picture", ["a", "three", "d", "picture"]),
        ("the body\u2019s cells don't", ["the", "bodys", "cells", "dont"]),
        ("tumours and diarrhoea", ["tumors", "and", "diarrhea"]),
        ("Neuro-endocrine x-rays", ["neuroendocrine", "xrays"]),
        ("2-3 hours", ["two", "three", "hours"]),
        ("A C T scan", ["a", "ct", "scan"]),
        ("A CT scan", ["a", "ct", "scan"]),
        ("M.E.N. 1", ["men", "one"]),
        ("I feel well", ["i", "feel", "well"]),
        ("", []),
    ],
)
def test_normalise_makes_the_same_words_of_what_sounds_the_same(text, words):
    assert normalise(text) == words


def test_digits_and_punctuation_are_no_errors_but_a_word_heard_for_two_is():
    assert word_errors(["Six hours, at least."], ["6 hours at least"]).rate == 0
    errors = word_errors(["What are N E Tees?"], ["What are NETs"])
    # "ne tees" against "nets": one substitution and one deletion.
    assert errors == WordErrors(words=4, substitutions=1, deletions=1, insertions=0)


def test_each_kind_of_edit_is_counted_against_the_reference_words():
    references = ["the scan takes six hours", "drink water before it"]
    transcripts = ["the scam takes six hours today", "drink before it"]
    # One substitution (scan/scam) and one insertion (today), then one deletion (water).
    errors = word_errors(references, transcripts)
    assert errors == WordErrors(words=9, substitutions=1, deletions=1, insertions=1)
    assert errors.rate == pytest.approx(3 / 9)


def test_pairs_are_aligned_one_by_one():
    # Across the pairs the words are all there, but each transcript misses its own.
    errors = word_errors(["one two", "three"], ["one", "two three"])
    assert errors == WordErrors(words=3, substitutions=0, deletions=1, insertions=1)


def test_an_empty_transcript_is_all_deletions_and_an_empty_reference_is_left_out():
    errors = word_errors(["bowel and lungs", "(  )"], ["", "noise"])
    assert errors == WordErrors(words=3, substitutions=0, deletions=3, insertions=0)
    assert errors.rate == 1
    with pytest.raises(ValueError, match="no reference"):
        word_errors(["—"], ["anything"])
