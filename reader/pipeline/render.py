"""Say one section's sentences and encode them as one MP3 with timings: each worker's job."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from reader.model import Sentence, Utterance
from reader.pipeline.encode import Mp3Encoder, encoder_delay, pcm_seconds, silence
from reader.pipeline.engine import SAMPLE_RATE
from reader.pipeline.engines import Engine
from reader.pipeline.synthesise import SectionAudio, SectionJob
from reader.pipeline.voices import choose_voice
from reader.pipeline.words import Word, word_timings


def speak(engine: Engine, text: str, voice: str) -> Utterance:
    """Say one sentence, with its word events when the engine reports them."""
    # `speak` is optional in the Engine protocol: an engine with only `synthesise` still
    # builds, and its sentences get no word timings.
    if hasattr(engine, "speak"):
        return engine.speak(text, voice)
    return Utterance(text, engine.synthesise(text, voice))


def output_rate(engine: Engine) -> int:
    """Return the sample rate of the engine's sections: one rate for a whole build."""
    return getattr(engine, "sample_rate", SAMPLE_RATE)


def voice_defaults(engine: Engine) -> Mapping[str, str] | None:
    """Return the engine's own voices by language, if it prefers them to eSpeak NG's."""
    defaults = getattr(engine, "default_voices", None)
    return defaults() if defaults else None


def at_rate(utterance: Utterance, rate: int) -> Utterance:
    """Return the utterance at `rate`: a voice of another rate is resampled, words kept."""
    if utterance.sample_rate == rate:
        return utterance
    # Imported here: only the natural voice's builds meet two rates, and it brings numpy.
    from reader.pipeline.resample import resample

    ratio = rate / utterance.sample_rate
    return Utterance(
        utterance.text,
        resample(utterance.pcm, utterance.sample_rate, rate),
        tuple(type(w)(round(w.sample * ratio), w.start, w.length) for w in utterance.words),
        rate,
    )


def render_section(engine: Engine, job: SectionJob, preferred: Mapping[str, str]) -> SectionAudio:
    """Synthesise each sentence, join them with their pauses and encode one MP3."""
    installed = engine.voices()
    defaults = voice_defaults(engine)
    rate = output_rate(engine)
    delay = encoder_delay(rate)
    encoder = Mp3Encoder(rate)
    frames, timings, voices, words, parts = [], [], [], [], []
    elapsed = 0.0
    # Encoding runs on a second thread. lameenc releases the GIL, so it overlaps the next
    # sentence's synthesis and the 10 ms that pyttsx3 sleeps after every utterance.
    with ThreadPoolExecutor(max_workers=1) as encoding:
        for sentence in job.sentences:
            start = elapsed
            voice = choose_voice(sentence.lang, installed, preferred, defaults)
            if sentence.parts:
                pcm, said, spoken_parts = _say_parts(
                    engine, sentence, installed, preferred, start + delay
                )
            else:
                utterance = at_rate(speak(engine, sentence.spoken, voice), rate)
                pcm, spoken_parts = utterance.pcm, ()
                said = word_timings(sentence.text, utterance, start + delay)
            elapsed = start + pcm_seconds(pcm, rate)
            timings.append((round(start + delay, 3), round(elapsed + delay, 3)))
            voices.append(voice)
            words.append(tuple(said))
            parts.append(spoken_parts)
            pcm += silence(sentence.pause, rate)
            elapsed = start + pcm_seconds(pcm, rate)
            frames.append(encoding.submit(encoder.encode, pcm))
        mp3 = b"".join(f.result() for f in frames) + encoder.finish()
    return SectionAudio(
        key=job.key,
        mp3=mp3,
        duration=round(elapsed + delay, 3),
        timings=tuple(timings),
        voices=tuple(voices),
        words=tuple(words),
        parts=tuple(parts),
    )


PART_GAP = 0.04
"""Seconds between the runs of a sentence that changes voice: the engine trims each run."""


def _say_parts(engine: Engine, sentence: Sentence, installed, preferred, start: float):
    """Say each run of a mixed-language sentence in its own voice, one after the other.

    Returns the PCM, the words on the sentence's display text, and (start, end, voice) of
    each part. The engine adapter waits for eSpeak to be idle before each voice change.
    """
    rate = output_rate(engine)
    defaults = voice_defaults(engine)
    pcm = b""
    said: list[Word] = []
    spoken_parts = []
    for number, part in enumerate(sentence.parts):
        if number:
            pcm += silence(PART_GAP, rate)
        voice = choose_voice(part.lang, installed, preferred, defaults)
        utterance = at_rate(speak(engine, part.spoken, voice), rate)
        part_start = start + pcm_seconds(pcm, rate)
        shift = len(sentence.text[: part.offset].encode("utf-16-le")) // 2
        said.extend(
            (time, offset + shift, length)
            for time, offset, length in word_timings(part.text, utterance, part_start)
        )
        pcm += utterance.pcm
        spoken_parts.append((round(part_start, 3), round(start + pcm_seconds(pcm, rate), 3), voice))
    return pcm, said, tuple(spoken_parts)
