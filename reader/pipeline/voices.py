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
    # Imported here: piper_voices reads this module's defaults.
    from reader.pipeline.piper_voices import default_voices, find_voices, voices_dir

    infos = find_voices(voices_dir())
    table = {**default_voices(infos), **chosen}
    return {tag: infos[v].espeak_voice if v in infos else v for tag, v in table.items()}


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
