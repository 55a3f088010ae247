"""The bundled eSpeak NG library, and the name of the engine built on it.

Only the standard library is imported here: a build with nothing to do names the engine
(its versions are part of every audio hash) before it imports pyttsx3 or anything heavy.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from reader.errors import EngineError

_initialised = False


def note_initialised() -> None:
    """Note that eSpeak NG was initialised in this process (by pyttsx3 or by a phoneme lookup)."""
    global _initialised
    _initialised = True


def initialised() -> bool:
    """Return whether eSpeak NG was initialised in this process.

    A process forked after that must never initialise it again: `espeak_Initialize` reloads the
    phoneme data but keeps the translator the parent chose, whose phoneme tables then point at
    freed memory ("Invalid instruction … for phoneme", garbled or too-fast speech, a crash).
    """
    return _initialised


INSTALL_HINT = (
    "Install eSpeak NG: `pip install espeakng-loader` (bundled with voice-reader) "
    "or `sudo apt-get install libespeak-ng1`."
)


@cache
def load_espeak() -> tuple[ctypes.CDLL, str]:
    """Load libespeak-ng once per process and return it with its version.

    The library bundled by espeakng-loader is preferred: it pins the engine version, so the
    same text gives the same audio on every machine. It is loaded with RTLD_GLOBAL before
    pyttsx3 asks for `libespeak-ng.so.1`, so pyttsx3 gets this copy.
    """
    try:
        library = ctypes.CDLL(library_path(), mode=ctypes.RTLD_GLOBAL)
    except OSError as error:
        raise EngineError(f"cannot load the eSpeak NG library ({error}). {INSTALL_HINT}") from error
    library.espeak_Info.restype = ctypes.c_char_p
    library.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    return library, library.espeak_Info(None).decode("ascii", "replace")


def library_path() -> str:
    """Return the eSpeak NG library to load: espeakng-loader's, else the system's."""
    try:
        import espeakng_loader  # here: without it (or broken), the system's library is used

        path = espeakng_loader.get_library_path()
        # ESPEAK_DATA_PATH must be set before the library initialises.
        os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
    except (ImportError, RuntimeError):
        from ctypes.util import find_library  # here: it imports subprocess, not needed above

        path = find_library("espeak-ng") or "libespeak-ng.so.1"
    return path


def engine_id() -> str:
    """Name the engine and both versions; a change of either changes every audio hash."""
    return _engine_id(load_espeak()[1])


def _engine_id(espeak_version: str) -> str:
    return f"pyttsx3-{distribution_version('pyttsx3')}/espeak-ng-{espeak_version}"


def distribution_version(name: str) -> str:
    """Return the installed version of a distribution whose top-level module is `name`."""
    # importlib.metadata imports email, zipfile and csv, which a build with nothing to do
    # need not: the METADATA file in the package's .dist-info folder is what it would read.
    spec = find_spec(name)
    if spec and spec.origin:
        found = list(Path(spec.origin).parents[1].glob(f"{name}-*.dist-info/METADATA"))
        if len(found) == 1:
            with found[0].open(encoding="utf-8") as metadata:
                for line in metadata:
                    if line.startswith("Version:"):
                        return line.partition(":")[2].strip()
    from importlib.metadata import version

    return version(name)
