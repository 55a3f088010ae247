"""Every corpus sentence is turned into exactly the spoken text a listener must hear."""

import pytest

from tests.speech.corpus import HELDOUT as HELDOUT_FILE
from tests.speech.corpus import load_corpus

CASES = load_corpus()
CATEGORIES = {
    "telephone numbers",
    "units",
    "blood pressure",
    "comparison and maths symbols",
    "fractions and slashes",
    "dates and times",
    "money and big numbers",
    "Roman numerals",
    "capitals",
    "letters",
    "abbreviations",
    "symbols",
    "web and e-mail addresses",
    "pauses",
}


def test_corpus_is_large_and_covers_every_category():
    assert len(CASES) >= 250
    counts = {category: sum(c.category == category for c in CASES) for category in CATEGORIES}
    assert {c.category for c in CASES} == CATEGORIES
    assert min(counts.values()) >= 8, counts


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.line}-{c.category}")
def test_sentence_is_said_as_expected(case):
    assert case.said() == case.spoken


HELDOUT = load_corpus(HELDOUT_FILE)


def test_every_held_out_sentence_names_its_source():
    assert len(HELDOUT) >= 30
    assert all(case.source.startswith(("http", "NHS")) for case in HELDOUT)


@pytest.mark.parametrize("case", HELDOUT, ids=lambda c: f"heldout-{c.line}-{c.category}")
def test_held_out_sentence_is_said_as_expected(case):
    assert case.said() == case.spoken
