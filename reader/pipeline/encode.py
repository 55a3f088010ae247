"""Encode mono 16-bit PCM as MP3, the one format every browser plays, at the engine's rate."""

from __future__ import annotations

import lameenc

from reader.pipeline.engine import SAMPLE_RATE, SAMPLE_WIDTH

BITRATE_KBPS = 48
"""48 kbit/s is 13.6% of the 16-bit WAV's bytes and keeps eSpeak's voice clear."""
QUALITY = 7
"""LAME's fast setting: on speech, 8 and 9 are no quicker, and lower settings cost time."""
ENCODER_DELAY_SAMPLES = 1105
"""LAME's priming silence at the start of the file (576 + 529 samples), at any rate."""
ENCODER_DELAY = ENCODER_DELAY_SAMPLES / SAMPLE_RATE
"""Seconds of LAME's priming silence at eSpeak NG's 22,050 Hz.

lameenc writes no LAME/Xing header, so browsers play the priming too: timings shift by it.
"""


def encoder_delay(sample_rate: int = SAMPLE_RATE) -> float:
    """Return the seconds of LAME's priming silence at `sample_rate`."""
    return ENCODER_DELAY_SAMPLES / sample_rate


def silence(seconds: float, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Return `seconds` of digital silence as PCM."""
    return bytes(round(seconds * sample_rate) * SAMPLE_WIDTH)


def pcm_seconds(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> float:
    """Return the duration of PCM in seconds."""
    return len(pcm) / (sample_rate * SAMPLE_WIDTH)


class Mp3Encoder:
    """Encode PCM as a constant-bitrate mono MP3, chunk by chunk, as it is synthesised."""

    def __init__(self, sample_rate: int = SAMPLE_RATE):
        self._lame = lameenc.Encoder()
        self._lame.set_bit_rate(BITRATE_KBPS)
        self._lame.set_in_sample_rate(sample_rate)
        self._lame.set_channels(1)
        self._lame.set_quality(QUALITY)

    def encode(self, pcm: bytes) -> bytes:
        """Return the MP3 frames that this PCM completes."""
        return bytes(self._lame.encode(pcm))

    def finish(self) -> bytes:
        """Return the last frames; the encoder cannot be used afterwards."""
        return bytes(self._lame.flush())


def encode_mp3(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Encode PCM as a constant-bitrate mono MP3 in one go."""
    encoder = Mp3Encoder(sample_rate)
    return encoder.encode(pcm) + encoder.finish()
