"""Tests for reader.pipeline.speech: Document → sentences with display and spoken text."""

from pathlib import Path

from reader.model import Block, Document, Section, Sentence
from reader.pipeline.lexicon import Entry, Lexicon, load_lexicon
from reader.pipeline.parse import parse_document
from reader.pipeline.speech import PAUSES, block_sentences, spoken_sections, spoken_text

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def document_of(*blocks: Block, heading: str = "Title") -> Document:
    section = Section("title", heading, 1, (Block(heading, "en-GB", "heading"), *blocks))
    return Document("x", heading, "en-GB", (section,), "", "0" * 64)


def page_document(body: str) -> Document:
    page = f'<html lang="en-GB"><body><main>{body}</main></body></html>'
    return parse_document(page.encode(), "x")


def test_demo_document_end_to_end():
    document = parse_document((FIXTURES / "demo.html").read_bytes(), "demo")
    sections = spoken_sections(document, load_lexicon(FIXTURES, "demo"))
    assert [(s.id, s.level) for s in sections] == [
        ("demo-nets-page", 1),
        ("treatment", 2),
        ("cymraeg", 2),
    ]
    intro, treatment, welsh = sections
    assert intro.sentences == (
        Sentence("Demo NETs page", "Demo nets page", "en-GB", 0.7),
        Sentence("NETs are rare.", "nets are rare.", "en-GB", 0.3),
        Sentence(
            "Your NHS team, e.g. your GP, can help.",
            "Your N H S team, for example your G P, can help.",
            "en-GB",
            0.55,
        ),
    )
    assert [(s.text, s.spoken) for s in treatment.sentences[1:]] == [
        (
            "You may have everolimus (Afinitor®) or SIRT.",
            "You may have everolimus (a finnitor) or S I R T.",
        ),
        ("Reviewed: 30/06/2018", "Reviewed: 30 June 2018"),
        ("Next review: 31/12/2020", "Next review: 31 December 2020"),
    ]
    assert [s.pause for s in treatment.sentences] == [0.7, 0.55, 0.5, 0.5]
    assert [(s.spoken, s.lang) for s in welsh.sentences] == [
        ("Cymraeg", "cy"),
        ("Mae G I G Cymru yn helpu.", "cy"),
        ("Ffoniwch ni.", "cy"),
    ]
    assert all("Print" not in s.text for section in sections for s in section.sentences)


def test_every_sentence_text_is_found_in_its_block():
    document = parse_document((FIXTURES / "demo.html").read_bytes(), "demo")
    lexicon = load_lexicon(FIXTURES, "demo")
    for section, spoken in zip(document.sections, spoken_sections(document, lexicon), strict=True):
        texts = " ".join(block.text for block in section.blocks)
        assert all(sentence.text in texts for sentence in spoken.sentences)
        assert spoken.sentences[0].text == section.heading


def test_list_items_are_never_run_together():
    document = document_of(Block("first item", "en-GB", "item"), Block("second", "en-GB", "item"))
    sentences = spoken_sections(document, Lexicon())[0].sentences
    assert [s.text for s in sentences[1:]] == ["first item", "second"]
    assert [s.pause for s in sentences] == [PAUSES["heading"], PAUSES["item"], PAUSES["item"]]


def test_a_block_ends_with_a_longer_pause_than_its_sentences():
    sentences = block_sentences(Block("One. Two. Three.", "en-GB", "paragraph"), Lexicon())
    assert [s.pause for s in sentences] == [PAUSES["sentence"]] * 2 + [PAUSES["paragraph"]]
    assert PAUSES["sentence"] < PAUSES["paragraph"] < PAUSES["heading"]
    cell = block_sentences(Block("A cell", "en-GB", "cell"), Lexicon())
    assert cell[0].pause == PAUSES["cell"]


def test_unspeakable_sentences_are_dropped_and_the_pause_moves_back():
    sentences = block_sentences(Block("Real words. … ® !", "en-GB", "paragraph"), Lexicon())
    assert sentences == [Sentence("Real words.", "Real words.", "en-GB", PAUSES["paragraph"])]
    assert block_sentences(Block("—", "en-GB", "item"), Lexicon()) == []


def test_a_section_always_keeps_its_heading():
    document = document_of(Block("Text.", "en-GB", "paragraph"), heading="®")
    sentences = spoken_sections(document, Lexicon())[0].sentences
    assert sentences[0] == Sentence("®", "®", "en-GB", PAUSES["heading"])
    assert sentences[1].text == "Text."


def test_lexicon_respellings_are_not_normalised_again():
    lexicon = Lexicon([Entry("SIRT", "SIRT therapy"), Entry("5-HIAA", "five H I A A")])
    assert spoken_text("SIRT and NHS", "en-GB", lexicon) == "SIRT therapy and N H S"
    assert spoken_text("a 5-HIAA test", "en-GB", lexicon) == "a five H I A A test"


def test_a_heading_is_one_sentence():
    sentences = block_sentences(Block("Step 1. Prepare", "en-GB", "heading"), Lexicon())
    assert [s.text for s in sentences] == ["Step 1. Prepare"]


def test_welsh_sentences_use_welsh_rules_and_lang():
    block = Block("Ar 30/06/2018. Diolch.", "cy", "paragraph")
    assert block_sentences(block, Lexicon()) == [
        Sentence("Ar 30/06/2018.", "Ar 30 Mehefin 2018.", "cy", PAUSES["sentence"]),
        Sentence("Diolch.", "Diolch.", "cy", PAUSES["paragraph"]),
    ]


def test_a_data_cell_is_said_with_its_column_header_before_its_first_sentence():
    cell = Block("135-145 mmol/L. Lower in children.", "en-GB", "cell", label="Normal range")
    said = [s.spoken for s in block_sentences(cell, Lexicon())]
    assert said == ["Normal range: 135 to 145 millimoles per litre.", "Lower in children."]
    assert block_sentences(cell, Lexicon())[0].text == "135-145 mmol/L."


def test_a_symbol_in_a_cell_is_said_by_the_key_that_defines_it_else_by_name():
    document = document_of(
        Block("150 *", "en-GB", "cell", label="Result"),
        Block("! 7.1", "en-GB", "cell"),
        Block("* far outside the normal range", "en-GB", "paragraph"),
    )
    said = [s.spoken for s in spoken_sections(document, Lexicon())[0].sentences[1:]]
    assert said == [
        "Result: 150, far outside the normal range",
        "exclamation mark, 7.1",
        "far outside the normal range",
    ]


def test_a_data_cell_is_said_with_its_row_header_and_its_column_header():
    page = (
        "<h1>Results</h1><table><tr><td></td><th>Normal range</th></tr>"
        "<tr><th scope='row'>Sodium</th><td>135-145 mmol/L</td></tr></table>"
    )
    said = [s.spoken for s in spoken_sections(page_document(page), Lexicon())[0].sentences]
    assert said[-1] == "Sodium, Normal range: 135 to 145 millimoles per litre"
    assert [s.text for s in spoken_sections(page_document(page), Lexicon())[0].sentences][-1] == (
        "135-145 mmol/L"  # the headers are heard, never shown as the cell's text
    )


def test_a_key_in_another_section_says_what_a_mark_in_a_cell_means():
    # GOV.UK's exclusion table marks a notifiable disease "Diptheria*" and keys it after the
    # table; here the key is in a later section, as a "Key" section would hold it.
    page = (
        "<h1>Exclusion table</h1><table><tr><th>Infection</th><th>Exclusion period</th></tr>"
        "<tr><td>Diptheria*</td><td>Exclusion is essential.</td></tr>"
        "<tr><td>Flu</td><td>7.1 !</td></tr></table>"
        "<h2>Key</h2><p>*denotes a notifiable disease.</p>"
    )
    table = spoken_sections(page_document(page), Lexicon())[0].sentences
    assert [s.spoken for s in table][3:5] == [
        "Infection: Diptheria, a notifiable disease",
        "Exclusion period: Exclusion is essential.",
    ]
    assert table[-1].spoken == "Exclusion period: 7.1, exclamation mark"  # no key: its name


def test_a_key_in_the_same_section_wins_over_one_elsewhere_on_the_page():
    page = (
        "<h1>Results</h1><table><tr><th>Result</th></tr><tr><td>150 *</td></tr></table>"
        "<p>* far outside the normal range</p><h2>Notes</h2><p>* checked twice</p>"
    )
    said = [s.spoken for s in spoken_sections(page_document(page), Lexicon())[0].sentences]
    assert "Result: 150, far outside the normal range" in said


def test_a_mark_after_a_word_with_no_key_stays_silent():
    cell = Block("Diptheria*", "en-GB", "cell")
    assert [s.spoken for s in block_sentences(cell, Lexicon())] == ["Diptheria"]


def test_a_symbol_never_cuts_a_cell_into_two_sentences():
    sentences = block_sentences(Block("High ! Repeat the test", "en-GB", "cell"), Lexicon())
    assert [s.text for s in sentences] == ["High ! Repeat the test"]
    assert sentences[0].spoken == "High, exclamation mark, Repeat the test"


def test_welsh_place_names_in_english_text_are_read_by_the_welsh_voice():
    block = Block("Go to Ysbyty Glan Clwyd or Llandudno. Ask Mr Lloyd.", "en-GB", "paragraph")
    first, second = block_sentences(block, Lexicon())
    assert [(p.text, p.lang) for p in first.parts] == [
        ("Go to", "en-GB"),
        ("Ysbyty Glan Clwyd", "cy"),
        ("or", "en-GB"),
        ("Llandudno", "cy"),
    ]
    assert second.parts == ()  # "Lloyd" is no place name


def test_a_name_the_page_marks_keeps_the_pages_language():
    text = "Ysbyty Gwynedd, Bangor"
    block = Block(text, "en-GB", "paragraph", spans=((0, len(text), "cy"),))
    (sentence,) = block_sentences(block, Lexicon())
    assert sentence.lang == "cy" and sentence.parts == ()
    welsh = Block("Ysbyty Gwynedd", "cy", "paragraph")
    assert block_sentences(welsh, Lexicon())[0].parts == ()
