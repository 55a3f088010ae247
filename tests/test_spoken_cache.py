"""The spoken text of unchanged sections is reused by the next build, and only while it is right."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from reader import manifest as mf
from reader.content import read_content
from reader.layout import SPOKEN_CACHE_NAME
from reader.pipeline import spoken_cache
from reader.pipeline.build import build_documents
from reader.pipeline.lexicon import load_lexicon
from reader.pipeline.parse import parse_document
from reader.pipeline.speech import spoken_sections
from tests.support.content import FAKE, NETS, SMALL, copy_content, write_document

MIXED = SMALL.replace("The detail.", 'The detail, <span lang="cy">Iechyd da</span>, said twice.')


@pytest.fixture
def said(monkeypatch) -> list[str]:
    """Record the id of each section whose spoken text is worked out, not reused."""
    ids: list[str] = []
    real = spoken_cache.spoken_section

    def spoken_section(section, lexicon, keys=None):
        ids.append(section.id)
        return real(section, lexicon, keys)

    monkeypatch.setattr(spoken_cache, "spoken_section", spoken_section)
    return ids


def published_sentences(out, slug: str) -> list[tuple]:
    manifest = mf.load_manifest(out, slug)
    return [(s.text, s.spoken, s.lang) for section in manifest.sections for s in section.sentences]


def fresh_sentences(content, slug: str) -> list[tuple]:
    """What the speech-text stage says of the document now, with no cache at all."""
    document = parse_document(read_content(content, content / f"{slug}.html"), slug)
    sections = spoken_sections(document, load_lexicon(content, slug))
    return [(s.text, s.spoken, s.lang) for section in sections for s in section.sentences]


def test_an_edit_works_out_the_spoken_text_of_its_section_alone(tmp_path, said):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", MIXED)
    build_documents(content, out, options=FAKE)
    assert said == ["small-page", "first-part", "second-part", "detail"]
    said.clear()
    write_document(content, "small", MIXED.replace("One sentence.", "One new sentence."))
    result = build_documents(content, out, options=FAKE).results[0]
    assert (result.built, result.reused) == (1, 3) and said == ["first-part"]
    # The reused sections, a mixed-language one among them, read exactly as if said afresh.
    assert published_sentences(out, "small") == fresh_sentences(content, "small")
    detail = mf.load_manifest(out, "small").sections[-1].sentences[1]
    assert [p.lang for p in detail.parts] == ["en-GB", "cy", "en-GB"]


def test_nets_built_from_its_cache_is_the_nets_said_afresh(tmp_path, said):
    content, out = copy_content(tmp_path / "content"), tmp_path / "build"
    build_documents(content, out, [NETS], options=FAKE)
    source = content / f"{NETS}.html"
    source.write_text(source.read_text().replace("6 hours", "8 hours"))
    said.clear()
    assert build_documents(content, out, [NETS], options=FAKE).results[0].built == 1
    assert said == ["ultrasound-scan"]
    assert published_sentences(out, NETS) == fresh_sentences(content, NETS)


def test_a_lexicon_change_works_out_every_section_again(tmp_path, said):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    said.clear()
    (content / "lexicon.tsv").write_text("detail\tdee tail\n", encoding="utf-8")
    build_documents(content, out, options=FAKE)
    assert len(said) == 4
    assert published_sentences(out, "small") == fresh_sentences(content, "small")


def test_changed_speech_text_code_works_out_every_section_again(tmp_path, said, monkeypatch):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    said.clear()
    monkeypatch.setattr(spoken_cache, "code_digest", lambda: "a rule changed")
    write_document(content, "small", SMALL.replace("The detail.", "The new detail."))
    build_documents(content, out, options=FAKE)
    assert len(said) == 4


def test_force_works_out_every_section_again(tmp_path, said):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    said.clear()
    build_documents(content, out, options=replace(FAKE, force=True))
    assert len(said) == 4


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b"[]",
        b'{"inputs": 1}',
        b"\xff\xfe",
        "a sentence of the wrong shape",
        "a pause that is text",
    ],
)
def test_a_damaged_cache_is_only_a_slower_build(tmp_path, said, damage):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    cache = mf.document_dir(out, "small") / SPOKEN_CACHE_NAME
    if isinstance(damage, str):
        data = json.loads(cache.read_bytes())
        first = next(iter(data["sections"].values()))[0]
        if damage == "a pause that is text":
            first[3] = "0.3"
        else:
            first.pop()
        damage = json.dumps(data).encode()
    cache.write_bytes(damage)
    said.clear()
    write_document(content, "small", SMALL.replace("The detail.", "The new detail."))
    result = build_documents(content, out, options=FAKE).results[0]
    assert result.error is None and result.built == 1 and len(said) == 4
    assert published_sentences(out, "small") == fresh_sentences(content, "small")
    # It is replaced by a good one, which the next edit uses.
    said.clear()
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    assert said == ["detail"]


def test_a_cache_that_cannot_be_written_fails_nothing(tmp_path, said):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    # A folder where the cache file would go: writing it fails, the build does not.
    (mf.document_dir(out, "small") / SPOKEN_CACHE_NAME).mkdir(parents=True)
    result = build_documents(content, out, options=FAKE).results[0]
    assert result.error is None and result.built == 4
    assert mf.load_manifest(out, "small").has_audio


KEYED = (
    '<html lang="en-GB"><body><main><h1>Results</h1><table><tr><th>Result</th></tr>'
    "<tr><td>150 *</td></tr></table><h2>Key</h2><p>* far outside the normal range</p>"
    "</main></body></html>"
)


def test_a_key_or_a_header_changed_elsewhere_works_out_the_table_again(tmp_path, said):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "keyed", KEYED)
    build_documents(content, out, options=FAKE)
    said.clear()
    # The key is in another section, yet the table's section is what a listener hears change.
    write_document(content, "keyed", KEYED.replace("far outside", "well outside"))
    build_documents(content, out, options=FAKE)
    assert said == ["results", "key"]
    assert published_sentences(out, "keyed") == fresh_sentences(content, "keyed")
    said.clear()
    write_document(content, "keyed", KEYED.replace("<th>Result</th>", "<th>Your result</th>"))
    build_documents(content, out, options=FAKE)
    assert "results" in said
    assert published_sentences(out, "keyed") == fresh_sentences(content, "keyed")
