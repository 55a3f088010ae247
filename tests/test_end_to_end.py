"""The real engine end to end: `reader build` with pyttsx3 + eSpeak NG, then listen to it."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from mutagen.id3 import ID3

from reader import manifest as mf
from reader.pipeline.encode import ENCODER_DELAY
from tests.audio import decode_mp3, rms
from tests.support.content import NETS, REPO

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    out = root / "build"
    command = [sys.executable, "-m", "reader", "build", NETS, "--out", str(out)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    return out, result.stdout


def test_the_build_reports_what_it_did(real_build):
    _, stdout = real_build
    assert "1 document built, 0 failed" in stdout
    assert "0 reused" in stdout


def test_every_section_is_speech_of_the_right_length(real_build):
    out, _ = real_build
    manifest = json.loads((out / NETS / "manifest.json").read_text())
    assert manifest["voice"]["engine"].startswith("pyttsx3-2.99/espeak-ng-")
    assert manifest["voice"]["voice"] == "gmw/en"
    total = 0.0
    for section in manifest["sections"]:
        samples = decode_mp3((out / NETS / section["audio"]).read_bytes())
        seconds = len(samples) / 22050
        assert section["duration"] <= seconds <= section["duration"] + 0.1, section["heading"]
        assert rms(samples) > 300, f"{section['heading']} is silent"
        first = section["sentences"][0]
        assert first["start"] == pytest.approx(ENCODER_DELAY, abs=0.001)
        total += section["duration"]
    # About 1,850 words at 160 words a minute, with pauses: 10 to 14 minutes.
    assert 10 * 60 < total < 14 * 60


def test_sentence_timings_match_where_the_speech_is(real_build):
    out, _ = real_build
    manifest = json.loads((out / NETS / "manifest.json").read_text())
    section = next(s for s in manifest["sections"] if s["heading"] == "Ultrasound scan")
    samples = decode_mp3((out / NETS / section["audio"]).read_bytes())
    for sentence, following in zip(section["sentences"], section["sentences"][1:], strict=False):
        gap = samples[int(sentence["end"] * 22050) + 200 : int(following["start"] * 22050) - 200]
        spoken = samples[int(sentence["start"] * 22050) : int(sentence["end"] * 22050)]
        assert rms(spoken) > 10 * max(rms(gap), 10), sentence["text"]


def test_every_sentence_has_word_timings_where_its_words_are(real_build):
    out, _ = real_build
    manifest = json.loads((out / NETS / "manifest.json").read_text())
    for section in manifest["sections"]:
        for sentence in section["sentences"]:
            words = mf.Sentence.from_dict(sentence).words
            assert words, sentence["text"]
            starts = [start for start, _, _ in words]
            assert starts == sorted(starts)
            # eSpeak starts speaking at once: the first word is at the sentence's start.
            assert starts[0] == pytest.approx(sentence["start"], abs=0.01)
            assert starts[-1] < sentence["end"]
            assert all(offset + length <= len(sentence["text"]) for _, offset, length in words)


def test_the_whole_page_download_is_the_sections_joined_with_chapters(real_build):
    out, _ = real_build
    manifest = json.loads((out / NETS / "manifest.json").read_text())
    download = out / NETS / manifest["download"]["audio"]
    assert download.stat().st_size == manifest["download"]["bytes"]
    seconds = len(decode_mp3(download.read_bytes())) / 22050
    assert seconds == pytest.approx(manifest["download"]["duration"], abs=0.001)
    listed = sum(s["duration"] for s in manifest["sections"])
    assert listed <= seconds <= listed + 0.03 * len(manifest["sections"])
    tags = ID3(download)
    (toc,) = tags.getall("CTOC")
    assert list(toc.child_element_ids) == [s["id"] for s in manifest["sections"]]
    titles = {c.element_id: str(c.sub_frames["TIT2"]) for c in tags.getall("CHAP")}
    assert [titles[i] for i in toc.child_element_ids] == [
        s["heading"] for s in manifest["sections"]
    ]


def test_word_timings_grow_the_gzipped_manifest_by_at_most_60_percent(real_build):
    out, _ = real_build
    manifest = mf.load_manifest(out, NETS)
    bare = mf.Manifest.from_dict(manifest.to_dict())
    for section in bare.sections:
        for sentence in section.sentences:
            object.__setattr__(sentence, "words", None)
    # As published (mf.dumps), and as compact JSON the way a service might minify it.
    published = [gzip.compress(mf.dumps(m), 6, mtime=0) for m in (bare, manifest)]
    compact = [
        gzip.compress(json.dumps(m.to_dict(), separators=(",", ":")).encode(), 6, mtime=0)
        for m in (bare, manifest)
    ]
    for without, with_words in (published, compact):
        assert len(with_words) <= 1.6 * len(without), (len(without), len(with_words))


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__]))
