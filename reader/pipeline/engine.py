"""The one adapter around pyttsx3 and eSpeak NG: plain text in, 16-bit mono PCM out.

pyttsx3's eSpeak driver has faults we measured (see README, "The speech engine"); each is
designed around here, and nothing else in the project imports pyttsx3.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import io
import threading
import time
import wave

from reader.errors import EngineError
from reader.model import SpokenWord, Utterance
from reader.pipeline.espeak import INSTALL_HINT, load_espeak, note_initialised
from reader.pipeline.espeak import engine_id as engine_id  # the registry's name for it

SAMPLE_RATE = 22050
"""The eSpeak driver always writes 22,050 Hz mono 16-bit WAV, whatever the file name says."""
SAMPLE_WIDTH = 2
UTTERANCE_TIMEOUT = 10.0
"""Seconds to wait for one sentence: far more than any takes, so only a stuck engine waits."""
_BUFFER_MS = 1000
"""Milliseconds of audio per synth callback: what pyttsx3's driver asks for."""
WARM_UP_TEXT = "Ready."
"""Said once when an engine starts, and not kept (see Pyttsx3Engine.__init__)."""


class _DriverClock:
    """The driver's `time` module, except that its poll's sleep ends when an utterance finishes.

    The driver's loop sleeps a fixed interval between polls whatever eSpeak NG is doing, so a
    sentence said sooner than that would still wait out the rest of it.
    """

    finished = threading.Event()
    """Set by every engine's "finished-utterance" handler; cleared before each utterance."""

    def sleep(self, seconds: float) -> None:
        """Sleep as the driver asked, or less: until the utterance being said has finished."""
        self.finished.wait(seconds)

    def __getattr__(self, name: str):
        return getattr(time, name)


def _pyttsx3():
    """Return pyttsx3, its eSpeak driver imported, once the bundled library is loaded."""
    load_espeak()
    # Imported here, after load_espeak: pyttsx3's binding must find the bundled library
    # already loaded, or it loads the system's.
    import pyttsx3.drivers.espeak

    return pyttsx3


def _hand_the_driver_our_clock() -> None:
    _pyttsx3().drivers.espeak.time = _DriverClock()


def start_espeak() -> ctypes.CDLL:
    """Initialise eSpeak NG in this process, once, as pyttsx3's driver would; return the library.

    A second `espeak_Initialize` in one process reloads the phoneme data under the translator
    chosen before, whose tables then point at freed memory. A phoneme lookup before any
    engine (`reader check`, the staff worker's findings) initialises it here, and pyttsx3's
    driver is told not to do it again.
    """
    library = load_espeak()[0]
    driver = _pyttsx3().drivers.espeak
    if not driver.EspeakDriver._moduleInitialized:
        binding = driver._espeak
        if binding.Initialize(binding.AUDIO_OUTPUT_RETRIEVAL, _BUFFER_MS) == -1:
            raise EngineError(f"eSpeak NG could not start. {INSTALL_HINT}")
        # What the driver itself would note; every engine sets its voice before speaking.
        driver.EspeakDriver._defaultVoice = "gmw/en"
        driver.EspeakDriver._moduleInitialized = True
        note_initialised()
    return library


def preload() -> None:
    """Import pyttsx3 and its eSpeak driver without starting eSpeak, before forking workers.

    Forked workers then share the imported modules instead of each importing them again.
    """
    _pyttsx3()


class Pyttsx3Engine:
    """Synthesise one sentence at a time with pyttsx3's eSpeak driver."""

    def __init__(self, rate: int):
        try:
            start_espeak()
            self._engine = _pyttsx3().init("espeak")
        except EngineError:
            raise
        except Exception as error:  # pyttsx3 raises bare RuntimeErrors and OSErrors here
            raise EngineError(
                f"cannot start pyttsx3 with eSpeak NG: {error}. {INSTALL_HINT}"
            ) from error
        self.rate = rate
        self._voices = {v.id: v for v in self._engine.getProperty("voices")}
        self._voice: str | None = None
        self._finished = threading.Event()
        self._completed = False
        self._words: list[SpokenWord] = []
        self._positions: collections.deque[int] = collections.deque()
        _hand_the_driver_our_clock()
        self._engine.connect("finished-utterance", self._on_finished)
        self._engine.connect("started-word", self._on_word)
        self._observe_word_positions()
        # pyttsx3 holds back settings until its first runAndWait, then applies them just
        # before that run stops eSpeak, which cancels whatever eSpeak is still doing: an
        # empty first run gets that over with, after which settings apply at once. The rate
        # is set once, for the life of the process, and checked once eSpeak has taken it.
        with contextlib.redirect_stdout(io.StringIO()):
            self._engine.runAndWait()
        self._engine.setProperty("rate", rate)
        wait_until_idle()
        if _current_rate() != rate:
            raise EngineError(f"eSpeak NG did not accept the rate {rate} words per minute")
        # In a long process that used eSpeak NG before pyttsx3 started it (the test suite's,
        # after many phoneme lookups), the first utterance came out about five times too fast
        # and quiet, its words bunched at the start; the second was right. A short utterance,
        # thrown away, takes that first turn.
        self._render(WARM_UP_TEXT)

    def voices(self) -> list[str]:
        """List the ids of the installed voices."""
        return sorted(self._voices)

    def synthesise(self, text: str, voice: str) -> bytes:
        """Return the PCM for one sentence in `voice`."""
        return self.speak(text, voice).pcm

    def speak(self, text: str, voice: str) -> Utterance:
        """Say one sentence in `voice`: its PCM and where each word starts in it."""
        text = engine_text(text)
        if not any(ch.isalnum() for ch in text):
            # pyttsx3 asserts on empty text; punctuation alone would be spoken as silence.
            raise ValueError("nothing to say: the spoken text has no letters or digits")
        self._use_voice(voice)
        pcm, words = self._render(text)
        if not pcm:
            raise EngineError(f"eSpeak NG returned no audio for {text[:60]!r}")
        # eSpeak ends every utterance with 0.35 s of digital silence. The pipeline sets its
        # own pauses, and silence costs encoding time, so it is cut here.
        pcm = pcm.rstrip(b"\x00")
        pcm += b"\x00" * (len(pcm) % SAMPLE_WIDTH)
        return Utterance(text, pcm, _words_within(words, text, len(pcm) // SAMPLE_WIDTH))

    def _use_voice(self, voice: str) -> None:
        if voice == self._voice:
            return
        if voice not in self._voices:
            # The driver would silently fall back to its default voice.
            raise EngineError(unknown_voice_message(voice, self._voices))
        wait_until_idle()
        self._engine.setProperty("voice", voice)
        self._voice = voice

    def _on_finished(self, completed: bool, **event) -> None:
        self._completed = completed
        self._finished.set()
        _DriverClock.finished.set()

    def _observe_word_positions(self) -> None:
        # The driver's "started-word" names the word and its place in the text, but drops
        # where it starts in the audio; counting the samples delivered so far is no help, as
        # eSpeak delivers a second of audio per callback with the events that fall inside it.
        # Each espeak_EVENT carries that place exactly (`sample`, since the utterance began),
        # so the driver's synth callback is wrapped: the wrapper notes the word events'
        # samples, then hands the same buffer and events to the driver, which tells
        # "started-word" for each word event in order; _on_word pairs them up.
        _espeak = _pyttsx3().drivers.espeak._espeak

        try:
            handle = self._engine.proxy._driver._onSynth
        except AttributeError as error:
            raise EngineError(f"this pyttsx3 has no eSpeak synth callback: {error}") from error
        positions = self._positions

        def observe(wav, numsamples, events):
            positions.clear()
            index = 0
            while events[index].type != _espeak.EVENT_LIST_TERMINATED:
                if events[index].type == _espeak.EVENT_WORD:
                    positions.append(events[index].sample)
                index += 1
            return handle(wav, numsamples, events)

        # pyttsx3's binding keeps the ctypes callback alive in a module global.
        _espeak.SetSynthCallback(observe)

    def _on_word(self, name: str, location: int, length: int, **event) -> None:
        if self._positions:
            # eSpeak's text positions count characters from 1.
            self._words.append(SpokenWord(self._positions.popleft(), location - 1, length))

    def _render(self, text: str) -> tuple[bytes, list[SpokenWord]]:
        # One utterance per runAndWait: several queued saves write only the last file.
        # eSpeak synthesises on its own thread. The first runAndWait of a process returns
        # before it finishes (its audio would spill into the next file), so every utterance
        # is waited for until the driver reports it finished and wrote the WAV. And a
        # runAndWait that starts while eSpeak's thread is still busy cancels its own
        # utterance, so eSpeak is first left to go idle. The WAV goes to memory, and the
        # line the driver prints per save is swallowed.
        for _attempt in range(3):
            wait_until_idle()
            buffer = io.BytesIO()
            self._finished.clear()
            _DriverClock.finished.clear()
            self._words = []
            with contextlib.redirect_stdout(io.StringIO()):
                self._engine.save_to_file(text, buffer)
                self._engine.runAndWait()
                if not self._finished.wait(UTTERANCE_TIMEOUT):
                    raise EngineError(f"eSpeak NG did not finish saying {text[:60]!r}")
            if self._completed:
                return read_pcm(buffer.getvalue()), self._words
        raise EngineError(f"eSpeak NG kept cancelling {text[:60]!r}")


def engine_text(text: str) -> str:
    """Return the text as sent to eSpeak NG: no markup characters, single spaces."""
    return " ".join(text.replace("<", " ").replace(">", " ").split())


def _words_within(words: list[SpokenWord], text: str, samples: int) -> tuple[SpokenWord, ...]:
    """Keep the word events that lie inside the text and the audio, in order of time."""
    kept = [
        _at_word_start(w, text)
        for w in words
        if 0 <= w.start < len(text) and w.length > 0 and 0 <= w.sample < max(samples, 1)
    ]
    return tuple(sorted(kept, key=lambda w: w.sample))


def _at_word_start(word: SpokenWord, text: str) -> SpokenWord:
    """Move a word event that eSpeak placed inside a word on to the start of the next one."""
    # eSpeak NG says some phrases as one dictionary entry, and then reports the second
    # word one character into the first: "as" in "such as" comes at "uch ". Events inside
    # one word ("IntronA" is "Intron" "A") or one number ("2018" is said in three, the
    # last at "018 ") are left where they are.
    start = word.start
    inside = start > 0 and text[start - 1].isalpha() and text[start].isalpha()
    if not inside or not any(ch.isspace() for ch in text[start : start + word.length]):
        return word
    while start < len(text) and not text[start].isspace():
        start += 1
    while start < len(text) and not text[start].isalnum():
        start += 1
    if start == len(text):
        return word
    end = start
    while end < len(text) and text[end].isalnum():
        end += 1
    return SpokenWord(word.sample, start, end - start)


def wait_until_idle() -> None:
    """Wait until eSpeak NG's synthesis thread has nothing left to do."""
    library = load_espeak()[0]
    deadline = time.monotonic() + UTTERANCE_TIMEOUT
    while library.espeak_IsPlaying():
        if time.monotonic() > deadline:
            raise EngineError("eSpeak NG stayed busy")
        time.sleep(0.0005)


_ESPEAK_RATE = 1


def _current_rate() -> int:
    # pyttsx3 declares espeak_GetParameter without its `current` argument, so its
    # getProperty("rate") returns the default or the current rate at random; ask directly.
    library = load_espeak()[0]
    library.espeak_GetParameter.argtypes = [ctypes.c_int, ctypes.c_int]
    return library.espeak_GetParameter(_ESPEAK_RATE, 1)


def read_pcm(wav_bytes: bytes) -> bytes:
    """Return the frames of a WAV that must be 22,050 Hz mono 16-bit; b"" when empty."""
    if not wav_bytes:
        return b""
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        shape = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
        if shape != (SAMPLE_RATE, 1, SAMPLE_WIDTH):
            raise EngineError(f"unexpected audio format from the engine: {shape}")
        return wav.readframes(wav.getnframes())


def unknown_voice_message(voice: str, installed) -> str:
    """Say that a voice is not installed and list the ones that are."""
    return f"voice {voice!r} is not installed. {installed_voices_text(installed)}"


def installed_voices_text(installed) -> str:
    """List the installed voices for an error message."""
    return "Installed voices: " + ", ".join(sorted(installed))
