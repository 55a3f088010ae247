"""The natural voice: Piper neural voices, given our own eSpeak NG phonemes, behind the Engine.

Only build workers, `reader say` and the admin's clips import this module: it loads
onnxruntime and numpy, which a build with the default engine never needs. Piper phonemises
nothing itself: reader/pipeline/piper_phonemes.py gives it the phonemes of the spoken text,
after the lexicon and the speech-text rules, from the bundled eSpeak NG. Word times come from
the model's own phoneme durations. A language no Piper voice speaks (Welsh) is said by the
eSpeak NG engine this one owns.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import onnxruntime

from reader.errors import EngineError
from reader.model import SpokenWord, Utterance
from reader.pipeline.engine import Pyttsx3Engine, engine_text, unknown_voice_message
from reader.pipeline.espeak import load_espeak
from reader.pipeline.piper_phonemes import Phonemised, phonemise
from reader.pipeline.piper_voices import (
    INSTALL_HINT,
    NATURAL_RATE,
    PiperVoiceInfo,
    default_voices,
    find_voices,
    voices_dir,
)
from reader.pipeline.resample import utterance_at_rate

PAD, BOS, EOS = "_", "^", "$"
"""Piper's padding after every phoneme, and the marks of a sentence's start and end."""
QUIET_LEVEL = 0.01
"""Samples quieter than this (at the sentence's peak of PEAK) are quiet: the pause before a
word, and the end after the last."""
TAIL_KEPT = 0.03
"""Seconds kept after the last sample above QUIET_LEVEL: the word's own fading end."""
FADE = 0.005
"""Seconds over which the kept end fades to zero, so the pause after it starts without a click."""
PEAK = 0.9
"""Each sentence is scaled to this peak, as Piper scales to 1.0, leaving room for MP3."""


def preload() -> None:
    """Load eSpeak NG before worker processes fork; this module's import brought onnxruntime."""
    load_espeak()


class PiperEngine:
    """Say sentences with Piper voices, and with eSpeak NG where no Piper voice can."""

    def __init__(self, rate: int):
        self.rate = rate
        self._infos = find_voices(voices_dir())
        if not self._infos:
            raise EngineError(f"no Piper voice is installed. {INSTALL_HINT}")
        self.sample_rate = max(info.sample_rate for info in self._infos.values())
        """Every section is at the highest rate of the Piper voices: one rate a build, which
        the whole-page download needs; other voices are resampled to it."""
        self._models: dict[str, _Model] = {}
        # Started first, before any phoneme lookup: the eSpeak NG engine then owns the
        # library's settings from the start, as in any build worker.
        self._espeak = Pyttsx3Engine(rate)
        self._espeak_voices = set(self._espeak.voices())

    def voices(self) -> list[str]:
        """List the Piper voices, then the eSpeak NG voices that read other languages."""
        return [*sorted(self._infos), *sorted(self._espeak_voices)]

    def default_voices(self) -> dict[str, str]:
        """Map language tags to the Piper voice that reads them, for choosing voices."""
        return default_voices(self._infos)

    def phoneme_voice(self, voice: str) -> str:
        """Return the eSpeak NG voice whose phonemes `voice` says."""
        info = self._infos.get(voice)
        return info.espeak_voice if info else voice

    def synthesise(self, text: str, voice: str) -> bytes:
        """Return the PCM for one sentence in `voice`, at the engine's sample rate."""
        return self.speak(text, voice).pcm

    def speak(self, text: str, voice: str) -> Utterance:
        """Say one sentence in `voice`: its PCM and where each word starts in it."""
        if voice not in self._infos:
            if voice not in self._espeak_voices:
                raise EngineError(unknown_voice_message(voice, self.voices()))
            return utterance_at_rate(self._espeak.speak(text, voice), self.sample_rate)
        text = engine_text(text)
        if not any(ch.isalnum() for ch in text):
            raise ValueError("nothing to say: the spoken text has no letters or digits")
        info = self._infos[voice]
        model = self._model(info)
        said = phonemise(text, info.espeak_voice)
        pcm, starts = model.say(said.phonemes, self.rate)
        words = sorted(_word_starts(pcm, starts, said), key=lambda w: w.sample)
        return utterance_at_rate(
            Utterance(text, pcm, tuple(words), info.sample_rate), self.sample_rate
        )

    def _model(self, info: PiperVoiceInfo) -> _Model:
        if info.id not in self._models:
            self._models[info.id] = _Model(info)
        return self._models[info.id]


class _Model:
    """One Piper voice's ONNX model, with its phoneme durations exposed."""

    def __init__(self, info: PiperVoiceInfo):
        config = json.loads(info.config.read_bytes())
        self.info = info
        self.id_map: dict[str, list[int]] = config["phoneme_id_map"]
        inference = config.get("inference", {})
        self.noise_scale = float(inference.get("noise_scale", 0.667))
        self.length_scale = float(inference.get("length_scale", 1.0))
        self.noise_w = float(inference.get("noise_w", 0.8))
        self.hop_length = int(config.get("hop_length", 256))
        self.speaker = int(config.get("default_speaker_id", 0))
        self.speakers = int(config.get("num_speakers", 1))
        self.clusters = {tuple(c) for c in config.get("vowel_clusters", ())}
        options = onnxruntime.SessionOptions()
        # One thread a model: the build runs one worker process per core.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            _with_durations(info.model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        if len(self.session.get_outputs()) < 2:
            raise EngineError(
                f"the Piper voice {info.id} gives no phoneme durations, which word timings "
                f"need: is onnx installed? {INSTALL_HINT}"
            )

    def say(self, phonemes: tuple[str, ...], rate: int) -> tuple[bytes, list[int]]:
        """Return 16-bit PCM and the first sample of each phoneme."""
        ids, first_id = self._ids(phonemes)
        scale = self.length_scale * NATURAL_RATE / rate
        inputs = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([self.noise_scale, scale, self.noise_w], dtype=np.float32),
        }
        if self.speakers > 1:
            inputs["sid"] = np.array([self.speaker], dtype=np.int64)
        result = self.session.run(None, inputs)
        audio = result[0].squeeze().astype(np.float32)
        durations = result[1].squeeze().astype(np.float64) * self.hop_length
        # Each id's first sample: the durations add up to the audio's length.
        id_starts = np.concatenate(([0.0], np.cumsum(durations)))
        starts = [min(int(id_starts[i]), len(audio)) for i in first_id]
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 1e-8:
            audio = audio * (PEAK / peak)
        audio = _without_quiet_tail(audio, self.info.sample_rate)
        starts = [min(start, len(audio)) for start in starts]
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        return pcm, starts

    def _ids(self, phonemes: tuple[str, ...]) -> tuple[list[int], list[int]]:
        """Return the model's ids for the phonemes, and the index of each phoneme's first id."""
        id_map = self.id_map
        ids = [*id_map[BOS], *id_map[PAD]]
        first_id: list[int] = []
        longest = max((len(c) for c in self.clusters), default=1)
        index = 0
        while index < len(phonemes):
            # A voice trained on vowel clusters ("a", "ɪ" as "aɪ") gets them as one phoneme.
            size = next(
                (
                    n
                    for n in range(longest, 1, -1)
                    if tuple(phonemes[index : index + n]) in self.clusters
                ),
                1,
            )
            phoneme = "".join(phonemes[index : index + size])
            first_id.extend([len(ids)] * size)
            if phoneme in id_map:
                # As Piper does, a phoneme the voice never learned is left out.
                ids.extend(id_map[phoneme])
                ids.extend(id_map[PAD])
            index += size
        ids.extend(id_map[EOS])
        return ids, first_id


def _word_starts(pcm: bytes, starts: list[int], said: Phonemised) -> list[SpokenWord]:
    """Return where each word said starts: at its first sound, not in the quiet before it.

    A word starts at its first phoneme by the voice's durations, unless the audio is still
    quiet there. After a comma the voice often spends part of the pause in the frames of the
    next word's first phoneme (the w of "while" after "cells,"), so a word starts at its first
    sample above QUIET_LEVEL, looked for no further than where the next word's phonemes begin:
    the quiet of punctuation, spaces and padding belongs to the gap before the word.
    """
    loud = np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.int32)) > QUIET_LEVEL * 32767
    owners = said.owners
    firsts: dict[int, int] = {}
    for index, owner in enumerate(owners):
        if owner is not None:
            firsts.setdefault(owner, index)
    words = []
    for number, (start, length) in enumerate(said.words):
        first = firsts.get(number)
        if first is None:
            continue
        others = (i for i in range(first + 1, len(owners)) if owners[i] not in (None, number))
        after = next(others, None)
        end = len(loud) if after is None else starts[after]
        sound = np.flatnonzero(loud[starts[first] : end])
        sample = starts[first] + int(sound[0]) if sound.size else starts[first]
        words.append(SpokenWord(sample, start, length))
    return words


def _without_quiet_tail(audio, rate: int):
    """Cut the near-silence a Piper voice leaves after the last word, and fade its last sound.

    The voices end each sentence with a stretch of quiet of their own; the pipeline sets its
    own pauses between sentences, as it does for eSpeak NG, so they match in both engines.
    """
    loud = np.nonzero(np.abs(audio) > QUIET_LEVEL)[0]
    if not loud.size:
        return audio
    end = min(len(audio), int(loud[-1]) + round(TAIL_KEPT * rate))
    audio = audio[:end].copy()
    fade = min(end, round(FADE * rate))
    audio[end - fade :] *= np.linspace(1.0, 0.0, fade)
    return audio


def _with_durations(model: Path) -> bytes | str:
    """Return the model with its phoneme durations ("w_ceil") as a second output.

    Piper voices compute how many frames each phoneme lasts, but do not output it; piper-tts's
    own patch marks that tensor as an output, in memory, with the onnx package.
    """
    try:
        # Here, as optional: without onnx a voice gives no durations, which _Model reports.
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output
    except ImportError:
        return str(model)
    loaded = onnx.load(str(model))
    try:
        add_alignment_output(loaded)
    except ValueError as error:
        # Already patched on disk, or a model without durations: used as it is.
        logging.getLogger(__name__).debug("not patching %s: %s", model, error)
    return loaded.SerializeToString()
