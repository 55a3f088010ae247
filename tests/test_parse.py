"""Tests for reader.pipeline.parse: HTML bytes → Document."""

import hashlib

import pytest

from reader.errors import ContentError
from reader.model import Block
from reader.pipeline import parse
from reader.pipeline.parse import parse_document, slugify


def doc(body: str, *, lang: str | None = "en-GB"):
    """Parse a full page with `body` inside <main>."""
    html_lang = f' lang="{lang}"' if lang else ""
    page = (
        f"<!doctype html><html{html_lang}><head><title>T</title></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return parse_document(page.encode(), "test")


def headings(document):
    return [(section.level, section.heading) for section in document.sections]


# --- choosing the content -------------------------------------------------------------------


def test_full_page_reads_main_only():
    page = (
        b'<html lang="en-GB"><body><nav>Menu</nav><p>Outside</p>'
        b"<main><h1>Title</h1><p>Inside.</p></main><footer>Footer</footer></body></html>"
    )
    document = parse_document(page, "x")
    assert document.title == "Title"
    assert [b.text for s in document.sections for b in s.blocks] == ["Title", "Inside."]
    assert "Outside" not in document.html and "Menu" not in document.html


def test_article_is_used_when_there_is_no_main():
    page = (
        b'<html lang="en-GB"><body><p>Chrome</p>'
        b"<article><h1>A</h1><p>Text.</p></article></body></html>"
    )
    document = parse_document(page, "x")
    assert "Chrome" not in document.html
    assert document.sections[0].blocks[1].text == "Text."


def test_body_is_used_when_there_is_no_main_or_article():
    page = (
        b'<html lang="en-GB"><head><title>Tab title</title></head>'
        b"<body><h1>B</h1><p>Text.</p></body></html>"
    )
    document = parse_document(page, "x")
    assert document.title == "B"
    assert "Tab title" not in document.html


def test_fragment_parses_like_a_page():
    fragment = parse_document(b"<h1>Title</h1><h2>Part</h2><p>Text.</p>", "x")
    page = doc("<h1>Title</h1><h2>Part</h2><p>Text.</p>")
    assert fragment.sections == page.sections
    assert fragment.html == page.html
    assert fragment.lang == "en-GB"


# --- what is dropped ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<nav>GONE</nav>",
        "<aside>GONE</aside>",
        "<script>GONE</script>",
        "<style>p{} GONE</style>",
        "<form><label>GONE</label></form>",
        "<iframe>GONE</iframe>",
        "<noscript>GONE</noscript>",
        "<template><p>GONE</p></template>",
        "<button>GONE</button>",
        "<p hidden>GONE</p>",
        '<div aria-hidden="true"><p>GONE</p></div>',
        '<p data-reader="skip">GONE</p>',
        '<p style="display: none">GONE</p>',
    ],
)
def test_dropped_elements_are_neither_shown_nor_read(markup):
    document = doc(f"<h1>Title</h1>{markup}<p>Kept.</p>")
    assert "GONE" not in document.html
    assert all("GONE" not in b.text for s in document.sections for b in s.blocks)
    assert document.sections[0].blocks[-1].text == "Kept."


def test_page_header_and_footer_are_dropped_but_an_articles_own_are_kept():
    page = (
        b'<html lang="en-GB"><body><header>Site banner</header>'
        b"<article><header><h1>Title</h1></header><p>Text.</p><footer>Reviewed 2020</footer>"
        b"</article><footer>Site footer</footer></body></html>"
    )
    document = parse_document(page, "x")
    texts = [b.text for b in document.sections[0].blocks]
    assert texts == ["Title", "Text.", "Reviewed 2020"]
    assert "Site" not in document.html


# --- sanitising -----------------------------------------------------------------------------


def test_scripts_event_handlers_and_javascript_urls_are_removed():
    document = doc(
        '<h1 onclick="steal()">Title</h1><p onmouseover="x()" style="color:red">Hi '
        '<a href="javascript:alert(1)">bad</a> <a href="https://nhs.uk/a">web</a> '
        '<a href="mailto:a@b.org">mail</a> <a href="/other#x">relative</a></p>'
        "<img src=x onerror=alert(1)><script>alert(1)</script>"
    )
    html = document.html
    for gone in ("onclick", "onmouseover", "style", "javascript", "alert", "<img", "<script"):
        assert gone not in html
    assert '<a href="https://nhs.uk/a">web</a>' in html
    assert '<a href="mailto:a@b.org">mail</a>' in html
    assert '<a href="/other#x">relative</a>' in html
    assert "<a>bad</a>" in html


def test_semantic_markup_is_kept():
    document = doc(
        '<h1>T</h1><p>A <abbr title="general practitioner" class="x">GP</abbr> on '
        '<time datetime="2018-06-30">30/06/2018</time> <em>and</em> <strong>more</strong>.</p>'
        '<table><tr><th scope="col">Head</th></tr><tr><td>Cell</td></tr></table>'
        '<dl><dt>Term</dt><dd>Meaning</dd></dl><blockquote lang="cy">Dyfyniad</blockquote>'
    )
    html = document.html
    assert '<abbr title="general practitioner">GP</abbr>' in html
    assert '<time datetime="2018-06-30">30/06/2018</time>' in html
    assert "<em>and</em>" in html and "<strong>more</strong>" in html
    assert '<th scope="col">Head</th>' in html and "<td>Cell</td>" in html
    assert "<dt>Term</dt><dd>Meaning</dd>" in html
    assert '<blockquote lang="cy">Dyfyniad</blockquote>' in html
    assert 'class="x"' not in html


# --- title, sections, outline ---------------------------------------------------------------


def test_every_h2_and_h3_starts_a_section_and_h4_stays_inside():
    document = doc(
        "<h1>Title</h1><p>Intro.</p><h2>Two</h2><p>a</p><h3>Three</h3><p>b</p>"
        "<h4>Four</h4><p>c</p><h2>Next</h2>"
    )
    assert headings(document) == [(1, "Title"), (2, "Two"), (3, "Three"), (2, "Next")]
    three = document.sections[2]
    assert [(b.kind, b.text) for b in three.blocks] == [
        ("heading", "Three"),
        ("paragraph", "b"),
        ("heading", "Four"),
        ("paragraph", "c"),
    ]
    assert document.warnings == ()


def test_introduction_is_the_h1_and_text_before_the_first_h2():
    document = doc('<h1 id="top">Title</h1><p>One.</p><ul><li>Item</li></ul><h2>Two</h2>')
    intro = document.sections[0]
    assert intro.id == "top" and intro.level == 1
    assert [b.kind for b in intro.blocks] == ["heading", "paragraph", "item"]


def test_each_section_starts_with_its_heading_block():
    document = doc("<h1>T</h1><h2>A</h2><p>x</p><h3>B</h3>")
    for section in document.sections:
        assert section.blocks[0] == Block(section.heading, "en-GB", "heading")


def test_missing_h1_is_an_error():
    with pytest.raises(ContentError, match="no h1"):
        doc("<h2>Only a subheading</h2><p>Text.</p>")


def test_second_h1_becomes_h2_with_a_warning():
    document = doc("<h1>Title</h1><p>x</p><h1>Another</h1><h2>Child</h2>")
    assert headings(document) == [(1, "Title"), (2, "Another"), (3, "Child")]
    assert document.html.count("<h1") == 1
    assert any('second h1 "Another"' in w for w in document.warnings)


def test_skipped_levels_are_closed_and_recorded():
    document = doc("<h1>T</h1><h2>A</h2><h4>Deep</h4><h4>Sibling</h4><h3>Back</h3>")
    assert headings(document) == [(1, "T"), (2, "A"), (3, "Deep"), (3, "Sibling"), (3, "Back")]
    assert '<h3 id="deep">Deep</h3>' in document.html
    assert sum("skipping a level" in w for w in document.warnings) == 2


def test_h3_directly_under_the_title_becomes_h2():
    document = doc("<h1>T</h1><h3>A</h3><h3>B</h3>")
    assert headings(document) == [(1, "T"), (2, "A"), (2, "B")]


def test_h5_under_h3_is_an_h4_inside_the_section():
    document = doc("<h1>T</h1><h2>A</h2><h3>B</h3><h5>C</h5>")
    assert headings(document)[-1] == (3, "B")
    assert "<h4>C</h4>" in document.html


def test_heading_without_text_is_dropped_with_a_warning_that_says_which():
    document = doc("<h1>T</h1><h2>Types</h2><p>a</p><h2> <em> </em></h2><p>b</p>")
    assert headings(document) == [(1, "T"), (2, "Types")]
    assert "<em>" not in document.html and "<p>b</p>" in document.html
    assert [w for w in document.warnings if "no text" in w] == [
        'an <h2> with no text (heading 3, after "Types") was dropped; give it text or remove it'
    ]


def test_heading_hidden_text_counts_as_no_text():
    document = doc("<h1>T</h1><h2><span hidden>Secret</span></h2><p>Body.</p>")
    assert headings(document) == [(1, "T")]
    assert any("<h2> with no text (heading 2" in w for w in document.warnings)


def test_an_empty_title_is_dropped_and_the_document_then_has_no_h1():
    with pytest.raises(ContentError, match="no h1"):
        doc("<h1> </h1><p>Body.</p>")


def test_errors_do_not_repeat_the_document_name():
    # Whoever reports the error names the document: `reader build` says "error: slug: ...".
    with pytest.raises(ContentError) as caught:
        parse_document(b"<h1>Caf\xe9</h1>", "bad-utf8")
    assert str(caught.value).startswith("not valid UTF-8 at byte offset 7")


def test_heading_before_the_h1_is_warned_and_read_in_the_introduction():
    document = doc("<h2>Early</h2><h1>Title</h1><p>x</p>")
    assert document.sections[0].heading == "Title"
    assert [b.text for b in document.sections[0].blocks] == ["Title", "Early", "x"]
    assert any("before the h1" in w for w in document.warnings)


# --- ids ------------------------------------------------------------------------------------


def test_ids_are_slugs_of_the_heading_text_and_deduplicated():
    document = doc(
        "<h1>Neuroendocrine tumours (NETs)</h1><h2>Tests</h2><h3>Tests</h3><h2>Tests</h2>"
    )
    assert [s.id for s in document.sections] == [
        "neuroendocrine-tumours-nets",
        "tests",
        "tests-2",
        "tests-3",
    ]
    for section in document.sections:
        assert f'id="{section.id}"' in document.html


def test_ids_are_stable_across_builds():
    body = "<h1>Title</h1><h2>Café &amp; Ünïcode</h2><h2>Café &amp; Ünïcode</h2>"
    first, second = doc(body), doc(body)
    assert [s.id for s in first.sections] == [s.id for s in second.sections]
    assert first.sections[1].id == "cafe-unicode"


def test_existing_valid_ids_are_kept_and_win_over_slugs():
    document = doc('<h1>Title</h1><h2>Tests</h2><h2 id="tests">Other</h2>')
    assert [s.id for s in document.sections] == ["title", "tests-2", "tests"]


def test_invalid_duplicate_and_reserved_ids_are_replaced_with_a_warning():
    document = doc(
        '<h1 id="main">Main</h1><h2 id="has space">A</h2><h2 id="dup">B</h2><h2 id="dup">C</h2>'
    )
    assert [s.id for s in document.sections] == ["main-2", "a", "dup", "c"]
    assert sum("it was removed" in w for w in document.warnings) == 3


def test_slugify():
    assert slugify("What are neuroendocrine tumours (NETs)?") == (
        "what-are-neuroendocrine-tumours-nets"
    )
    assert slugify("Interferon alpha (IntronA®)") == "interferon-alpha-introna"
    assert slugify("???") == "section"
    assert len(slugify("word " * 40)) <= 80


# --- blocks ---------------------------------------------------------------------------------


def test_block_kinds_and_whitespace():
    document = doc(
        "<h1>T</h1><p>A\n  paragraph\u00a0 here.</p><ul><li>one<ul><li>nested</li></ul></li>"
        "<li><p>para in item</p></li></ul><table><tr><th>h</th><td>c</td></tr></table>"
        "<p>Line one<br>Line two</p>"
    )
    blocks = [(b.kind, b.text) for b in document.sections[0].blocks[1:]]
    assert blocks == [
        ("paragraph", "A paragraph here."),
        ("item", "one"),
        ("item", "nested"),
        ("item", "para in item"),
        ("cell", "h"),
        ("cell", "c"),
        ("paragraph", "Line one"),
        ("paragraph", "Line two"),
    ]


def test_inline_markup_does_not_split_words():
    document = doc('<h1>T</h1><p><abbr title="x">NET</abbr>s grow <em>slowly</em>.</p>')
    assert document.sections[0].blocks[1].text == "NETs grow slowly."


# --- languages ------------------------------------------------------------------------------


def test_lang_comes_from_html_and_is_normalised():
    assert doc("<h1>T</h1>", lang="en-gb").lang == "en-GB"
    assert doc("<h1>T</h1>", lang="cy").lang == "cy"


def test_container_lang_is_used_for_fragments():
    document = parse_document(b'<article lang="cy"><h1>Teitl</h1><p>Testun.</p></article>', "x")
    assert document.lang == "cy"
    assert document.warnings == ()


def test_missing_lang_defaults_to_en_gb_with_a_warning():
    document = doc("<h1>T</h1>", lang=None)
    assert document.lang == "en-GB"
    assert any("assuming en-GB" in w for w in document.warnings)


def test_invalid_lang_is_ignored_with_a_warning():
    document = doc('<h1>T</h1><p lang="english">Text.</p>')
    assert document.sections[0].blocks[1].lang == "en-GB"
    assert any('lang="english"' in w for w in document.warnings)


def test_welsh_paragraph_and_inherited_lang():
    document = doc(
        '<h1>T</h1><p lang="cy">Mae hwn yn Gymraeg.</p><div lang="cy"><ul><li>Eitem</li></ul></div>'
        "<p>English again.</p>"
    )
    langs = [(b.text, b.lang) for b in document.sections[0].blocks[1:]]
    assert langs == [("Mae hwn yn Gymraeg.", "cy"), ("Eitem", "cy"), ("English again.", "en-GB")]


# --- errors and limits ----------------------------------------------------------------------


def test_empty_file_is_an_error():
    with pytest.raises(ContentError, match="empty"):
        parse_document(b"  \n", "x")


def test_document_without_readable_text_is_an_error():
    with pytest.raises(ContentError, match="no readable text"):
        parse_document(b"<html><body><main><p> </p><script>x()</script></main></body></html>", "x")


def test_invalid_utf8_says_the_byte_offset():
    source = "<h1>Caf\u00e9</h1>".encode() + b"<p>\xff</p>"
    offset = source.index(b"\xff")
    with pytest.raises(ContentError, match=rf"byte offset {offset} \(line 1\)"):
        parse_document(source, "x")


def test_utf16_gets_a_hint():
    with pytest.raises(ContentError, match="UTF-16"):
        parse_document("<h1>T</h1>".encode("utf-16"), "x")


def test_utf8_byte_order_mark_is_accepted():
    assert parse_document(b"\xef\xbb\xbf<h1>T</h1>", "x").title == "T"


def test_too_large_source_says_the_limit():
    source = b"<h1>T</h1><p>" + b"x" * parse.MAX_SOURCE_BYTES + b"</p>"
    with pytest.raises(ContentError, match="the limit is 2,097,152 bytes"):
        parse_document(source, "x")


def test_too_many_sentences_says_the_limit():
    source = b"<h1>T</h1><p>" + b"Yes. " * (parse.MAX_SENTENCES + 1) + b"</p>"
    with pytest.raises(ContentError, match="20,002 sentences; the limit is 20,000"):
        parse_document(source, "x")


def test_malformed_html_parses_best_effort_with_warnings():
    document = doc("<h1>Title</h1><div><p>Open <em>never closed</p></span><h2>Next</h2><p>Text.")
    assert headings(document) == [(1, "Title"), (2, "Next")]
    problems = [w for w in document.warnings if w.startswith("malformed HTML")]
    assert any("<em> is not closed before </p>" in w for w in problems)
    assert any("</span> closes nothing" in w for w in problems)
    assert any("<div> is not closed" in w for w in problems)


def test_optional_end_tags_are_not_malformed():
    document = doc("<h1>T</h1><p>One<p>Two<ul><li>a<li>b</ul>")
    assert document.warnings == ()
    assert [b.text for b in document.sections[0].blocks] == ["T", "One", "Two", "a", "b"]


def test_source_sha256_is_of_the_raw_bytes():
    source = b"<h1>T</h1><p>x</p>"
    assert parse_document(source, "x").source_sha256 == hashlib.sha256(source).hexdigest()


def test_text_that_looks_like_a_file_name_does_not_warn():
    assert parse_document(b"<h1>notes.html</h1>", "x").title == "notes.html"
    with pytest.raises(ContentError, match="no h1"):
        parse_document(b"notes.html", "x")


# --- deep documents ---------------------------------------------------------------------------

DEPTH = 5_000


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<div>", "</div>"),
        ("<span>", "</span>"),
        ("<div><em>", "</em></div>"),
        ("<ul><li>", "</li></ul>"),
        ("<table><tr><td>", "</td></tr></table>"),
        ('<span lang="cy">', "</span>"),
        ("<div>\n <em>\n", "</em>\n</div>\n"),
    ],
)
def test_markup_nested_5000_deep_is_read_without_recursing(opening, closing):
    document = doc(f"<h1>Deep</h1>{opening * DEPTH}Deep text.{closing * DEPTH}<p>After.</p>")
    assert [b.text for b in document.sections[0].blocks] == ["Deep", "Deep text.", "After."]
    assert "Deep text." in document.html
    assert any(f"more than {parse.MAX_DEPTH} levels deep" in w for w in document.warnings)


def test_unclosed_markup_nested_5000_deep_keeps_its_text():
    document = doc("<h1>Deep</h1>" + "<b>" * DEPTH + "Bold text. <p>After.</p>")
    assert " ".join(b.text for b in document.sections[0].blocks[1:]) == "Bold text. After."


def test_chrome_nested_5000_deep_is_dropped_without_recursing():
    nested = "<div>" * DEPTH + "Menu" + "</div>" * DEPTH
    document = doc(f"<nav>{nested}</nav><h1>Deep</h1><div hidden>{nested}</div><p>After.</p>")
    assert [b.text for b in document.sections[0].blocks] == ["Deep", "After."]
    assert "Menu" not in document.html


# --- tables: each data cell with its column header --------------------------------------------

_RESULTS = (
    "<h1>Blood tests</h1><table><thead><tr><th>Test</th><th>Normal range</th></tr></thead>"
    "<tbody><tr><td>Sodium</td><td>135-145 mmol/L</td></tr>"
    "<tr><td>Potassium</td><td><p>3.5-5.3 mmol/L</p><p>Higher in children.</p></td></tr>"
    "</tbody></table>"
)


def cells(document):
    return [(b.text, b.label) for s in document.sections for b in s.blocks if b.kind == "cell"]


def test_a_data_cell_carries_its_column_header_as_a_screen_reader_gives_it():
    assert cells(doc(_RESULTS)) == [
        ("Test", ""),
        ("Normal range", ""),
        ("Sodium", "Test"),
        ("135-145 mmol/L", "Normal range"),
        ("Potassium", "Test"),
        ("3.5-5.3 mmol/L", "Normal range"),
        ("Higher in children.", ""),  # the header is said once per cell, before its first block
    ]


def test_header_rows_without_thead_and_spanning_headers_are_found():
    body = (
        "<h1>T</h1><table><tr><th>Age</th><th colspan='2'>Dose</th></tr>"
        "<tr><td>6 to 11 months</td><td>2.5ml</td><td>3 times a day</td></tr></table>"
    )
    assert cells(doc(body))[2:] == [
        ("6 to 11 months", "Age"),
        ("2.5ml", "Dose"),
        ("3 times a day", "Dose"),
    ]


def test_a_layout_table_is_read_without_headers():
    marked = (
        "<h1>T</h1><table role='presentation'><tr><th>Ward</th></tr><tr><td>5</td></tr></table>"
    )
    no_headers = "<h1>T</h1><table><tr><td>Ward 5</td><td>Call us</td></tr></table>"
    assert cells(doc(marked)) == [("Ward", ""), ("5", "")]
    assert cells(doc(no_headers)) == [("Ward 5", ""), ("Call us", "")]
    assert 'role="presentation"' in doc(marked).html


def test_a_row_header_is_not_a_column_header():
    body = (
        "<h1>T</h1><table><tr><th>Test</th><th>Result</th></tr>"
        "<tr><th scope='row'>Sodium</th><td>140</td></tr></table>"
    )
    assert cells(doc(body))[2:] == [("Sodium", ""), ("140", "Sodium, Result")]


def test_a_data_cell_carries_its_row_header_then_its_column_header():
    marked = (
        "<h1>T</h1><table><tr><td></td><th>Normal range</th><th>Your result</th></tr>"
        "<tr><th scope='row'>Sodium</th><td>135-145 mmol/L</td><td>150</td></tr>"
        "<tr><th scope='row'>Potassium</th><td>3.5-5.3 mmol/L</td><td>4.1</td></tr></table>"
    )
    assert cells(doc(marked))[2:] == [
        ("Sodium", ""),
        ("135-145 mmol/L", "Sodium, Normal range"),
        ("150", "Sodium, Your result"),
        ("Potassium", ""),
        ("3.5-5.3 mmol/L", "Potassium, Normal range"),
        ("4.1", "Potassium, Your result"),
    ]
    # A <th> first in a body row names its row with no scope, as screen readers take it;
    # a table with row headers only is a data table too.
    unmarked = (
        "<h1>T</h1><table><tr><th>Sodium</th><td>135-145 mmol/L</td></tr>"
        "<tr><th>Potassium</th><td>3.5-5.3 mmol/L</td></tr></table>"
    )
    assert cells(doc(unmarked)) == [
        ("Sodium", ""),
        ("135-145 mmol/L", "Sodium"),
        ("Potassium", ""),
        ("3.5-5.3 mmol/L", "Potassium"),
    ]


def test_a_layout_table_has_no_row_headers_either():
    body = (
        "<h1>T</h1><table role='presentation'><tr><th scope='row'>Ward</th><td>5</td></tr></table>"
    )
    assert cells(doc(body)) == [("Ward", ""), ("5", "")]


# --- images, figures, media and the page's own address --------------------------------------

SOURCE = '<meta name="voice-reader-source" content="https://cms.example.org/conditions/fever/">'


def texts(document) -> list[str]:
    return [b.text for s in document.sections for b in s.blocks]


def test_an_image_is_read_by_its_alt_text_and_a_caption_as_text():
    document = doc(
        "<h1>Rashes</h1><p>Look for this.</p>"
        '<figure><img src="/rash.jpg" alt="A red rash on an arm"><figcaption>A rash that '
        "does not fade when pressed.</figcaption></figure>"
        '<p>Call <a href="/help"><img src="phone.png" alt="111"></a> now.</p>'
    )
    assert texts(document) == [
        "Rashes",
        "Look for this.",
        "Image: A red rash on an arm",
        "A rash that does not fade when pressed.",
        "Call Image: 111 now.",
    ]
    assert (
        "<figure><p>Image: A red rash on an arm</p><figcaption>A rash that does not fade "
        "when pressed.</figcaption></figure>" in document.html
    )
    assert "<img" not in document.html and document.warnings == ()


def test_an_image_without_alt_text_is_a_warning_and_a_decorative_one_is_silent():
    document = doc(
        '<h1>T</h1><h2>Signs</h2><p>Text.</p><img src="/signs.png"><img src="/line.png" alt="">'
        '<img src="/dots.png" role="presentation">'
    )
    assert texts(document) == ["T", "Signs", "Text."]
    (warning,) = document.warnings
    assert "an image (/signs.png)" in warning and 'after the heading "Signs"' in warning
    assert "no alt text" in warning and 'alt=""' in warning


@pytest.mark.parametrize(
    ("markup", "kind", "link"),
    [
        (
            '<iframe src="https://www.youtube.com/embed/x1" title="Taking a temperature" '
            'onload="steal()"></iframe>',
            "Video",
            '<a href="https://www.youtube.com/embed/x1">Taking a temperature</a>',
        ),
        (
            '<video controls><source src="https://media.example.org/v.mp4">Old browser</video>',
            "Video",
            '<a href="https://media.example.org/v.mp4">media.example.org</a>',
        ),
        (
            '<audio src="https://media.example.org/a.mp3" aria-label="A patient\'s story"></audio>',
            "Audio clip",
            '<a href="https://media.example.org/a.mp3">A patient\'s story</a>',
        ),
        (
            '<iframe src="https://maps.example.org/clinic" title="Map"></iframe>',
            "Embedded page",
            '<a href="https://maps.example.org/clinic">Map</a>',
        ),
    ],
)
def test_embedded_media_become_a_link_and_a_warning(markup, kind, link):
    document = doc(f"<h1>T</h1><h2>Watch</h2>{markup}<p>After.</p>")
    assert f"<p>{kind}: {link}</p>" in document.html
    assert "<iframe" not in document.html and "<video" not in document.html
    assert "onload" not in document.html and "Old browser" not in document.html
    (warning,) = document.warnings
    assert warning.startswith(f"{'an' if kind[0] in 'AE' else 'a'} {kind.lower()} here")
    assert "is not read aloud" in warning and 'after the heading "Watch"' in warning
    assert "links to it" in warning
    assert texts(document)[-2:] == [f"{kind}: {link.split('>')[1].split('<')[0]}", "After."]


def test_media_with_a_hostile_or_no_address_are_left_out_with_a_warning():
    document = doc(
        '<h1>T</h1><iframe src="javascript:alert(1)"></iframe><video></video>'
        '<object data="data:text/html,x"></object><p>Kept.</p>'
    )
    assert "javascript" not in document.html and "data:" not in document.html
    assert texts(document) == ["T", "Kept."]
    assert len(document.warnings) == 3
    assert all("no web address to link to" in w for w in document.warnings)


def test_hidden_media_are_dropped_without_a_word():
    document = doc('<h1>T</h1><div hidden><iframe src="https://x.org/v"></iframe></div><p>K.</p>')
    assert document.warnings == () and "x.org" not in document.html


def test_relative_links_are_made_absolute_against_the_source_address():
    page = (
        f"<html lang='en'><head>{SOURCE}</head><body><h1>Fever</h1>"
        '<p><a href="/documents/1/leaflet.pdf">Leaflet</a>, <a href="/">home</a>, '
        '<a href="../cough/">cough</a>, <a href="#care">below</a>, '
        '<a href="https://other.org/x">other</a>, <a href="javascript:x()">bad</a>.</p>'
        '<iframe src="/embed/video/3" title="Fever"></iframe></body></html>'
    )
    html = parse_document(page.encode(), "fever").html
    assert '<a href="https://cms.example.org/documents/1/leaflet.pdf">Leaflet</a>' in html
    assert '<a href="https://cms.example.org/">home</a>' in html
    assert '<a href="https://cms.example.org/conditions/cough/">cough</a>' in html
    assert '<a href="#care">below</a>' in html
    assert '<a href="https://other.org/x">other</a>' in html
    assert "javascript" not in html
    assert '<a href="https://cms.example.org/embed/video/3">Fever</a>' in html
    assert html.endswith(
        '<p class="vr-source">Original page: <a href="https://cms.example.org/conditions/fever/">'
        "https://cms.example.org/conditions/fever/</a></p>"
    )


def test_the_original_page_line_is_shown_but_not_read():
    page = f'<html lang="en"><head>{SOURCE}</head><body><h1>Fever</h1><p>Text.</p></body></html>'
    document = parse_document(page.encode(), "fever")
    assert "Original page" in document.html
    assert texts(document) == ["Fever", "Text."]


def test_without_a_source_address_relative_links_stay_and_no_line_is_shown():
    document = doc('<h1>T</h1><p><a href="/other">other</a></p>')
    assert '<a href="/other">other</a>' in document.html and "Original page" not in document.html


@pytest.mark.parametrize(
    "address", ["javascript:alert(1)", "/relative/path", "ftp://x.org/", "https://u:p@x.org/"]
)
def test_a_bad_source_address_is_a_warning_and_is_ignored(address):
    page = (
        f'<html lang="en"><head><meta name="voice-reader-source" content="{address}">'
        '</head><body><h1>T</h1><p><a href="/a">a</a></p></body></html>'
    )
    document = parse_document(page.encode(), "x")
    assert '<a href="/a">a</a>' in document.html and "Original page" not in document.html
    (warning,) = document.warnings
    assert "voice-reader-source" in warning and "relative links are left as they are" in warning


def test_addresses_that_are_not_addresses_do_not_stop_the_parse():
    page = (
        f'<html lang="en"><head>{SOURCE}</head><body><h1>T</h1><p><a href="http://[x">bad</a></p>'
        '<iframe src="http://[::1"></iframe><object data="https://[zz]/o"></object></body></html>'
    )
    document = parse_document(page.encode(), "x")
    assert "<p><a>bad</a></p>" in document.html
    assert len(document.warnings) == 2
    assert all("no web address to link to" in w for w in document.warnings)
