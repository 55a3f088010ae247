"""The natural voice end to end: `reader build --engine piper`, then listen to what it made."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import wave

import pytest
from mutagen.id3 import ID3

from reader import manifest as mf
from reader.admin.queue import CLIP, queue_for
from reader.pipeline.encode import BITRATE_KBPS, encoder_delay
from reader.pipeline.lexicon import Entry, Lexicon
from reader.pipeline.piper_engine import PiperEngine, _Model
from reader.pipeline.speech import spoken_text
from tests.audio import decode_mp3, pcm_samples, percentile, rms, sound_onsets, start_errors
from tests.support.content import REPO, write_document
from tests.support.staff import run_worker, staff_app

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


def test_the_whole_page_download_joins_the_natural_voice_with_a_chapter_each(natural_build):
    out, manifest = natural_build
    download = out / "colds" / manifest["download"]["audio"]
    seconds = len(decode_mp3(download.read_bytes(), RATE)) / RATE
    assert seconds == pytest.approx(manifest["download"]["duration"], abs=0.001)
    listed = sum(s["duration"] for s in manifest["sections"])
    assert listed <= seconds <= listed + 0.03 * len(manifest["sections"])
    (toc,) = ID3(download).getall("CTOC")
    assert list(toc.child_element_ids) == [s["id"] for s in manifest["sections"]]


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
    errors: dict[str, list[float]] = {"sentence": [], "pause": [], "gap": []}
    sentences = later_words = 0
    for section in manifest["sections"]:
        samples = decode_mp3((out / "colds" / section["audio"]).read_bytes(), RATE)
        said = [mf.Sentence.from_dict(s) for s in section["sentences"]]
        starts = [(s.start, s.end, [word[0] for word in s.words]) for s in said]
        assert all(words == sorted(words) for _, _, words in starts)
        for kind, found in start_errors(samples, RATE, starts).items():
            errors[kind] += found
        sentences += len(said)
        later_words += sum(len(s.words) - 1 for s in said)
    # Every sentence's first word is paired, in order, with the sound after its pause; so is
    # each word after a pause inside a sentence that the audio shows. Those are the starts the
    # audio tells apart from the quiet of a stop: the targets hold for them.
    assert len(errors["sentence"]) == sentences
    heard = errors["sentence"] + errors["pause"]
    assert statistics.median(heard) <= 0.03
    assert percentile(heard, 0.95) <= 0.08, sorted(heard)
    # The words after a comma's pause on their own: the first words must not hide them.
    assert len(errors["pause"]) >= 3, errors["pause"]
    assert statistics.median(errors["pause"]) <= 0.03
    assert percentile(errors["pause"], 0.95) <= 0.08, sorted(errors["pause"])
    # Words inside a phrase after a short quiet: some are paired, never more than there are.
    assert 0 < len(errors["gap"]) <= later_words


COMMA_PAUSES = (
    "Radiotherapy destroys cancer cells, while doing as little harm as possible.",
    "It may be slow, but it can spread.",
    "After the scan, you can go home.",
)
"""Sentences whose word after the comma the voice's durations start inside the pause."""


def test_a_word_after_a_comma_starts_where_the_pause_ends_not_inside_it():
    engine = PiperEngine(160)
    # Twice each: the voice's durations vary from one saying to the next.
    for text in COMMA_PAUSES * 2:
        said = engine.speak(text, JOE)
        comma = text.index(",")
        before = max((w for w in said.words if w.start < comma), key=lambda w: w.start)
        after = min((w for w in said.words if w.start > comma), key=lambda w: w.start)
        # The sound after the comma's quiet, found from the audio alone.
        onsets = sound_onsets(pcm_samples(said.pcm), said.sample_rate)
        pause_end = next(o for o in onsets if o > before.sample / said.sample_rate)
        start = after.sample / said.sample_rate
        word = text[after.start : after.start + after.length]
        assert pause_end - 0.03 <= start <= pause_end + 0.08, (word, start, pause_end)


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


def run_reader(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_reader_say_uses_the_documents_voice_and_its_phonemes(tmp_path):
    content = tmp_path / "content"
    write_document(
        content,
        "colds",
        PAGE.replace("<head>", f'<head><meta name="voice-reader-voice" content="{JOE}">'),
    )
    out = tmp_path / "said.wav"
    result = run_reader(
        "say",
        "Drink water.",
        "--engine",
        "piper",
        "--content",
        str(content),
        "--document",
        "colds",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert f"voice {JOE} at 160 words a minute" in result.stdout
    # The phonemes are eSpeak NG's American English, which joe was trained on: "water" with
    # a flapped t and an r-coloured end, where British English has neither.
    assert "wˈɔːɾɚ" in result.stdout
    with wave.open(str(out)) as wav:
        assert (wav.getframerate(), wav.getnchannels()) == (RATE, 1)
        assert wav.getnframes() / RATE > 1.0


def test_reader_check_hears_what_the_natural_voice_will_say(tmp_path):
    content = tmp_path / "content"
    write_document(content, "colds", PAGE.replace("doctor if", "GP if"))
    result = run_reader("check", "--content", str(content), "--engine", "piper", "--voice", JOE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"GP" will be heard as letters' in result.stdout
    missing = run_reader(
        "check", "--content", str(content), "--engine", "piper", "--voice", "en_US-nobody"
    )
    assert missing.returncode == 1
    assert "voice 'en_US-nobody' is not installed. Installed voices: " in missing.stdout


def test_hear_it_says_the_word_in_the_sites_natural_voice(tmp_path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("READER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    content = tmp_path / "content"
    write_document(content, "colds", PAGE)
    app = staff_app(tmp_path, content, tmp_path / "build", ENGINE="piper", VOICE=JOE)
    args = {"written": "Creon", "spoken": "Kree on", "lang": "en-GB"}
    job = queue_for(app).submit(CLIP, "lexicon", args)
    assert run_worker(app) == 1
    queue = queue_for(app)
    done = queue.record(job.id)
    assert done.state == "ready", done.error
    mp3 = (tmp_path / "instance" / "clips" / queue.result(done)["clip"]).read_bytes()
    samples = decode_mp3(mp3, RATE)
    assert len(samples) / RATE > 2.0
    assert rms(samples) > 1000
