"""Helpers for tests that listen to audio: decode MP3 and measure loudness."""

from __future__ import annotations

import math
from array import array

import miniaudio

from reader.pipeline.engine import SAMPLE_RATE


def decode_mp3(mp3: bytes) -> array:
    """Decode an MP3 to 22,050 Hz mono 16-bit samples."""
    decoded = miniaudio.decode(
        mp3, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=SAMPLE_RATE
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
