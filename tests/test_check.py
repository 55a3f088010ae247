"""Tests for reader.pipeline.check: the content lint."""

from pathlib import Path

from reader.pipeline.check import check_document, find_all, is_abbreviation_like
from reader.pipeline.lexicon import Entry, Lexicon, load_lexicon, parse_tsv
from reader.pipeline.normalise import spell_out
from reader.pipeline.parse import parse_document
from reader.pipeline.phonemes import phonemes
from reader.pipeline.speech import spoken_sections

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


def test_words_to_listen_to_are_not_problems():
    # Capitals are heard as letters or as words: `reader check` shows them, but they pass.
    assert check("<h1>T</h1><p>XYZ and eGFR.</p><h2>Later</h2><p>XYZ again, NHS.</p>") == []


def test_what_will_be_heard_comes_with_each_section_and_lexicon_line():
    page = '<html lang="en-GB"><body><main><h1>T</h1><p>A b.</p><h2>Later</h2>'
    page += "<p>Ask the XYZ team. Then XYZ again.</p></main></body></html>"
    findings = find_all(parse_document(page.encode(), "x"), Lexicon())
    (xyz,) = [f for f in findings if f.written == "XYZ"]
    assert (xyz.level, xyz.section, xyz.count) == ("listen", "Later", 2)
    assert xyz.heard == spell_out("XYZ") and xyz.sounds
    assert xyz.suggestion.split("\t")[:2] == ["XYZ", "xyz"]


def test_lexicon_entries_silence_what_will_be_heard():
    lexicon = Lexicon([Entry("XYZ", "x y z"), Entry("eGFR", "e G F R")])
    page = '<html lang="en-GB"><body><main><h1>T</h1><p>XYZ and eGFR.</p></main></body></html>'
    findings = find_all(parse_document(page.encode(), "x"), lexicon)
    assert [f for f in findings if f.written in ("XYZ", "eGFR")] == []


def test_is_abbreviation_like():
    assert all(map(is_abbreviation_like, ["NETs", "CgA", "MEN1", "eGFR", "NHS", "IntronA"]))
    assert not any(map(is_abbreviation_like, ["Macmillan", "3D", "x", "N"]))


def test_a_symbol_said_aloud_is_a_problem_with_its_section():
    # No speech-text rule covers a backslash; eSpeak names it.
    problems = check("<h1>T</h1><p>Type x\\y now.</p>")
    assert problems == [
        f'section "T": "Type x\\y now.": "\\" will be said aloud, '
        f"/{phonemes('backslash', ipa=True)}/; say what it means in words"
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


# --- a check staff can trust: the patterns of issue 21 ----------------------------------------

TRUST_PAGE = """<h1>Bowel preparation / diet</h1>
<p>ASK your pharmacist. Take sachet A OR sachet B. Choose box 'A' or box 'B'.</p>
<p>MOVIPREP and CITRAFLEET are brand names. ACE inhibitors and HER2 tests. NHS, PALS, XYZ.</p>
<p>A fever is 39°C/102°F or 39C (102F). Ages 60 -69. Store below 25˚C. Sr Jones. Sodium (Na).</p>
<p>Mmol/mol is the unit. Results are in g/L and µmol/L. Take 5 mg (milligrams).</p>
<p>Call (0131) 5360403. Use the A/B form. Dial 12345. Have the hepatitis A vaccine.</p>
<table><thead><tr><th>Test</th><th>Result</th></tr></thead>
<tbody><tr><td>Sodium</td><td>150 *</td></tr><tr><td>Urea</td><td>9 !</td></tr></tbody></table>
<p>* far outside the normal range</p>"""


def trust_document(lexicon: Lexicon | None = None):
    page = f'<html lang="en-GB"><body><main>{TRUST_PAGE}</main></body></html>'
    return parse_document(page.encode(), "x"), lexicon or Lexicon()


def said(document, lexicon) -> list[str]:
    """Return what eSpeak NG says for every sentence of the document, as phonemes."""
    return [
        phonemes(sentence.spoken)
        for section in spoken_sections(document, lexicon)
        for sentence in section.sentences
    ]


def test_the_rules_leave_nothing_on_a_real_pages_patterns_to_fix():
    assert check(TRUST_PAGE) == []


def test_every_suggested_lexicon_line_changes_what_espeak_says_and_fixes_its_problem():
    document, lexicon = trust_document(Lexicon([Entry("hepatitis A", "hepatitis A")]))
    before = said(document, lexicon)
    findings = [f for f in find_all(document, lexicon) if f.suggestion]
    assert findings  # the page has words whose other reading staff may want
    for finding in findings:
        entry = parse_tsv(finding.suggestion, "suggestion")[0]
        fixed = Lexicon([*lexicon.entries, entry])
        assert said(document, fixed) != before, finding.suggestion
        if finding.level == "problem":
            assert finding not in find_all(document, fixed)


def test_no_lexicon_line_for_a_capital_the_policy_reads_from_a_list():
    findings = {f.written: f for f in find_all(*trust_document())}
    for word, source in (("ASK", "the word list"), ("PALS", "the word list"), ("ACE", "codes.tsv")):
        assert findings[word].suggestion == "" and f"({source})" in findings[word].message
    assert findings["XYZ"].suggestion.split("\t")[:2] == ["XYZ", "xyz"]


def test_a_capital_word_read_as_a_word_is_never_a_letter_a_said_uh():
    findings = find_all(*trust_document())
    letter_a = [f for f in findings if 'letter A said "uh"' in f.message]
    assert [f.written for f in letter_a] == []
    citrafleet = next(f for f in findings if f.written == "CITRAFLEET")
    assert citrafleet.level == "listen" and "as a word" in citrafleet.message


def test_every_listen_line_shows_exactly_what_will_be_heard():
    document, lexicon = trust_document()
    spoken = " ".join(
        s.spoken for section in spoken_sections(document, lexicon) for s in section.sentences
    )
    for finding in find_all(document, lexicon):
        if finding.level == "listen":
            assert finding.heard in spoken, finding
            assert f'"{finding.heard}" /{finding.sounds}/' in finding.message


def test_a_welsh_looking_name_outside_the_gazetteer_is_to_listen_to():
    page = "<h1>Title</h1><p>Visit Ysbyty Gwynedd, Maesgwyn or Pen-y-Ffridd. Ask Lloyd.</p>"
    document, lexicon = (
        parse_document(f'<html lang="en-GB"><body><main>{page}</main></body></html>'.encode(), "x"),
        Lexicon(),
    )
    found = {f.written: f for f in find_all(document, lexicon)}
    assert set(found) == {"Maesgwyn", "Pen-y-Ffridd"}  # the gazetteer reads Ysbyty Gwynedd
    assert all('<span lang="cy">' in f.message and f.level == "listen" for f in found.values())


def test_a_flag_said_by_its_name_asks_for_a_key():
    findings = find_all(*trust_document())
    (flag,) = [f for f in findings if f.written == "!"]
    assert flag.level == "listen" and flag.heard == "exclamation mark"
    (keyed,) = [f for f in findings if f.written == "*"]  # the page's key says what * means
    assert keyed.level == "listen" and keyed.heard == "far outside the normal range"


def test_a_mark_said_by_a_key_in_another_section_is_to_listen_to():
    page = (
        "<h1>Exclusion table</h1><table><tr><th>Infection</th><th>Exclusion period</th></tr>"
        "<tr><td>Diptheria*</td><td>Exclusion is essential.</td></tr></table>"
        "<h2>Key</h2><p>*denotes a notifiable disease.</p>"
    )
    document = parse_document(
        f'<html lang="en-GB"><body><main>{page}</main></body></html>'.encode(), "x"
    )
    (keyed,) = [f for f in find_all(document, Lexicon()) if f.written == "*"]
    assert keyed.level == "listen" and keyed.section == "Exclusion table"
    assert keyed.heard == "a notifiable disease" and '"Diptheria*"' in keyed.message


MEDIA_PAGE = (
    "<h1>Fever</h1><p>How to help.</p><h2>Watch</h2>"
    '<iframe src="https://www.youtube.com/embed/x1" title="Taking a temperature"></iframe>'
    '<p>Or look.</p><img src="/thermometer.png"><img src="/line.png" alt="">'
    '<figure><img src="/rash.png" alt="A rash"><figcaption>A rash.</figcaption></figure>'
)


def test_an_image_without_alt_text_and_a_video_are_findings():
    problems = check(MEDIA_PAGE)
    assert problems == [
        'a video here is not read aloud ("Taking a temperature", after the heading "Watch"); '
        "the page links to it instead",
        'an image (/thermometer.png) after the heading "Watch" has no alt text, so listeners '
        'do not hear it: give it alt text that says what it shows, or alt="" if it is decoration',
    ]


def test_the_admin_preview_shows_the_same_findings(tmp_path):
    from reader.admin.preview import inspect_document

    page = f'<html lang="en-GB"><body><main>{MEDIA_PAGE}</main></body></html>'.encode()
    shown = inspect_document(page, "fever", tmp_path)
    assert shown["findings"] == check(MEDIA_PAGE)
    assert "Video: <a" in shown["html"] and "Image: A rash" in shown["html"]


def test_reader_check_reports_media_and_images_and_fails(tmp_path):
    from click.testing import CliRunner

    from reader.cli import main

    page = f'<html lang="en-GB"><body><main>{MEDIA_PAGE}</main></body></html>'
    (tmp_path / "fever.html").write_text(page, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path), "--voice", "gmw/en"])
    assert result.exit_code == 1, result.output
    assert "a video here is not read aloud" in result.output
    assert "has no alt text" in result.output and "/line.png" not in result.output


def test_a_table_cell_with_row_and_column_headers_is_shown_as_heard():
    page = (
        "<h1>Results</h1><table><tr><td></td><th>Normal range</th></tr>"
        "<tr><th scope='row'>Sodium</th><td>135-145 mmol/L</td></tr>"
        "<tr><th scope='row'>Urea</th><td>2.5-7.8 mmol/L</td></tr></table>"
    )
    document = parse_document(
        f'<html lang="en-GB"><body><main>{page}</main></body></html>'.encode(), "x"
    )
    (headed,) = [f for f in find_all(document, Lexicon()) if "with its headers" in f.message]
    assert headed.level == "listen" and headed.written == "Sodium, Normal range"
    assert headed.heard == "Sodium, Normal range: 135 to 145 millimoles per litre"
    assert f'"{headed.heard}" /{headed.sounds}/' in headed.message
