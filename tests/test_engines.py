"""The engine registry: one place names every engine, and naming one loads none."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reader.errors import EngineError
from reader.model import Sentence
from reader.pipeline import engines
from reader.pipeline.engines import ENGINES, Engine, EngineSpec, get_engine, make_engine
from reader.pipeline.synthesise import SectionJob, synthesise_sections
from tests.support.content import REPO


class QuietEngine:
    """An engine registered by a test: one voice, and silence as long as the text."""

    def __init__(self, rate: int):
        self.rate = rate

    def voices(self) -> list[str]:
        """List the one voice."""
        return ["gmw/en"]

    def synthesise(self, text: str, voice: str) -> bytes:
        """Return 10 ms of silence per character."""
        return bytes(len(text) * 441)


def quiet_id() -> str:
    """Name the quiet engine."""
    return "quiet-1"


def test_every_registered_part_can_be_loaded():
    for spec in ENGINES.values():
        assert spec.name and spec.help
        for reference in (spec.factory, spec.identity, spec.preload):
            if reference:
                assert callable(engines._load(reference)), reference


def test_the_fake_engine_is_made_through_the_registry():
    fake = make_engine("fake", 160)
    assert isinstance(fake, Engine)
    assert "gmw/en" in fake.voices()
    assert get_engine("fake").engine_id() == "fake-1"


def test_an_unknown_engine_lists_the_registered_ones():
    with pytest.raises(EngineError, match="choose one of pyttsx3, fake"):
        get_engine("festival")


def test_a_registered_engine_is_used_by_synthesis_without_other_changes(monkeypatch):
    spec = EngineSpec(
        "quiet",
        "Silence.",
        factory="tests.test_engines:QuietEngine",
        identity="tests.test_engines:quiet_id",
        in_process=True,
    )
    monkeypatch.setitem(ENGINES, "quiet", spec)
    job = SectionJob("k", (Sentence("Hello there.", "Hello there.", "en-GB", pause=0.0),))
    (audio,) = synthesise_sections([job], "quiet", 160, {}, workers=1)
    assert audio.voices == ("gmw/en",)
    assert get_engine("quiet").engine_id() == "quiet-1"


def test_naming_an_engine_imports_no_engine():
    script = """
import sys
from reader.pipeline.engines import ENGINES, get_engine
get_engine("pyttsx3"), get_engine("fake")
loaded = [m for m in ("pyttsx3", "reader.pipeline.engine", "reader.pipeline.fake_engine")
          if m in sys.modules]
assert not loaded, loaded
"""
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO)
