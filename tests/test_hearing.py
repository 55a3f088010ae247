"""What `reader check` says will be heard, decided by the bundled eSpeak NG's phonemes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.pipeline import hearing
from reader.pipeline.hearing import LISTEN, PROBLEM, hear_document, hear_sentence
from reader.pipeline.lexicon import Entry, Lexicon, parse_tsv
from reader.pipeline.parse import parse_document
from reader.pipeline.phonemes import phonemes
from tests.support.content import SMALL, write_document

VOICE = "gmw/en"


@pytest.fixture
def as_written(monkeypatch):
    """Send text to the engine as written, so these tests hear eSpeak, not the rules."""
    monkeypatch.setattr(hearing, "spoken_text", lambda text, lang, lexicon: text)


def heard(text: str, lexicon: Lexicon | None = None) -> list:
    return list(hear_sentence(text, "en-GB", lexicon or Lexicon(), VOICE))


def test_a_symbol_the_engine_drops_is_never_reported_as_said_aloud(as_written):
    # The adapter strips < and >; eSpeak itself skips |, _ and brackets.
    findings = heard("Note x | y, a_b and [1] here.")
    assert not [f for f in findings if "said aloud" in f.message]


def test_a_meaningful_symbol_dropped_silently_is_a_problem(as_written):
    (finding,) = [f for f in heard("If your PSA is > 4, call us.") if f.written == ">"]
    assert finding.level == PROBLEM and finding.written == ">"
    assert 'the listener hears "PSA is 4, call"' in finding.message


def test_a_symbol_named_aloud_is_a_problem_with_its_name(as_written):
    (finding,) = heard("Dial #5 now.")
    assert finding.level == PROBLEM
    assert f"/{phonemes('hash', ipa=True)}/" in finding.message
    assert finding.suggestion.split("\t")[:2] == ["#5", "5"]


def test_a_symbol_said_with_its_meaning_is_only_to_listen_to(as_written):
    (finding,) = heard("Take 5 + 6 tablets.")
    assert finding.level == LISTEN and f"/{phonemes('plus', ipa=True)}/" in finding.message


def test_a_letter_a_said_uh_is_a_problem_whose_lexicon_line_fixes_it(as_written):
    (finding,) = heard("Hepatitis A and hepatitis C.")[:1]
    assert finding.level == PROBLEM and 'letter A said "uh"' in finding.message
    # An entry for "A" alone would change every article, so the line names the word before.
    assert finding.suggestion.startswith("Hepatitis A\tHepatitis eh\t")
    lexicon = Lexicon(parse_tsv(finding.suggestion, "suggestion"))
    assert not [f for f in heard("Hepatitis A and hepatitis C.", lexicon) if f.level == PROBLEM]


def test_the_article_a_at_the_start_is_not_a_letter(as_written):
    assert heard("A nurse will call.") == []


def test_capitals_are_heard_as_letters_or_as_a_word_with_the_other_reading_suggested(as_written):
    (letters,) = heard("Ask the XYZ team.")
    assert letters.level == LISTEN and "as letters" in letters.message
    assert letters.suggestion.split("\t")[:2] == ["XYZ", "xyz"]
    (word,) = heard("Ask the NASA team.")
    assert "as a word" in word.message
    assert word.suggestion.split("\t")[:2] == ["NASA", "N eh S eh"]


def test_lone_capital_letters_and_digits_with_letters_are_heard(as_written):
    written = {f.written for f in heard("Vitamin B and 5HT3 levels, x and I.")}
    assert written == {"B", "5HT3"}


def test_numbers_eSpeak_would_read_as_one_big_number_are_heard(as_written):
    findings = {f.written: f for f in heard("Ring 0808 or 12345 at 17:30, not 250 or 1,000.")}
    assert set(findings) == {"0808", "12345", "17:30"}
    # eSpeak says "twelve thousand…"; the suggestion reads it digit by digit.
    assert findings["12345"].suggestion.split("\t")[:2] == ["12345", "1 2 3 4 5"]
    assert findings["0808"].suggestion == ""  # eSpeak already says "zero eight zero eight"


def test_words_a_rule_rewrote_together_are_heard_together():
    # The rules turn "120/80 mmHg" into one run of words; it is heard as one, with its IPA.
    findings = heard("Aim for 120/80 mmHg; IV fluids help.")
    runs = [f for f in findings if f.written.startswith("120/80 mmHg")]
    assert runs and all(f.heard and f.sounds and not f.suggestion for f in runs)


def test_lexicon_words_are_covered():
    assert heard("Ask the XYZ team.", Lexicon([Entry("XYZ", "ex why zed")])) == []


def test_a_document_reports_each_word_once_with_a_count_and_its_first_section():
    page = (
        '<html lang="en-GB"><body><main><h1>Title</h1><p>The XYZ team.</p>'
        "<h2>Later</h2><p>XYZ again. XYZ once more.</p></main></body></html>"
    )
    (finding,) = hear_document(parse_document(page.encode(), "x"), Lexicon())
    assert (finding.written, finding.section, finding.count) == ("XYZ", "Title", 3)


def test_check_prints_findings_with_lexicon_lines_and_json_for_the_admin_page(tmp_path):
    content = tmp_path / "content"
    write_document(content, "small", SMALL.replace("The detail.", "Dial the XYZ desk."))
    args = ["check", "--engine", "fake", "--content", str(content)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert 'small: listen: section "Detail": "XYZ" will be heard as letters' in result.output
    assert "if that is wrong, add to the lexicon: XYZ\txyz\t\t" in result.output
    assert result.output.splitlines()[-1] == "small: ok; 1 word to listen to above"
    report = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    (finding,) = report["small"]
    assert finding["level"] == "listen" and finding["section"] == "Detail"
    assert set(finding) == {
        "level",
        "message",
        "section",
        "written",
        "heard",
        "sounds",
        "suggestion",
        "count",
    }
