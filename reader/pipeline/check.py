"""Content lint: what a careful editor should fix before a document is read aloud."""

from __future__ import annotations

import re
from collections import defaultdict

from bs4 import BeautifulSoup

from reader.model import Document
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.normalise import KNOWN_WORDS
from reader.pipeline.sentences import collapse_whitespace, split_sentences
from reader.pipeline.speech import spoken_text

READ_RIGHT = frozenset(
    """
    CgA CT FBC GP MDT MRI NHS UK BMI DNA ECG HIV HPV IVF IntronA RFA
    """.split()  # noqa: SIM905 - a word list reads best as words
)
"""Abbreviations measured to be read right by eSpeak NG after normalisation."""

MAX_WORDS = 40
"""A sentence longer than this is hard to follow by ear."""
MAX_SECTION_SENTENCES = 40
"""A section longer than this is hard to navigate without subheadings."""

VAGUE_LINK_TEXT = frozenset(
    {"click here", "here", "read more", "more", "this page", "link", "this link", "find out more"}
)

# Characters eSpeak NG names aloud ("slash", "hash") that a reader never means to hear.
SPOKEN_SYMBOLS = {
    "/": "slash",
    "\\": "backslash",
    "#": "hash",
    "*": "asterisk",
    "_": "underscore",
    "|": "bar",
    "~": "tilde",
    "^": "circumflex",
    "<": "less than",
    ">": "greater than",
    "[": "bracket",
    "]": "bracket",
    "{": "brace",
    "}": "brace",
}

_GOOD = READ_RIGHT | KNOWN_WORDS
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def check_document(document: Document, lexicon: Lexicon) -> list[str]:
    """List the problems in `document` a person should look at; [] when it is clean."""
    return [
        *document.warnings,
        *lexicon.warnings,
        *_empty_sections(document),
        *_duplicate_headings(document),
        *_unknown_abbreviations(document, lexicon),
        *_spoken_symbols(document, lexicon),
        *_long_sentences(document),
        *_long_sections(document),
        *_links_and_abbrs(document),
    ]


def is_abbreviation_like(token: str) -> bool:
    """Return whether a word looks like an abbreviation: 2+ capitals, or a capital after a lower."""
    capitals = sum(ch.isupper() for ch in token)
    return capitals >= 2 or re.search(r"[a-z][A-Z]", token) is not None


def _empty_sections(document: Document) -> list[str]:
    problems = []
    sections = document.sections
    for index, section in enumerate(sections):
        following = sections[index + 1] if index + 1 < len(sections) else None
        # A heading with only subsections under it ("About our information") is not empty.
        if len(section.blocks) == 1 and (following is None or following.level <= section.level):
            problems.append(f'section "{section.heading}" has only its heading and no text')
    return problems


def _duplicate_headings(document: Document) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    for section in document.sections:
        counts[section.heading.casefold()] += 1
    return [
        f'{count} sections are headed "{section.heading}"; listeners moving between '
        "sections cannot tell them apart"
        for section in document.sections
        if (count := counts.pop(section.heading.casefold(), 0)) > 1
    ]


def _unknown_abbreviations(document: Document, lexicon: Lexicon) -> list[str]:
    where: dict[str, list[str]] = defaultdict(list)
    spoken: dict[str, str] = {}
    for section in document.sections:
        for block in section.blocks:
            for piece, entry in lexicon.split(block.text, block.lang):
                if entry is not None:
                    continue
                for token in _TOKEN.findall(piece):
                    if not is_abbreviation_like(token) or token in _GOOD:
                        continue
                    if section.heading not in where[token]:
                        where[token].append(section.heading)
                    spoken.setdefault(token, spoken_text(token, block.lang, lexicon))
    return [
        f'"{token}" (in {_quoted(headings)}) has no lexicon entry and will be said '
        f'"{spoken[token]}"; if that is wrong, add it to content/lexicon.tsv'
        for token, headings in where.items()
    ]


def _spoken_symbols(document: Document, lexicon: Lexicon) -> list[str]:
    problems = []
    for section in document.sections:
        for block in section.blocks:
            for sentence in split_sentences(block.text):
                said = spoken_text(sentence, block.lang, lexicon)
                names = sorted({name for symbol, name in SPOKEN_SYMBOLS.items() if symbol in said})
                if names:
                    problems.append(
                        f'section "{section.heading}": "{_short(sentence)}" will be read with '
                        f"{' and '.join(repr(name) for name in names)} said aloud; reword it "
                        "or add a lexicon entry"
                    )
                if _WEB_ADDRESS.search(sentence):
                    problems.append(
                        f'section "{section.heading}": "{_short(sentence)}" has a web address, '
                        "which is read out piece by piece; link words that say where it goes"
                    )
    return problems


def _long_sentences(document: Document) -> list[str]:
    return [
        f'section "{section.heading}": a sentence of {len(sentence.split())} words '
        f'("{_short(sentence)}") is hard to follow by ear; consider splitting it'
        for section in document.sections
        for block in section.blocks
        for sentence in split_sentences(block.text)
        if len(sentence.split()) > MAX_WORDS
    ]


def _long_sections(document: Document) -> list[str]:
    problems = []
    for section in document.sections:
        count = sum(len(split_sentences(block.text)) for block in section.blocks)
        if count > MAX_SECTION_SENTENCES:
            problems.append(
                f'section "{section.heading}" has {count} sentences; subheadings (h3) '
                "would let listeners skip within it"
            )
    return problems


def _links_and_abbrs(document: Document) -> list[str]:
    problems = []
    page = BeautifulSoup(document.html, "html.parser")
    for link in page.find_all("a"):
        text = collapse_whitespace(link.get_text())
        if not link.get("href"):
            problems.append(
                f'the link "{text}" has no usable address (only http, https, mailto and '
                "relative links are kept), so it is shown as plain text"
            )
        elif text.casefold().rstrip(".") in VAGUE_LINK_TEXT:
            problems.append(f'the link text "{text}" does not say where the link goes')
    for abbr in page.find_all("abbr"):
        if not str(abbr.get("title", "")).strip():
            problems.append(
                f"<abbr>{collapse_whitespace(abbr.get_text())}</abbr> has no title "
                "saying what it stands for"
            )
    return problems


def _quoted(headings: list[str]) -> str:
    return ", ".join(f'"{heading}"' for heading in headings)


def _short(sentence: str, limit: int = 60) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
