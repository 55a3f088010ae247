"""Helpers for tests that listen to audio: decode MP3 and measure loudness."""

from __future__ import annotations

import math
from array import array

import miniaudio

from reader.pipeline.engine import SAMPLE_RATE


def decode_mp3(mp3: bytes, sample_rate: int = SAMPLE_RATE) -> array:
    """Decode an MP3 to mono 16-bit samples at `sample_rate` (eSpeak NG's 22,050 Hz)."""
    decoded = miniaudio.decode(
        mp3, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=sample_rate
    )
    return decoded.samples


def rms(samples) -> float:
    """Return the root mean square of 16-bit samples (0 is silence, 32767 is full scale)."""
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def pcm_samples(pcm: bytes) -> array:
    """View 16-bit PCM bytes as samples."""
    return array("h", pcm)


ONSET_FRAME = 0.005
"""Seconds of each frame whose loudness decides whether it is sound or silence."""
ONSET_QUIET = 0.15
"""Seconds of quiet before a sound that make it an onset: a pause between words. The closure
of a stop consonant inside a word ("endocrine", the k of "weeks.") is quiet for less, in both
engines' voices; a shorter wait counted those bursts as onsets that start no word."""
ONSET_GAP = 0.06
"""Seconds of quiet that a word inside a phrase may start after. In connected speech most
words follow the last with no quiet at all, and the closure of a stop inside a word is quiet
too: eSpeak NG's for less than this, Piper's often for longer. So onsets after such a gap
are not all word starts, and not all word starts have one: see `start_errors`."""
ONSET_FLOOR_DB = -40
"""A frame quieter than this, below the loudest frame, is silence."""
MATCH_WINDOW = 0.25
"""Seconds: an onset farther than this from a word start is not paired with it."""


def sound_onsets(samples, rate: int, quiet: float = ONSET_QUIET) -> list[float]:
    """Return the seconds at which sound starts after at least `quiet` seconds of quiet.

    The independent clock that word timings are checked against: it knows nothing of
    phonemes, only of the audio.
    """
    import numpy as np  # here: the natural voice's tests bring numpy; the rest need none

    signal = np.asarray(samples, dtype=np.float64)
    size = max(1, round(ONSET_FRAME * rate))
    frames = len(signal) // size
    if not frames:
        return []
    energy = (signal[: frames * size].reshape(frames, size) ** 2).mean(axis=1)
    floor = energy.max() * 10 ** (ONSET_FLOOR_DB / 10)
    loud = energy > floor
    quiet_frames = round(quiet / ONSET_FRAME)
    onsets, quiet_run = [], quiet_frames  # the start of the audio counts as quiet
    for index, is_loud in enumerate(loud):
        if is_loud:
            if quiet_run >= quiet_frames:
                onsets.append(index * size / rate)
            quiet_run = 0
        else:
            quiet_run += 1
    return onsets


def match_in_order(onsets: list[float], starts: list[float]) -> list[tuple[int, int]]:
    """Pair onsets with word starts in order: (onset index, word index), each used once.

    Of all pairings that keep both orders and pair only within MATCH_WINDOW, the one with the
    most pairs, then the least total error. Unlike pairing each onset with the nearest start
    of any word, two onsets never share a word, and an onset never skips back past another.
    """
    # best[i][j]: (pairs, -error) of the first i onsets with the first j word starts.
    best = [[(0, 0.0)] * (len(starts) + 1) for _ in range(len(onsets) + 1)]
    step = [[""] * (len(starts) + 1) for _ in range(len(onsets) + 1)]
    for i, onset in enumerate(onsets, 1):
        for j, start in enumerate(starts, 1):
            choices = [(best[i - 1][j], "onset"), (best[i][j - 1], "word")]
            if abs(onset - start) <= MATCH_WINDOW:
                pairs, error = best[i - 1][j - 1]
                choices.append(((pairs + 1, error - abs(onset - start)), "pair"))
            best[i][j], step[i][j] = max(choices, key=lambda choice: choice[0])
    pairs, i, j = [], len(onsets), len(starts)
    while i and j:
        move = step[i][j]
        if move == "pair":
            pairs.append((i - 1, j - 1))
        if move != "word":
            i -= 1
        if move != "onset":
            j -= 1
    return pairs[::-1]


def start_errors(samples, rate: int, sentences) -> dict[str, list[float]]:
    """Return how far each word start that the audio shows is from its onset, by kind.

    `sentences` are (start, end, word starts) in seconds. Each sentence's onsets, in order,
    are paired with its words in order (`match_in_order`):
    - "sentence": its first word, against the onsets after ONSET_QUIET (the pipeline puts
      more quiet than that between sentences);
    - "pause": any later word, against those same onsets: a word after a pause (a comma's);
    - "gap": any later word, against the onsets after only ONSET_GAP of quiet. These are not
      all word starts: a stop inside a word ("endocrine") is as quiet, and a word that begins
      with a stop ("to", "can") sounds only at its release, after the quiet of its closure,
      so this kind measures the detector as much as the timings.
    """
    errors: dict[str, list[float]] = {"sentence": [], "pause": [], "gap": []}
    long, short = sound_onsets(samples, rate), sound_onsets(samples, rate, ONSET_GAP)
    for start, end, words in sentences:
        heard = [onset for onset in long if start - 0.05 <= onset < end]
        for onset, word in match_in_order(heard, words):
            errors["pause" if word else "sentence"].append(abs(heard[onset] - words[word]))
        heard = [onset for onset in short if start - 0.05 <= onset < end]
        for onset, word in match_in_order(heard, words):
            if word:
                errors["gap"].append(abs(heard[onset] - words[word]))
    return errors


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of `values`: the smallest that `share` of them reach."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]
