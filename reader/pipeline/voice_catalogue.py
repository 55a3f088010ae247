"""Every voice a site can use, and how a page names the one that reads it to listeners."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple

from reader.pipeline.piper_voices import find_voices, voices_dir

ESPEAK_LICENCE = "GPL-3.0-or-later (eSpeak NG)"
ESPEAK_RATE = 22050
_PLAIN_NAMES = {
    "English (Great Britain)": "British English",
    "English (America)": "American English",
}
"""eSpeak NG's names for its voices, where listeners say it otherwise."""


class VoiceRow(NamedTuple):
    """One usable voice, as `reader voices` lists it."""

    engine: str
    voice: str
    language: str
    sample_rate: int
    quality: str
    licence: str
    description: str


def describe_voice(engine: str, voice: str) -> str:
    """Name a voice as the page says it: "Joe, American English", "eSpeak NG, Welsh"."""
    if engine == "fake":
        return "Test tones"
    if engine == "piper" and (info := find_voices(voices_dir()).get(voice)):
        return info.description
    return f"eSpeak NG, {espeak_name(voice)}"


def espeak_name(voice: str) -> str:
    """Return eSpeak NG's own name for a voice, read from its voice file; else its id."""
    folder = _espeak_voices_folder()
    path = _voice_file(folder, voice) if folder else None
    if path is None:
        return voice.rsplit("/", 1)[-1]
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("name "):
            name = line[5:].strip()
            return _PLAIN_NAMES.get(name, name)
    return voice.rsplit("/", 1)[-1]


def _voice_file(folder: Path, voice: str) -> Path | None:
    """Find a voice's file, whose name eSpeak NG matches without regard to case."""
    family, _, name = voice.rpartition("/")
    parent = (folder / family).resolve()
    if not parent.is_dir() or not parent.is_relative_to(folder.resolve()):
        return None
    return next((p for p in parent.iterdir() if p.name.lower() == name.lower()), None)


def _espeak_voices_folder() -> Path | None:
    """Find the bundled eSpeak NG's voice files without loading the library."""
    spec = find_spec("espeakng_loader")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(spec.submodule_search_locations[0]) / "espeak-ng-data" / "lang"
    return folder if folder.is_dir() else None


def piper_available() -> bool:
    """Return whether the natural voice's engine, piper-tts, is installed."""
    return find_spec("piper") is not None and find_spec("onnxruntime") is not None


def usable_voices(espeak_voices: list[str]) -> list[VoiceRow]:
    """List the Piper voices (when piper-tts is installed), then the eSpeak NG voices."""
    rows = []
    if piper_available():
        rows += [
            VoiceRow(
                "piper",
                info.id,
                info.lang,
                info.sample_rate,
                info.quality,
                info.licence,
                info.description,
            )
            for info in find_voices(voices_dir()).values()
        ]
    rows += [
        VoiceRow(
            "pyttsx3",
            voice,
            voice.rsplit("/", 1)[-1],
            ESPEAK_RATE,
            "formant",
            ESPEAK_LICENCE,
            f"eSpeak NG, {espeak_name(voice)}",
        )
        for voice in sorted(espeak_voices)
    ]
    return rows
