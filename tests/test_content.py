"""Checks on the shipped content: the neuroendocrine tumours (NETs) document and its lexicon."""

import re
from pathlib import Path

import pytest

from reader.pipeline.check import check_document
from reader.pipeline.lexicon import load_lexicon
from reader.pipeline.parse import parse_document
from reader.pipeline.sentences import collapse_whitespace
from reader.pipeline.speech import spoken_sections

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SLUG = "neuroendocrine-tumours"
SOURCE = Path(__file__).parent / "fixtures" / "content" / f"{SLUG}.txt"
"""The text the document was made from, as staff supplied it."""


@pytest.fixture(scope="module")
def document():
    return parse_document((CONTENT / f"{SLUG}.html").read_bytes(), SLUG)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(CONTENT, SLUG)


@pytest.fixture(scope="module")
def spoken(document, lexicon):
    return spoken_sections(document, lexicon)


def source_headings() -> list[tuple[int, str]]:
    """Read the source's outline: unpunctuated top-level lines are h2, bullets with a body h3."""
    lines = [line for line in SOURCE.read_text(encoding="utf-8").splitlines() if line.strip()]
    outline = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        text = collapse_whitespace(line)
        if not line[0].isspace() and not text.endswith((".", ":")) and ": " not in text:
            outline.append((2, text))
        elif line.startswith("  \u2022") and following.startswith("    "):
            outline.append((3, text.removeprefix("\u2022 ")))
    return outline


def test_document_is_clean(document, lexicon):
    assert document.warnings == ()
    assert check_document(document, lexicon) == []


def test_title_and_language(document):
    assert document.title == "Neuroendocrine tumours (NETs)"
    assert document.lang == "en-GB"
    assert document.sections[0].id == "neuroendocrine-tumours-nets"
    assert document.html.count("<h1") == 1


def test_every_source_heading_is_a_section_in_order(document):
    expected = source_headings()
    assert sum(level == 2 for level, _ in expected) == 14
    assert sum(level == 3 for level, _ in expected) == 19
    actual = [(section.level, section.heading) for section in document.sections]
    assert actual == [(1, "Neuroendocrine tumours (NETs)"), *expected]


def test_named_items_are_h3_sections(document):
    h3 = {section.heading for section in document.sections if section.level == 3}
    for name in [
        "Urine and blood tests",
        "Ultrasound scan",
        "Watchful waiting",
        "Hepatic artery embolisation",
        "Reviewers",
    ]:
        assert name in h3


def test_every_section_heading_carries_its_id(document):
    for section in document.sections:
        assert re.search(rf'<h[123] id="{section.id}">', document.html)


def test_source_wording_is_kept(document):
    page_text = " ".join(block.text for s in document.sections for block in s.blocks)
    dropped = {"Reviewed: 30 June 2018", "Next review: 31 December 2020"}
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        text = collapse_whitespace(line).removeprefix("\u2022 ")
        if text and text not in dropped:
            assert text in page_text, text
    assert "Some NETS don't cause symptoms" in page_text


def test_you_can_is_kept_as_it_is(document):
    feelings = next(s for s in document.sections if s.heading == "Your feelings after treatment")
    assert feelings.blocks[-1].text == (
        "Macmillan is also here to support you. If you would like to talk, you can:"
    )


def test_lists_are_lists(document):
    types = next(s for s in document.sections if s.heading == "Types of NETs")
    items = [block.text for block in types.blocks if block.kind == "item"]
    assert items[:6] == [
        "small bowel NETs",
        "large bowel NETs",
        "appendix NETs",
        "pancreatic NETs",
        "stomach (gastric) NETs",
        "lung NETs.",
    ]
    assert len(items) == 12


@pytest.mark.parametrize(
    "abbreviation",
    ["NETs", "NET", "CgA", "FBC", "GP", "MDT", "CT", "MRI", "RFA", "SIRT", "MEN1", "PIF"],
)
def test_abbreviations_are_marked_up(document, abbreviation):
    assert re.search(rf'<abbr title="[^"]+">{abbreviation}</abbr>', document.html)


@pytest.mark.parametrize("word", ["NETs", "NET", "NETS", "SIRT", "MEN1", "PIF", "octreotide"])
def test_lexicon_has_the_documents_terms(lexicon, word):
    assert word in lexicon


def test_spoken_text_never_says_registered_or_slash(spoken):
    for section in spoken:
        for sentence in section.sentences:
            assert not re.search(r"registered|slash|®|/", sentence.spoken, re.IGNORECASE)


def test_nets_is_respelled_everywhere(spoken):
    said = " ".join(sentence.spoken for section in spoken for sentence in section.sentences)
    assert "N E Tees" in said
    assert not re.search(r"\bNETS?\b|\bNETs\b", said)


def test_review_dates_are_said_as_dates(spoken):
    reviewers = next(section for section in spoken if section.heading == "Reviewers")
    said = [sentence.spoken for sentence in reviewers.sentences]
    assert "Reviewed: 30 June 2018" in said
    assert "Next review: 31 December 2020" in said


def test_sentence_counts(spoken):
    assert len(spoken) == 34
    assert sum(len(section.sentences) for section in spoken) == 187
    for section in spoken:
        assert section.sentences[0].text == section.heading
