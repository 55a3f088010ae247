"""Language of parts: a <span lang="cy"> inside a paragraph is read in the Welsh voice."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reader import manifest as mf
from reader.cli import main
from reader.model import Part, Sentence
from reader.pipeline.build import build_documents
from reader.pipeline.encode import pcm_seconds
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.parse import parse_document
from reader.pipeline.render import render_section
from reader.pipeline.speech import spoken_sections
from reader.pipeline.synthesise import SectionJob
from tests.support.content import FAKE, write_document

WELSH = "Mae hi'n braf heddiw"
PAGE = f"""<!doctype html><html lang="en-GB"><body><main><h1>Greetings</h1>
<p>Say <span lang="cy">{WELSH}</span> on a sunny day. <em lang="cy">Diolch</em>, means thanks.
<span lang="cy">Croeso.</span> A plain sentence.</p></main></body></html>"""


def sentences():
    document = parse_document(PAGE.encode(), "greetings")
    return spoken_sections(document, Lexicon())[0].sentences


def test_parse_keeps_inline_language_runs():
    document = parse_document(PAGE.encode(), "greetings")
    block = document.sections[0].blocks[1]
    assert block.lang == "en-GB"
    assert [(block.text[start:end], lang) for start, end, lang in block.spans] == [
        (WELSH, "cy"),
        ("Diolch", "cy"),
        ("Croeso.", "cy"),
    ]


def test_a_mixed_sentence_keeps_its_runs_as_parts():
    mixed, thanks, welcome, plain = sentences()[1:]
    assert mixed.text == f"Say {WELSH} on a sunny day."
    assert [(p.text, p.lang) for p in mixed.parts] == [
        ("Say", "en-GB"),
        (WELSH, "cy"),
        ("on a sunny day.", "en-GB"),
    ]
    assert all(mixed.text[p.offset : p.offset + len(p.text)] == p.text for p in mixed.parts)
    assert mixed.lang == "en-GB"
    assert [p.lang for p in thanks.parts] == ["cy", "en-GB"]
    # A whole sentence in Welsh is a Welsh sentence, with no parts.
    assert (welcome.lang, welcome.parts) == ("cy", ())
    assert (plain.lang, plain.parts) == ("en-GB", ())


def test_the_manifest_records_the_language_and_voice_of_every_sentence_and_part(tmp_path):
    write_document(tmp_path / "content", "greetings", PAGE)
    summary = build_documents(tmp_path / "content", tmp_path / "build", options=FAKE)
    assert not summary.failed
    data = json.loads(mf.manifest_path(tmp_path / "build", "greetings").read_text())
    found = data["sections"][0]["sentences"]
    assert [(s["lang"], s["voice"]) for s in found] == [
        ("en-GB", "gmw/en"),
        ("en-GB", "gmw/en"),
        ("en-GB", "gmw/en"),
        ("cy", "cel/cy"),
        ("en-GB", "gmw/en"),
    ]
    parts = found[1]["parts"]
    assert [(p["text"], p["lang"], p["voice"]) for p in parts] == [
        ("Say", "en-GB", "gmw/en"),
        (WELSH, "cy", "cel/cy"),
        ("on a sunny day.", "en-GB", "gmw/en"),
    ]
    starts = [found[1]["start"]] + [p["start"] for p in parts] + [found[1]["end"]]
    assert starts == sorted(starts)
    assert "parts" not in found[0] and "parts" not in found[3]
    mf.load_manifest(tmp_path / "build", "greetings")  # the typed model accepts it


def test_check_reports_a_missing_voice_for_a_part(tmp_path):
    write_document(
        tmp_path / "content", "greetings", PAGE.replace('lang="cy">Diolch', 'lang="xx">Diolch')
    )
    result = CliRunner().invoke(
        main, ["check", "--engine", "fake", "--content", str(tmp_path / "content")]
    )
    assert result.exit_code == 1
    assert "no installed voice speaks 'xx'" in result.output


@pytest.mark.engine
def test_the_real_engine_says_the_welsh_part_in_the_welsh_voice():
    from reader.pipeline.engine import Pyttsx3Engine

    engine = Pyttsx3Engine(160)
    english_first = Sentence(
        f"Say {WELSH} today.",
        f"Say {WELSH} today.",
        "en-GB",
        0.3,
        (
            Part("Say", "Say", "en-GB", 0),
            Part(WELSH, WELSH, "cy", 4),
            Part("today.", "today.", "en-GB", 5 + len(WELSH)),
        ),
    )
    audio = render_section(engine, SectionJob("k", (english_first,)), {})
    ((start, end, voice),) = [part for part in audio.parts[0] if part[2] != "gmw/en"]
    assert voice == "cel/cy"
    heard = end - start
    in_welsh = pcm_seconds(engine.synthesise(WELSH, "cel/cy"))
    in_english = pcm_seconds(engine.synthesise(WELSH, "gmw/en"))
    assert abs(in_welsh - in_english) > 0.1  # the two voices say it at clearly different lengths
    assert abs(heard - in_welsh) < abs(heard - in_english)
    assert abs(heard - in_welsh) < 0.05
    # The part after it is English again: eSpeak applies voice changes late unless waited for.
    last_start, last_end, last_voice = audio.parts[0][-1]
    assert last_voice == "gmw/en"
    assert abs((last_end - last_start) - pcm_seconds(engine.synthesise("today.", "gmw/en"))) < 0.05
