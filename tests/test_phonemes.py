"""The phonemes eSpeak NG says, from the library the engine loads, without making audio."""

from __future__ import annotations

import time

import pytest

from reader.errors import EngineError
from reader.pipeline.phonemes import phonemes, pronunciation, same_sound, sounds


def test_an_acronym_eSpeak_knows_is_read_as_a_word():
    assert phonemes("NICE") == phonemes("nice")
    assert not same_sound("NICE", "N I C E")


def test_spelled_letters_are_each_named():
    assert "ɛn" in phonemes("N I C E", ipa=True)
    assert same_sound("NHS", "N H S")


def test_a_spelled_a_and_the_article_a_differ():
    # The letter is eI; the article is a schwa (a#). Only phonemes can tell them apart.
    assert phonemes("vitamin A").endswith("'eI")
    assert phonemes("A and E").startswith("a# ")


def test_ipa_and_ascii_mnemonics_are_both_available():
    assert phonemes("nice") == "n'aIs"
    assert phonemes("nice", ipa=True) == "nˈaɪs"
    text = pronunciation("octreotide")
    assert phonemes("octreotide", ipa=True) in text and phonemes("octreotide") in text


def test_clauses_are_all_translated_in_order():
    said = phonemes("Hello, world. How are you?")
    assert said.split(" | ") == [phonemes("Hello"), phonemes("world"), phonemes("How are you")]


def test_a_symbol_the_engine_drops_is_dropped_here_too():
    # The adapter removes < and > before eSpeak sees them, so "PSA > 4" is heard "PSA 4".
    assert same_sound("PSA > 4", "PSA 4")
    assert same_sound("#", "hash")


def test_the_voice_changes_the_reading():
    assert phonemes("Croeso i Gymru", "cel/cy") != phonemes("Croeso i Gymru", "gmw/en")


def test_stress_marks_are_ignored_when_comparing_sounds():
    assert sounds("nice") == "naɪs"


def test_an_unknown_voice_is_a_clear_error():
    with pytest.raises(EngineError, match="'zz/zz' is not installed"):
        phonemes("hello", "zz/zz")


@pytest.mark.parametrize("text", ["", "   ", "..."])
def test_nothing_to_say_gives_no_phonemes(text):
    assert phonemes(text) == ""


def test_it_is_fast_enough_for_the_normal_suite():
    started = time.perf_counter()
    for _ in range(100):
        phonemes("The tumour was treated with octreotide, 20 mg a month.")
    # About 0.3 ms each on the lead's machine; the bound leaves room for a busy one.
    assert time.perf_counter() - started < 2.0


@pytest.mark.engine
def test_the_engine_keeps_its_voice_after_phonemes_in_another(tmp_path):
    from reader.pipeline.encode import pcm_seconds
    from reader.pipeline.engine import Pyttsx3Engine

    engine = Pyttsx3Engine(rate=160)
    before = engine.synthesise("Mae hwn yn wybodaeth am ganser.", "gmw/en")
    assert phonemes("Mae hwn yn wybodaeth am ganser.", "cel/cy")
    after = engine.synthesise("Mae hwn yn wybodaeth am ganser.", "gmw/en")
    assert abs(pcm_seconds(after) - pcm_seconds(before)) < 0.05
