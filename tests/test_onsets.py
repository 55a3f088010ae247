"""The independent clock word timings are checked against: onsets in the audio, paired in order."""

from __future__ import annotations

import math

import pytest

from tests.audio import match_in_order, percentile, sound_onsets, start_errors

RATE = 8000


def bursts(*spans: tuple[float, float], length: float = 3.0) -> list[int]:
    """Return `length` seconds of silence with a loud tone over each (start, end) span."""
    samples = [0] * round(length * RATE)
    for start, end in spans:
        for n in range(round(start * RATE), round(end * RATE)):
            samples[n] = round(10000 * math.sin(2 * math.pi * 220 * n / RATE))
    return samples


def test_onsets_follow_quiet_of_at_least_the_asked_length():
    # Sound, 0.2 s of quiet, sound, 0.08 s of quiet, sound, 0.03 s of quiet, sound.
    audio = bursts((0.1, 0.5), (0.7, 1.0), (1.08, 1.4), (1.43, 1.8))
    assert sound_onsets(audio, RATE) == pytest.approx([0.1, 0.7], abs=0.006)
    assert sound_onsets(audio, RATE, 0.06) == pytest.approx([0.1, 0.7, 1.08], abs=0.006)


def test_onsets_pair_with_word_starts_in_order_and_one_each():
    # Two onsets near one word: only the nearer is its; the other pairs with nobody.
    assert match_in_order([1.05, 1.12], [1.0]) == [(0, 0)]
    # The nearest start of any word would give both onsets to the second word.
    assert match_in_order([1.22, 1.28], [1.0, 1.3]) == [(0, 0), (1, 1)]
    # Never out of order, and never farther apart than the window.
    assert match_in_order([2.0], [1.0, 2.02, 3.0]) == [(0, 1)]
    assert match_in_order([5.0], [1.0]) == []


def test_start_errors_sort_the_pairs_by_kind():
    # One sentence from 0.1 s: its first word; a word after a pause; a word after a short gap.
    audio = bursts((0.1, 0.5), (0.7, 1.0), (1.08, 1.4))
    sentences = [(0.1, 1.4, [0.11, 0.4, 0.69, 1.1])]
    errors = start_errors(audio, RATE, sentences)
    assert errors["sentence"] == [pytest.approx(0.01, abs=0.006)]
    assert errors["pause"] == [pytest.approx(0.01, abs=0.006)]
    assert sorted(errors["gap"]) == pytest.approx([0.01, 0.02], abs=0.006)


def test_the_p95_is_the_nearest_rank():
    values = [n / 100 for n in range(1, 21)]
    assert percentile(values, 0.95) == 0.19
    assert percentile(values[:10], 0.95) == 0.10
