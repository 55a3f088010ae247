"""What eSpeak NG will say: the phonemes of a text, from the same library the engine loads.

`espeak_TextToPhonemes` runs eSpeak NG's own text-to-phoneme translation without making any
audio, cheaply enough that tests and `reader check` can hear what the engine will say: a word
read as a word or spelled out, "ay" or "uh", a symbol named or dropped.
"""

from __future__ import annotations

import ctypes
import threading

from reader.errors import EngineError
from reader.pipeline.engine import engine_text, load_espeak, start_espeak, wait_until_idle

DEFAULT_VOICE = "gmw/en"
_CHARS_UTF8 = 1
_PHONEMES_IPA = 0x02
"""phonememode bit 1: IPA (UTF-8) instead of eSpeak's ASCII phoneme mnemonics."""

_NOT_SOUNDS = frozenset("\u02c8\u02cc |")
"""IPA primary and secondary stress, spaces between words, and our clause breaks."""
_lock = threading.Lock()
_configured: ctypes.CDLL | None = None
"""The library object whose functions have been declared."""


class _Voice(ctypes.Structure):
    # espeak_VOICE from speak_lib.h; only `identifier` is read.
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


def phonemes(text: str, voice: str = DEFAULT_VOICE, ipa: bool = False) -> str:
    """Return the phonemes eSpeak NG says for `text` in `voice`, clauses joined by " | ".

    ASCII mnemonics by default ("n'aIs" for "NICE"); IPA with `ipa=True`. The text
    goes through the same clean-up as the engine's, so a symbol the engine drops is dropped
    here too.
    """
    mode = _PHONEMES_IPA if ipa else 0
    with _lock:
        library = _library()
        # eSpeak's synthesis thread must not be translating while we do.
        wait_until_idle()
        previous = _current_voice(library)
        _set_voice(library, voice)
        try:
            return " | ".join(_translate(library, engine_text(text), mode))
        finally:
            if previous and previous != voice:
                # The engine adapter remembers the voice it set; leave it as it was.
                _set_voice(library, previous)


def pronunciation(text: str, voice: str = DEFAULT_VOICE) -> str:
    """Return a readable pronunciation of `text`: IPA, with ASCII mnemonics after it."""
    return f"/{phonemes(text, voice, ipa=True)}/  [{phonemes(text, voice)}]"


def sounds(text: str, voice: str = DEFAULT_VOICE) -> str:
    """Return the IPA of `text` without stress marks, spaces or clause breaks, to compare."""
    return "".join(ch for ch in phonemes(text, voice, ipa=True) if ch not in _NOT_SOUNDS)


def same_sound(first: str, second: str, voice: str = DEFAULT_VOICE) -> bool:
    """Return whether eSpeak NG says two texts with the same sounds, ignoring stress."""
    return sounds(first, voice) == sounds(second, voice)


def _library() -> ctypes.CDLL:
    global _configured
    # Initialised as the engine does it, once for the process, whichever comes first.
    start_espeak()
    library = load_espeak()[0]
    if library is not _configured:
        library.espeak_TextToPhonemes.restype = ctypes.c_char_p
        library.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        library.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        library.espeak_GetCurrentVoice.restype = ctypes.POINTER(_Voice)
        _configured = library
    return library


def _current_voice(library: ctypes.CDLL) -> str:
    current = library.espeak_GetCurrentVoice()
    if not current or not current.contents.identifier:
        return ""
    return current.contents.identifier.decode("utf-8", "replace")


def _set_voice(library: ctypes.CDLL, voice: str) -> None:
    if library.espeak_SetVoiceByName(voice.encode("utf-8")) != 0:
        raise EngineError(f"voice {voice!r} is not installed in eSpeak NG")


def _translate(library: ctypes.CDLL, text: str, mode: int) -> list[str]:
    source = ctypes.create_string_buffer(text.encode("utf-8"))
    pointer = ctypes.c_void_p(ctypes.addressof(source))
    clauses = []
    # Each call translates one clause and moves the pointer past it; NULL means the end.
    while pointer.value:
        before = pointer.value
        result = library.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, mode)
        if result:
            clause = result.decode("utf-8", "replace").strip()
            if clause:
                clauses.append(clause)
        if pointer.value == before:
            break
    return clauses
