"""`reader say`: hear any text exactly as a build would read it, before it is published."""

from __future__ import annotations

import wave
from pathlib import Path

import miniaudio
import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.model import Block
from reader.pipeline.build import DEFAULT_RATE
from reader.pipeline.encode import ENCODER_DELAY
from reader.pipeline.fake_engine import FakeEngine
from reader.pipeline.lexicon import load_lexicon
from reader.pipeline.phonemes import phonemes
from reader.pipeline.render import render_section
from reader.pipeline.say import say
from reader.pipeline.speech import block_sentences
from reader.pipeline.synthesise import SectionJob

CONTENT = Path(__file__).resolve().parents[1] / "content"


def run(*args: str):
    return CliRunner().invoke(main, ["say", *args, "--content", str(CONTENT)])


def test_it_prints_the_spoken_text_and_its_pronunciation(tmp_path):
    out = tmp_path / "octreotide.wav"
    result = run("Take octreotide. Ask PALS.", "--engine", "fake", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The shipped lexicon is used: octreotide is respelled, PALS read as a word.
    assert lines[0] == "said:   Take oc-treeotide."
    assert phonemes("Take oc-treeotide.", ipa=True) in lines[1]
    assert lines[2] == "said:   Ask pals."
    assert f"voice gmw/en at {DEFAULT_RATE} words a minute; wrote {out}" in lines[-1]


def test_it_writes_wav_or_mp3_by_the_file_name(tmp_path):
    for name in ("said.wav", "said.mp3"):
        result = run("Hello there.", "--engine", "fake", "--out", str(tmp_path / name))
        assert result.exit_code == 0, result.output
    with wave.open(str(tmp_path / "said.wav")) as wav:
        wav_seconds = wav.getnframes() / wav.getframerate()
        assert (wav.getframerate(), wav.getnchannels()) == (22050, 1)
    mp3 = miniaudio.decode_file(str(tmp_path / "said.mp3"))
    assert abs(mp3.duration - wav_seconds) < 0.1
    assert wav_seconds > 0.5


def test_it_reads_exactly_as_a_build_reads_a_paragraph():
    text = "Call 0800 123 4567 about your 500mg dose. Stage IV NETs are treated."
    lexicon = load_lexicon(CONTENT, "neuroendocrine-tumours")
    engine = FakeEngine(DEFAULT_RATE)
    heard = say(text, "en-GB", lexicon, engine, None)
    built = block_sentences(Block(text, "en-GB", "paragraph"), lexicon)
    assert heard.sentences == tuple(built)
    section = render_section(engine, SectionJob("k", tuple(built)), {})
    assert abs(heard.seconds + ENCODER_DELAY - section.duration) < 0.01


def test_the_voice_and_language_are_the_builds(tmp_path):
    out = str(tmp_path / "cy.wav")
    result = run("Croeso.", "--lang", "cy", "--engine", "fake", "--out", out)
    assert result.exit_code == 0, result.output
    assert "voice cel/cy" in result.output
    result = run("Hello.", "--voice", "gmw/en-us", "--engine", "fake", "--out", out)
    assert "voice gmw/en-us" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["", "--out", "{tmp}/x.wav"], "nothing to say"),
        (["... --", "--out", "{tmp}/x.wav"], "nothing to say"),
        (["Hi.", "--voice", "zz/zz", "--out", "{tmp}/x.wav"], "voice 'zz/zz' is not installed"),
        (["Hi.", "--lang", "xx", "--out", "{tmp}/x.wav"], "no installed voice speaks 'xx'"),
        (["Hi.", "--out", "{tmp}/x.ogg"], "must end in .mp3 or .wav"),
        (["Hi.", "--out", "{tmp}/missing/x.wav"], "does not exist"),
    ],
)
def test_bad_input_is_a_clear_error_not_a_traceback(tmp_path, args, message):
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in args], "--engine", "fake")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_an_unwritable_file_is_a_clear_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run("Hi.", "--engine", "fake", "--out", str(folder / "x.wav"))
    finally:
        folder.chmod(0o700)
    if result.exit_code == 0:
        # root ignores permissions; a path inside a regular file fails for everyone.
        (tmp_path / "file").write_text("")
        result = run("Hi.", "--engine", "fake", "--out", str(tmp_path / "file" / "x.wav"))
    assert result.exit_code == 1
    assert "cannot write" in result.output


@pytest.mark.engine
def test_the_real_engine_says_it(tmp_path):
    out = tmp_path / "real.mp3"
    result = CliRunner().invoke(main, ["say", "Call NICE about your PICC line.", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "said:   Call nice about your pick line." in result.output
    decoded = miniaudio.decode_file(str(out))
    assert 1.5 < decoded.duration < 5.0
