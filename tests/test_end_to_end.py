"""The real engine end to end: `reader build` with pyttsx3 + eSpeak NG, then listen to it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__]))
