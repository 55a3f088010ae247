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
ONSET_FLOOR_DB = -40
"""A frame quieter than this, below the loudest frame, is silence."""


def sound_onsets(samples, rate: int) -> list[float]:
    """Return the seconds at which sound starts after at least ONSET_QUIET of quiet.

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
    quiet_frames = round(ONSET_QUIET / ONSET_FRAME)
    onsets, quiet = [], quiet_frames  # the start of the audio counts as quiet
    for index, is_loud in enumerate(loud):
        if is_loud:
            if quiet >= quiet_frames:
                onsets.append(index * size / rate)
            quiet = 0
        else:
            quiet += 1
    return onsets
