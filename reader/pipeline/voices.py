"""Choose an installed voice for a language tag."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from reader.errors import EngineError
from reader.pipeline.engine import installed_voices_text, unknown_voice_message

DEFAULT_VOICES = {
    "en": "gmw/en",  # eSpeak NG's "en" is British English (Received Pronunciation)
    "en-gb": "gmw/en",
    "en-us": "gmw/en-us",
    "cy": "cel/cy",
}


def choose_voice(
    lang: str,
    installed: Collection[str],
    preferred: Mapping[str, str],
    engine_defaults: Mapping[str, str] | None = None,
) -> str:
    """Return the voice for `lang`: a staff choice, then our default, then one named for it.

    `engine_defaults` are an engine's own voices by language (the natural voice's), tried
    before eSpeak NG's defaults for the same tag.
    """
    tags = [lang.lower(), lang.lower().split("-")[0]]
    tables = (preferred, *([engine_defaults] if engine_defaults else []), DEFAULT_VOICES)
    for tag in tags:
        for table in tables:
            if tag in table:
                if table[tag] not in installed:
                    raise EngineError(unknown_voice_message(table[tag], installed))
                return table[tag]
    for tag in tags:
        for voice in sorted(installed):
            if voice.rsplit("/", 1)[-1] == tag:
                return voice
    raise EngineError(
        f"no installed voice speaks {lang!r}: choose one with --voice. "
        + installed_voices_text(installed)
    )


def missing_voices(
    languages: Collection[str],
    installed: Collection[str],
    lang: str,
    voice: str | None,
    engine_defaults: Mapping[str, str] | None = None,
) -> list[str]:
    """Say, for each language in a document, why no installed voice can read it."""
    preferred = {lang.lower(): voice} if voice else {}
    problems = []
    for language in sorted(languages):
        try:
            choose_voice(language, installed, preferred, engine_defaults)
        except EngineError as error:
            problems.append(str(error))
    return problems
