"""Hear any text before it is published: the build's own speech text, voice, rate and pauses."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

from reader.content import document_path, read_content
from reader.errors import ReaderError
from reader.model import Block, Sentence
from reader.pipeline.encode import encode_mp3, pcm_seconds, silence
from reader.pipeline.engine import SAMPLE_RATE, SAMPLE_WIDTH
from reader.pipeline.engines import Engine
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.render import output_rate, speak, voice_defaults
from reader.pipeline.speech import block_sentences
from reader.pipeline.voices import choose_voice

FORMATS = (".mp3", ".wav")


@dataclass(frozen=True)
class Utterance:
    """What `reader say` heard: each sentence, its voice, and the audio of them all."""

    sentences: tuple[Sentence, ...]
    voices: tuple[str, ...]
    """The voice that read each sentence."""
    pcm: bytes
    """Mono 16-bit at `sample_rate`, with the build's pause after each sentence."""
    sample_rate: int = SAMPLE_RATE
    phoneme_voices: tuple[str, ...] = ()
    """The eSpeak NG voice whose phonemes each sentence was said with."""

    @property
    def seconds(self) -> float:
        """Length of the audio in seconds."""
        return pcm_seconds(self.pcm, self.sample_rate)


def spoken_sentences(text: str, lang: str, lexicon: Lexicon) -> tuple[Sentence, ...]:
    """Cut `text` into sentences with their spoken text, as a build does for a paragraph."""
    sentences = tuple(block_sentences(Block(" ".join(text.split()), lang, "paragraph"), lexicon))
    if not sentences:
        raise ReaderError("nothing to say: the text has no letters or digits")
    return sentences


def say(text: str, lang: str, lexicon: Lexicon, engine: Engine, voice: str | None) -> Utterance:
    """Synthesise `text` exactly as a build would read it in a paragraph of a `lang` page."""
    sentences = spoken_sentences(text, lang, lexicon)
    installed = engine.voices()
    # The same choice as a build: --voice is the voice for the page's own language.
    preferred = {lang.lower(): voice} if voice else {}
    defaults, rate = voice_defaults(engine), output_rate(engine)
    voices, chunks = [], []
    for sentence in sentences:
        chosen = choose_voice(sentence.lang, installed, preferred, defaults)
        voices.append(chosen)
        said = speak(engine, sentence.spoken, chosen)
        chunks.append(said.pcm + silence(sentence.pause, rate))
    # A natural voice says the phonemes of an eSpeak NG voice; eSpeak's own voices, their own.
    phoneme_voice = getattr(engine, "phoneme_voice", lambda chosen: chosen)
    return Utterance(
        sentences, tuple(voices), b"".join(chunks), rate, tuple(map(phoneme_voice, voices))
    )


def check_output(path: Path) -> None:
    """Refuse an output file the command could not write, before any audio is made."""
    if path.suffix.lower() not in FORMATS:
        raise ReaderError(f"cannot write {path}: the file name must end in .mp3 or .wav")
    if path.is_dir():
        raise ReaderError(f"cannot write {path}: it is a folder")
    if not path.parent.is_dir():
        raise ReaderError(f"cannot write {path}: the folder {path.parent} does not exist")


def write_audio(utterance: Utterance, path: Path) -> None:
    """Write the audio as MP3 (the build's encoding) or WAV, chosen by the file's extension."""
    check_output(path)
    if path.suffix.lower() == ".mp3":
        data = encode_mp3(utterance.pcm, utterance.sample_rate)
    else:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(SAMPLE_WIDTH)
            wav.setframerate(utterance.sample_rate)
            wav.writeframes(utterance.pcm)
        data = buffer.getvalue()
    try:
        path.write_bytes(data)
    except OSError as error:
        raise ReaderError(f"cannot write {path}: {error.strerror or error}") from error


def voice_of_document(content_dir: Path, slug: str) -> str:
    """Return the voice a content document names, or "" (none, or no such document)."""
    # Here: only a named document needs the parser; `reader say` otherwise loads none of it.
    from reader.pipeline.parse import parse_document

    try:
        source = read_content(content_dir, document_path(content_dir, slug))
    except (ReaderError, OSError):
        return ""
    return parse_document(source, slug).voice
