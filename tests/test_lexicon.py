"""Tests for reader.pipeline.lexicon: loading staff lexicons and matching their words."""

from pathlib import Path

import pytest

from reader.errors import ContentError
from reader.pipeline.lexicon import Entry, Lexicon, load_lexicon, parse_pls, parse_tsv

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def said(lexicon: Lexicon, text: str, lang: str = "en-GB") -> str:
    """Replace lexicon words, leaving the rest as written."""
    return "".join(entry.spoken if entry else piece for piece, entry in lexicon.split(text, lang))


def test_tsv_entries_header_comments_and_languages():
    entries = parse_tsv("# note\nwritten\tspoken\tlang\n\nNETs\tN E Tees\nGIG\tG I G\tcy\n", "f")
    assert entries == [
        Entry("NETs", "N E Tees", "", "f line 4"),
        Entry("GIG", "G I G", "cy", "f line 5"),
    ]


def test_tsv_ignores_empty_trailing_spreadsheet_columns():
    assert parse_tsv("NET\tN E T\t\t\n", "f")[0].spoken == "N E T"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NET  N E T\n", "f line 1: expected the written word, a tab"),
        ("NET\t\n", "f line 1: how to say 'NET' is empty"),
        ("\tN E T\n", "f line 1: the written word is empty"),
        ("NET\tN E T\tEnglish\n", "f line 1: 'English' is not a language tag"),
        ("NET\tN E T\nNET\tnet\n", "f line 2: 'NET' is already on line 1"),
        ("NET\tN E T\ten\tnote\textra\n", "f line 1: expected at most 4 columns"),
    ],
)
def test_tsv_errors_say_file_and_line(text, message):
    with pytest.raises(ContentError, match=message):
        parse_tsv(text, "f")


def test_matching_is_whole_word():
    lexicon = Lexicon([Entry("NET", "N E T")])
    assert said(lexicon, "a NET, NETs, INTERNET, NETWORK, NET-like") == (
        "a N E T, NETs, INTERNET, NETWORK, N E T-like"
    )


def test_matching_is_case_sensitive():
    lexicon = Lexicon([Entry("NETs", "N E Tees")])
    assert said(lexicon, "NETs nets Nets NETS") == "N E Tees nets Nets NETS"


def test_a_lower_case_entry_also_matches_a_capital_first_letter():
    lexicon = Lexicon([Entry("octreotide", "oc-treeotide"), Entry("codeine", "kode-een")])
    lexicon = Lexicon([*lexicon.entries, Entry("Codeine", "Codeine phosphate")])
    assert said(lexicon, "Octreotide, octreotide, OCTREOTIDE") == (
        "oc-treeotide, oc-treeotide, OCTREOTIDE"
    )
    # An entry staff wrote for the capitalised spelling wins.
    assert said(lexicon, "Codeine or codeine") == "Codeine phosphate or kode-een"


def test_the_why_column_is_kept():
    entry = parse_tsv("written\tspoken\tlang\twhy\nPICC\tpick\t\teSpeak spells it\n", "f")[0]
    assert (entry.written, entry.spoken, entry.lang, entry.why) == (
        "PICC",
        "pick",
        "",
        "eSpeak spells it",
    )


def test_longest_entry_wins():
    lexicon = Lexicon([Entry("IV", "I V"), Entry("stage IV", "stage four")])
    assert said(lexicon, "stage IV, an IV drip") == "stage four, an I V drip"


def test_language_specific_entries():
    lexicon = Lexicon([Entry("GIG", "gig"), Entry("GIG", "G I G", "cy")])
    assert said(lexicon, "GIG", "cy") == "G I G"
    assert said(lexicon, "GIG", "en-GB") == "gig"
    assert Entry("X", "x", "en").applies_to("en-GB")
    assert not Entry("X", "x", "en-GB").applies_to("en-US")


def test_split_marks_matched_pieces():
    lexicon = Lexicon([Entry("NET", "N E T")])
    assert lexicon.split("a NET.", "en") == [
        ("a ", None),
        ("NET", Entry("NET", "N E T")),
        (".", None),
    ]
    assert Lexicon().split("text", "en") == [("text", None)]


def test_load_global_then_per_document_override(tmp_path):
    (tmp_path / "lexicon.tsv").write_text("NETs\tN E Tees\nNHS\tN H S\n", encoding="utf-8")
    (tmp_path / "doc.lexicon.tsv").write_text("NETs\tnets\n", encoding="utf-8")
    lexicon = load_lexicon(tmp_path, "doc")
    assert said(lexicon, "NETs and the NHS") == "nets and the N H S"
    assert said(load_lexicon(tmp_path, "other"), "NETs") == "N E Tees"
    assert lexicon.files == (tmp_path / "lexicon.tsv", tmp_path / "doc.lexicon.tsv")


def test_no_lexicon_files_is_an_empty_lexicon(tmp_path):
    lexicon = load_lexicon(tmp_path, "doc")
    assert lexicon.files == () and lexicon.entries == ()
    assert said(lexicon, "NETs") == "NETs"


def test_fixture_lexicons_load_with_pls_import():
    lexicon = load_lexicon(FIXTURES, "demo")
    assert [path.name for path in lexicon.files] == [
        "lexicon.tsv",
        "demo.lexicon.tsv",
        "demo.lexicon.pls",
    ]
    assert (
        said(lexicon, "NETs, SIRT, Afinitor, afinitor") == "nets, S I R T, a finnitor, a finnitor"
    )
    assert "SIRT" in lexicon and "everolimus" not in lexicon
    assert lexicon.warnings == (
        f"{FIXTURES / 'demo.lexicon.pls'} line 15: 'everolimus' has no <alias>, so the reader "
        "cannot use it; add an <alias> spelling that eSpeak says right",
    )


def test_pls_entries_take_the_primary_language():
    entries, _ = parse_pls((FIXTURES / "demo.lexicon.pls").read_bytes(), "p")
    assert entries[0] == Entry("SIRT", "S I R T", "en", "p line 5")
    assert entries[0].applies_to("en-US")


def test_pls_without_namespace_or_language():
    source = b"<lexicon><lexeme><grapheme>PIF</grapheme><alias>pif</alias></lexeme></lexicon>"
    assert parse_pls(source, "p") == ([Entry("PIF", "pif", "", "p line 1")], [])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            b"<lexicon>\n<lexeme><grapheme>A</grapheme>\n</lexicon>",
            r"p line 3: not well-formed XML",
        ),
        (
            b'<!DOCTYPE lexicon [<!ENTITY a "aaaa">]>\n<lexicon/>',
            "p line 1: a DOCTYPE is not allowed",
        ),
        (b"<lexicon>\n<lexeme><alias>x</alias></lexeme></lexicon>", "p line 2: a <lexeme> without"),
        (
            b"<lexicon><lexeme><grapheme>A</grapheme><alias>a</alias></lexeme>\n"
            b"<lexeme><grapheme>A</grapheme><alias>b</alias></lexeme></lexicon>",
            "p line 2: 'A' is already on line 1",
        ),
    ],
)
def test_bad_pls_errors_say_file_and_line(source, message):
    with pytest.raises(ContentError, match=message):
        parse_pls(source, "p")


def test_bad_file_error_names_the_file(tmp_path):
    (tmp_path / "lexicon.tsv").write_text("ok\tfine\nbroken line\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"lexicon\.tsv line 2: expected"):
        load_lexicon(tmp_path, "doc")


def test_non_utf8_lexicon_says_file_and_line(tmp_path):
    (tmp_path / "lexicon.tsv").write_bytes(b"NET\tN E T\ncaf\xe9\tcafe\n")
    with pytest.raises(ContentError, match=r"lexicon\.tsv line 2: not UTF-8 \(byte offset 13\)"):
        load_lexicon(tmp_path, "doc")


def test_same_word_in_tsv_and_pls_at_one_level_is_an_error(tmp_path):
    (tmp_path / "lexicon.tsv").write_text("NET\tN E T\n", encoding="utf-8")
    (tmp_path / "lexicon.pls").write_bytes(
        b"<lexicon><lexeme><grapheme>NET</grapheme><alias>net</alias></lexeme></lexicon>"
    )
    with pytest.raises(ContentError, match=r"lexicon\.pls line 1: 'NET' is also in .*line 1"):
        load_lexicon(tmp_path, "doc")
