"""Change the sample rate of 16-bit mono PCM, for voices of different rates in one section.

Only a build with the natural voice meets two rates (eSpeak NG's 22,050 Hz beside a 16,000 Hz
Piper voice), and numpy comes with that extra, so this module may use it.
"""

from __future__ import annotations

import numpy as np


def resample(pcm: bytes, rate: int, wanted: int) -> bytes:
    """Return `pcm` at `wanted` samples a second, band-limited (through the spectrum)."""
    if rate == wanted or not pcm:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    length = max(1, round(len(samples) * wanted / rate))
    # Cutting or padding the spectrum keeps only what the lower rate can carry: no aliasing,
    # and no filter to design. Speech utterances start and end near silence, so the
    # transform's wrap-around is inaudible.
    spectrum = np.fft.rfft(samples)
    kept = np.zeros(length // 2 + 1, dtype=complex)
    count = min(len(kept), len(spectrum))
    kept[:count] = spectrum[:count]
    out = np.fft.irfft(kept, n=length) * (length / len(samples))
    return np.clip(np.round(out), -32768, 32767).astype("<i2").tobytes()
