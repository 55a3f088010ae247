"""The natural voice end to end: `reader build --engine piper`, then listen to what it made."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

import pytest

from reader import manifest as mf
from reader.pipeline.encode import BITRATE_KBPS, encoder_delay
from reader.pipeline.lexicon import Entry, Lexicon
from reader.pipeline.piper_engine import PiperEngine, _Model
from reader.pipeline.speech import spoken_text
from tests.audio import decode_mp3, rms, sound_onsets
from tests.support.content import REPO, write_document

pytestmark = pytest.mark.piper

JOE = "en_US-joe-medium"
RATE = 22050
PAGE = """<!doctype html><html lang="en-GB"><head><title>Colds</title></head><body><main>
<h1>Coughs and colds</h1>
<p>Most coughs get better in two to three weeks. Drink plenty of water, and rest.</p>
<h2>When to see a doctor</h2>
<p>See your doctor if the cough lasts more than 3 weeks, or if you cough up blood.</p>
<p>Your doctor may give you Creon. In Welsh we say <span lang="cy">bore da</span> to greet
people.</p>
<h2>Looking after yourself</h2>
<p>Rest, drink fluids, and take paracetamol for a high temperature.</p>
</main></body></html>"""


@pytest.fixture(scope="module")
def natural_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("natural")
    content, out = root / "content", root / "build"
    write_document(content, "colds", PAGE)
    (content / "lexicon.tsv").write_text("written\tspoken\tlang\twhy\nCreon\tKree on\t\t\n")
    command = [
        *(sys.executable, "-m", "reader", "build", "--engine", "piper", "--voice", JOE),
        *("--content", str(content), "--out", str(out), "--jobs", "2"),
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    return out, json.loads(mf.manifest_path(out, "colds").read_text())


def test_the_page_says_it_is_read_by_joe(natural_build):
    _, manifest = natural_build
    voice = manifest["voice"]
    assert voice["engine"].startswith("piper-") and "/espeak-ng-1.52" in voice["engine"]
    assert (voice["voice"], voice["description"]) == (JOE, "Joe, American English")


def test_every_section_is_loud_speech_of_its_stated_length_at_48_kbits(natural_build):
    out, manifest = natural_build
    for section in manifest["sections"]:
        mp3 = (out / "colds" / section["audio"]).read_bytes()
        samples = decode_mp3(mp3, RATE)
        seconds = len(samples) / RATE
        assert section["duration"] <= seconds <= section["duration"] + 0.1, section["heading"]
        assert rms(samples) > 1000, f"{section['heading']} is too quiet"
        assert len(mp3) == pytest.approx(BITRATE_KBPS * 1000 / 8 * seconds, rel=0.1)
        assert section["sentences"][0]["start"] == pytest.approx(encoder_delay(RATE), abs=0.001)


def test_the_lexicon_reaches_the_natural_voice(natural_build):
    _, manifest = natural_build
    sentences = [s for section in manifest["sections"] for s in section["sentences"]]
    creon = next(s for s in sentences if "Creon" in s["text"])
    assert "Kree on" in creon["spoken"]
    assert creon["voice"] == JOE


def test_welsh_is_read_by_espeak_ng_inside_the_natural_voice(natural_build):
    _, manifest = natural_build
    sentences = [s for section in manifest["sections"] for s in section["sentences"]]
    mixed = next(s for s in sentences if "bore da" in s["text"])
    assert [(p["text"], p["voice"]) for p in mixed["parts"]] == [
        ("In Welsh we say", JOE),
        ("bore da", "cel/cy"),
        ("to greet people.", JOE),
    ]
    assert mixed["parts"][1]["end"] - mixed["parts"][1]["start"] > 0.3


def test_word_starts_agree_with_the_sound_onsets_of_the_audio(natural_build):
    out, manifest = natural_build
    word_errors, sentence_errors = [], []
    for section in manifest["sections"]:
        samples = decode_mp3((out / "colds" / section["audio"]).read_bytes(), RATE)
        onsets = sound_onsets(samples, RATE)
        sentences = [mf.Sentence.from_dict(s) for s in section["sentences"]]
        starts = [word[0] for s in sentences for word in s.words]
        assert starts == sorted(starts)
        for onset in onsets:
            word_errors.append(min(abs(start - onset) for start in starts))
        for sentence in sentences:
            heard = [o for o in onsets if sentence.start - 0.05 <= o < sentence.end]
            sentence_errors.append(abs(sentence.words[0][0] - heard[0]))
    assert len(word_errors) >= 10
    assert statistics.median(word_errors) <= 0.03
    assert sorted(word_errors)[int(0.95 * (len(word_errors) - 1))] <= 0.08
    assert statistics.median(sentence_errors) <= 0.03
    assert max(sentence_errors) <= 0.08


def test_a_lexicon_entry_changes_the_phonemes_the_voice_is_given_and_its_audio(monkeypatch):
    given = []
    say = _Model.say

    def noting(model, phonemes, rate):
        given.append("".join(phonemes))
        return say(model, phonemes, rate)

    monkeypatch.setattr(_Model, "say", noting)
    engine = PiperEngine(160)
    text = "Take Creon with food."
    plain = engine.speak(spoken_text(text, "en-GB", Lexicon()), JOE)
    lexicon = Lexicon([Entry("Creon", "Kree on")])
    fixed = engine.speak(spoken_text(text, "en-GB", lexicon), JOE)
    assert given[0] != given[1]
    assert "kɹˈiː" in given[1] and "kɹˈiː" not in given[0]
    assert plain.pcm != fixed.pcm
    # "Kree on" is two words where "Creon" was one: the voice said one word more.
    assert len(fixed.words) == len(plain.words) + 1
    assert plain.sample_rate == fixed.sample_rate == RATE
