"""MP3 encoding: small, faithful, and streamable chunk by chunk."""

from __future__ import annotations

from reader.pipeline.encode import ENCODER_DELAY, Mp3Encoder, encode_mp3, pcm_seconds, silence
from reader.pipeline.fake_engine import FakeEngine
from tests.audio import decode_mp3, rms

SPEECHLIKE = FakeEngine(160).synthesise(
    "A tone as long as a short sentence of speech." * 4, "gmw/en"
)


def test_mp3_is_at_most_15_percent_of_the_wav():
    mp3 = encode_mp3(SPEECHLIKE)
    assert len(mp3) <= 0.15 * (len(SPEECHLIKE) + 44)


def test_decoded_audio_keeps_its_length_and_loudness():
    samples = decode_mp3(encode_mp3(SPEECHLIKE))
    expected = pcm_seconds(SPEECHLIKE)
    assert expected <= len(samples) / 22050 <= expected + 0.1
    assert rms(samples) > 1500


def test_the_encoder_delay_is_the_silence_at_the_start():
    # A loud first sample must come back ENCODER_DELAY seconds late, give or take 2 ms.
    samples = decode_mp3(encode_mp3(silence(0.2) + SPEECHLIKE))
    first_loud = next(i for i, s in enumerate(samples) if abs(s) > 300)
    assert abs(first_loud / 22050 - (0.2 + ENCODER_DELAY)) < 0.01


def test_chunked_encoding_equals_one_go():
    encoder = Mp3Encoder()
    chunks = [SPEECHLIKE[i : i + 10_000] for i in range(0, len(SPEECHLIKE), 10_000)]
    streamed = b"".join(encoder.encode(c) for c in chunks) + encoder.finish()
    assert streamed == encode_mp3(SPEECHLIKE)


def test_silence_is_exactly_as_long_as_asked():
    assert pcm_seconds(silence(0.35)) == round(0.35 * 22050) / 22050
