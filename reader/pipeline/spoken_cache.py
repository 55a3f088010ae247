"""The spoken text of each section as last built, reused while the section is unchanged.

Speech text is the slowest stage a one-section edit runs over the whole page. A section's
spoken text depends only on its parsed blocks, the lexicon and the code of the speech-text
stage, so all three are in its key: a changed rule, a lexicon entry or a pipeline upgrade
recomputes every section.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path

from reader.layout import SPOKEN_CACHE_NAME
from reader.model import Document, Part, Section, Sentence, SpokenSection
from reader.pipeline.freshness import PIPELINE_VERSION, stable_hash
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.speech import page_keys, spoken_section

_READER = Path(__file__).resolve().parents[1]
_SHAPING = ("model.py", "pipeline/speech.py", "pipeline/sentences.py", "pipeline/normalise.py")
_SHAPING += ("pipeline/lexicon.py", "pipeline/speechtext")


@functools.cache
def code_digest() -> str | None:
    """Hash the source of every module that turns parsed text into spoken text.

    None when a source file cannot be read (an install without .py files): nothing is reused.
    """
    digest = hashlib.sha256()
    try:
        for name in _SHAPING:
            path = _READER / name
            # The rules' data too: the word list, codes.tsv and the Welsh gazetteer.
            data = [*path.glob("*.txt"), *path.glob("*.tsv")] if path.is_dir() else []
            files = [*sorted(path.glob("*.py")), *sorted(data)] if path.is_dir() else [path]
            for file in files:
                digest.update(file.name.encode() + b"\0" + file.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


class SpokenCache:
    """Spoken sections reused from a document's last build, and those of this one, to keep."""

    def __init__(self, folder: Path, lexicon: Lexicon, reuse: bool = True):
        self._path = Path(folder) / SPOKEN_CACHE_NAME
        self._lexicon = lexicon
        code = code_digest()
        entries = sorted((e.written, e.lang, e.spoken) for e in lexicon.entries)
        # The Python version too: str.isalnum and the regular expressions follow its Unicode.
        python = list(sys.version_info[:2])
        self._inputs = stable_hash(PIPELINE_VERSION, python, code, entries) if code else None
        self._known = self._load() if reuse and self._inputs else {}
        self._now: dict[str, tuple[Sentence, ...]] = {}

    def spoken_sections(self, document: Document) -> tuple[SpokenSection, ...]:
        """Return what `speech.spoken_sections` returns, saying only the sections that changed."""
        spoken = []
        # A symbol in a cell is said by a key anywhere on the page, so the keys are in each key.
        keys = page_keys(document)
        for section in document.sections:
            key = self._key(section, keys)
            if (sentences := self._known.get(key)) is None:
                sentences = spoken_section(section, self._lexicon, keys).sentences
            self._now[key] = sentences
            spoken.append(SpokenSection(section.id, section.heading, section.level, sentences))
        return tuple(spoken)

    def updated(self) -> bytes | None:
        """Return the cache file that keeps this build's sections; None if it holds them already."""
        if self._inputs is None or self._now.keys() == self._known.keys():
            return None
        sections = {key: [_dump(s) for s in sentences] for key, sentences in self._now.items()}
        data = {"inputs": self._inputs, "sections": sections}
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    def _key(self, section: Section, keys: dict[str, str]) -> str:
        blocks = [
            (b.text, b.lang, b.kind, [list(s) for s in b.spans], b.label) for b in section.blocks
        ]
        page = sorted(keys.items())
        return stable_hash(self._inputs, section.id, section.heading, section.level, blocks, page)

    def _load(self) -> dict[str, tuple[Sentence, ...]]:
        # A missing, damaged or outdated cache is only a slower build.
        try:
            data = json.loads(self._path.read_bytes())
            if data["inputs"] != self._inputs:
                return {}
            return {
                key: tuple(_sentence(s) for s in sentences)
                for key, sentences in data["sections"].items()
            }
        except (OSError, ValueError, LookupError, TypeError, AttributeError):
            return {}


def _dump(s: Sentence) -> list:
    return [
        s.text,
        s.spoken,
        s.lang,
        s.pause,
        [[p.text, p.spoken, p.lang, p.offset] for p in s.parts],
    ]


def _sentence(data: list) -> Sentence:
    text, spoken, lang, pause, parts = data
    return Sentence(
        *_checked([text, spoken, lang, pause], (str, str, str, float)),
        tuple(Part(*_checked(part, (str, str, str, int))) for part in parts),
    )


def _checked(values: list, types: tuple[type, ...]) -> list:
    """Return `values` if each has its type (an int also serves for a float), else raise."""
    if len(values) != len(types):
        raise ValueError("a cached sentence has the wrong shape")
    for value, kind in zip(values, types, strict=True):
        allowed = (int, float) if kind is float else kind
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise TypeError("a cached sentence has a value of the wrong type")
    return list(values)
