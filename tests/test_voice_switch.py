"""A site or a page that changes voice: every section is said again, and nothing is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from reader import manifest as mf
from reader.document_voice import with_voice
from reader.errors import EngineError
from reader.pipeline.build import build_documents
from reader.pipeline.engines import ENGINES, EngineSpec
from reader.pipeline.fake_engine import FakeEngine
from tests.support.content import FAKE, REPO, SMALL, write_document


class BreaksHalfWay(FakeEngine):
    """The fake engine, failing at its fourth sentence: a build that cannot finish."""

    said = 0

    def speak(self, text, voice):
        """Say as the fake does, until the fourth sentence."""
        BreaksHalfWay.said += 1
        if BreaksHalfWay.said == 4:
            raise EngineError("the engine stopped half-way")
        return super().speak(text, voice)


def breaks_id() -> str:
    """Name the failing engine."""
    return "breaks-1"


def build(content, out, **options):
    return build_documents(content, out, options=replace(FAKE, **options))


@pytest.fixture
def small_site(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    assert not build(content, out, voice="gmw/en").failed
    return content, out


def test_a_new_site_voice_says_every_section_again(small_site):
    content, out = small_site
    before = mf.load_manifest(out, "small")
    result = build(content, out, voice="gmw/en-us").results[0]
    after = mf.load_manifest(out, "small")
    assert (result.built, result.reused) == (len(before.sections), 0)
    assert after.voice.voice == "gmw/en-us"
    assert {s.key for s in after.sections}.isdisjoint({s.key for s in before.sections})
    # Unchanged again: nothing to say.
    assert build(content, out, voice="gmw/en-us").results[0].built == 0


def test_a_page_that_names_its_voice_is_read_by_it_and_wins_over_the_site(small_site):
    content, out = small_site
    path = content / "small.html"
    path.write_bytes(with_voice(path.read_bytes(), "gmw/en-us"))
    result = build(content, out, voice="gmw/en").results[0]
    manifest = mf.load_manifest(out, "small")
    assert result.built == len(manifest.sections)
    assert manifest.voice.voice == "gmw/en-us"
    assert {s.voice for section in manifest.sections for s in section.sentences} == {"gmw/en-us"}


def test_a_page_keeps_its_old_audio_until_the_new_voice_is_complete(small_site, monkeypatch):
    content, out = small_site
    spec = EngineSpec(
        "breaks",
        "Fails half-way.",
        factory="tests.test_voice_switch:BreaksHalfWay",
        identity="tests.test_voice_switch:breaks_id",
        in_process=True,
    )
    monkeypatch.setitem(ENGINES, "breaks", spec)
    published = mf.manifest_path(out, "small").read_bytes()
    old = mf.load_manifest(out, "small")
    result = build(content, out, engine="breaks", voice="gmw/en-us").results[0]
    # Raised at the fourth sentence: three had been said in the new voice.
    assert "the engine stopped half-way" in result.error
    assert mf.manifest_path(out, "small").read_bytes() == published
    folder = mf.document_dir(out, "small")
    assert all((folder / mf.AUDIO_DIR / name).is_file() for name in old.audio_names)
    assert old.voice.voice == "gmw/en"


def test_reader_engine_and_voice_settings_choose_them_for_a_plain_build(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("READER_")},
        "READER_ENGINE": "fake",
        "READER_VOICE": "gmw/en-us",
    }
    command = [
        sys.executable,
        "-m",
        "reader",
        "build",
        "--content",
        str(content),
        "--out",
        str(out),
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=environ)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(mf.manifest_path(out, "small").read_text())
    assert manifest["voice"] == {
        "engine": "fake-1",
        "voice": "gmw/en-us",
        "rate": 160,
        "description": "Test tones",
    }
