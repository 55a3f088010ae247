"""Load tests/speech/corpus.tsv: category, display text, expected spoken text, language."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from reader.model import Block
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.speech import block_sentences, spoken_text

CORPUS = Path(__file__).with_name("corpus.tsv")
HELDOUT = Path(__file__).with_name("heldout.tsv")
"""Sentences from real public pages, written down before the rules were tuned to them."""
EMPTY = Lexicon()
"""The rules alone are judged: the shipped lexicon is tested by its own tests."""


@dataclass(frozen=True)
class Case:
    """One corpus sentence."""

    line: int
    category: str
    text: str
    spoken: str
    lang: str
    kind: str = ""
    """A block kind ("heading", "item", …) to show each sentence's pause as "[0.7]"."""
    source: str = ""
    """Where a held-out sentence was found (a URL), with its licence."""

    def said(self) -> str:
        """Return what the speech-text stage makes of this sentence (and its pauses)."""
        if not self.kind:
            return spoken_text(self.text, self.lang, EMPTY)
        sentences = block_sentences(Block(self.text, self.lang, self.kind), EMPTY)
        return " ".join(f"{s.spoken} [{s.pause}]" for s in sentences)


def load_corpus(path: Path = CORPUS) -> list[Case]:
    """Read every case; lines starting with "#" are comments."""
    cases = []
    with path.open(encoding="utf-8", newline="") as file:
        rows = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        for number, row in enumerate(rows, 1):
            if not row or row[0].startswith("#") or row[0] == "category":
                continue
            category, text, spoken, *rest = row
            lang, kind, *source = [*rest, "", "", "", ""][:4]
            source_text = " ".join(part for part in source if part)
            cases.append(Case(number, category, text, spoken, lang or "en-GB", kind, source_text))
    return cases
