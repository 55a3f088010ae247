"""Content lint: what a careful editor should fix before a document is read aloud."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from bs4 import BeautifulSoup

from reader.model import Document
from reader.pipeline.hearing import PROBLEM, Finding, hear_document, is_abbreviation_like
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.sentences import collapse_whitespace, split_sentences

__all__ = ["Finding", "check_document", "find_all", "is_abbreviation_like"]

MAX_WORDS = 40
"""A sentence longer than this is hard to follow by ear."""
MAX_SECTION_SENTENCES = 40
"""A section longer than this is hard to navigate without subheadings."""

VAGUE_LINK_TEXT = frozenset(
    {"click here", "here", "read more", "more", "this page", "link", "this link", "find out more"}
)

_WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def find_all(
    document: Document, lexicon: Lexicon, preferred: Mapping[str, str] | None = None
) -> list[Finding]:
    """List everything to fix or listen to in `document`: content problems, then what is heard."""
    problems = [
        *document.warnings,
        *lexicon.warnings,
        *_empty_sections(document),
        *_duplicate_headings(document),
        *_web_addresses(document),
        *_long_sentences(document),
        *_long_sections(document),
        *_links_and_abbrs(document),
    ]
    return [Finding(PROBLEM, problem) for problem in problems] + hear_document(
        document, lexicon, preferred
    )


def check_document(
    document: Document, lexicon: Lexicon, preferred: Mapping[str, str] | None = None
) -> list[str]:
    """List the problems in `document` a person must fix; [] when it is clean."""
    return [
        f'section "{f.section}": {f.message}' if f.section else f.message
        for f in find_all(document, lexicon, preferred)
        if f.level == PROBLEM
    ]


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


def _web_addresses(document: Document) -> list[str]:
    return [
        f'section "{section.heading}": "{_short(sentence)}" has a web address, which is read '
        "out piece by piece; link words that say where it goes"
        for section in document.sections
        for block in section.blocks
        for sentence in split_sentences(block.text)
        if _WEB_ADDRESS.search(sentence)
    ]


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


def _short(sentence: str, limit: int = 60) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
