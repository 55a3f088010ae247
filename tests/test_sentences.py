"""Tests for reader.pipeline.sentences: cutting display text into sentences."""

import pytest

from reader.pipeline.sentences import collapse_whitespace, split_sentences


def test_collapse_whitespace_includes_no_break_spaces():
    assert collapse_whitespace("  a\n\tb\u00a0 c  ") == "a b c"


def test_splits_at_full_stops_questions_and_exclamations():
    assert split_sentences("One. Two? Three! Four") == ["One.", "Two?", "Three!", "Four"]


@pytest.mark.parametrize(
    "text",
    [
        "Some tests, e.g. A scan, are quick.",
        "Rare tumours, i.e. NETs, grow slowly.",
        "Ask Dr. Jones about it.",
        "See Prof. Iveson today.",
        "It takes 2.5 hours.",
        "NETs can be non-cancerous (benign) or cancerous.",
        "Stop. then carry on in lower case.",
        "Call Tel. 0800 123 4567 or ext. 5566 today.",
        "Go to Room No. 5 at St. Mary's.",
        "Smith v. Jones decided it.",
        "Prices incl. VAT are shown.",
        "Dr A. Smith is your consultant.",
    ],
)
def test_does_not_split_inside_a_sentence(text):
    assert split_sentences(text) == [text]


def test_splits_after_closing_brackets_and_registered_marks():
    text = "Drugs are sunitinib (Sutent®) and everolimus (Afinitor®). You take these drugs."
    assert split_sentences(text) == [
        "Drugs are sunitinib (Sutent®) and everolimus (Afinitor®).",
        "You take these drugs.",
    ]


def test_splits_before_a_bracket_or_number_and_after_quotes():
    text = "NETs are rare (malignant). (Most are not.) 60 people said \u201cyes.\u201d Then"
    assert split_sentences(text) == [
        "NETs are rare (malignant).",
        "(Most are not.)",
        "60 people said \u201cyes.\u201d",
        "Then",
    ]


def test_no_can_end_a_sentence():
    assert split_sentences("Do you smoke? No. Then skip this.") == [
        "Do you smoke?",
        "No.",
        "Then skip this.",
    ]


def test_no_before_a_number_does_not_end_a_sentence():
    assert split_sentences("Is it catching? No. 5 people caught it.") == [
        "Is it catching?",
        "No. 5 people caught it.",
    ]


def test_etc_can_end_a_sentence():
    assert split_sentences("Eggs, milk etc. The rest") == ["Eggs, milk etc.", "The rest"]


def test_every_sentence_is_a_substring_of_the_text():
    text = "A (benign) tumour. E.g. this one… And 30/06/2018 is a date! Done"
    sentences = split_sentences(text)
    assert len(sentences) == 4
    assert all(sentence in text for sentence in sentences)


def test_empty_text_has_no_sentences():
    assert split_sentences("") == []
