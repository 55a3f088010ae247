"""Tests for reader.pipeline.check: the content lint."""

from pathlib import Path

from reader.pipeline.check import check_document, is_abbreviation_like
from reader.pipeline.lexicon import Entry, Lexicon, load_lexicon
from reader.pipeline.parse import parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def check(body: str, lexicon: Lexicon | None = None) -> list[str]:
    page = f'<html lang="en-GB"><body><main>{body}</main></body></html>'
    return check_document(parse_document(page.encode(), "x"), lexicon or Lexicon())


def test_clean_document_has_no_problems():
    assert (
        check("<h1>Title</h1><p>Plain words. Your GP can help.</p><h2>More</h2><p>Text.</p>") == []
    )


def test_demo_fixture_reports_only_its_pls_warning():
    document = parse_document((FIXTURES / "demo.html").read_bytes(), "demo")
    problems = check_document(document, load_lexicon(FIXTURES, "demo"))
    assert len(problems) == 1 and "'everolimus' has no <alias>" in problems[0]


def test_outline_warnings_are_reported():
    problems = check("<h1>T</h1><h3>Skipped</h3><p>x</p>")
    assert problems == [
        'heading "Skipped" was an h3 under an h1, skipping a level; it is now an h2'
    ]


def test_empty_sections_are_reported_but_not_headings_over_subsections():
    problems = check("<h1>T</h1><h2>Parent</h2><h3>Child</h3><p>x</p><h2>Empty</h2><h2>Last</h2>")
    assert problems == [
        'section "Empty" has only its heading and no text',
        'section "Last" has only its heading and no text',
    ]


def test_unknown_abbreviations_are_listed_with_their_sections():
    problems = check(
        "<h1>T</h1><p>XYZ and eGFR.</p><h2>Later</h2><p>XYZ again, NHS, NICE, CgA, Smith.</p>"
    )
    assert problems == [
        '"XYZ" (in "T", "Later") has no lexicon entry and will be said "X Y Z"; '
        "if that is wrong, add it to content/lexicon.tsv",
        '"eGFR" (in "T") has no lexicon entry and will be said "eGFR"; '
        "if that is wrong, add it to content/lexicon.tsv",
    ]


def test_lexicon_entries_silence_abbreviation_reports():
    lexicon = Lexicon([Entry("XYZ", "x y z"), Entry("eGFR", "e G F R")])
    assert check("<h1>T</h1><p>XYZ and eGFR.</p>", lexicon) == []


def test_is_abbreviation_like():
    assert all(map(is_abbreviation_like, ["NETs", "CgA", "MEN1", "eGFR", "NHS", "IntronA"]))
    assert not any(map(is_abbreviation_like, ["Macmillan", "3D", "x", "N"]))


def test_symbols_said_aloud_are_reported():
    problems = check("<h1>T</h1><p>Take it on 06/30/2018 and/or later.</p>")
    assert problems == [
        'section "T": "Take it on 06/30/2018 and/or later." will be read with \'slash\' '
        "said aloud; reword it or add a lexicon entry"
    ]


def test_web_addresses_in_text_are_reported():
    problems = check("<h1>T</h1><p>Visit www.example.org for more.</p>")
    assert len(problems) == 1 and "has a web address" in problems[0]


def test_long_sentences_and_sections_are_reported():
    long_sentence = " ".join(["word"] * 45) + "."
    problems = check(f"<h1>T</h1><p>{long_sentence}</p><h2>Long</h2><p>{'Short. ' * 41}</p>")
    assert any("a sentence of 45 words" in p for p in problems)
    assert any('section "Long" has 42 sentences' in p for p in problems)


def test_duplicate_headings_are_reported():
    problems = check("<h1>T</h1><h2>Tests</h2><p>a</p><h2>tests</h2><p>b</p>")
    assert problems == [
        '2 sections are headed "Tests"; listeners moving between sections cannot tell them apart'
    ]


def test_links_and_abbreviations_without_titles_are_reported():
    problems = check(
        '<h1>T</h1><p><a href="/a">Click here</a>, <a href="javascript:x()">run</a>, '
        '<a href="/b">the leaflet</a> and <abbr>GP</abbr>.</p>'
    )
    assert problems == [
        'the link text "Click here" does not say where the link goes',
        'the link "run" has no usable address (only http, https, mailto and relative links '
        "are kept), so it is shown as plain text",
        "<abbr>GP</abbr> has no title saying what it stands for",
    ]


def test_lexicon_warnings_are_reported():
    lexicon = Lexicon(warnings=["f line 3: 'x' has no <alias>"])
    assert check("<h1>T</h1><p>Text.</p>", lexicon) == ["f line 3: 'x' has no <alias>"]
