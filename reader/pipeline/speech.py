"""Document → SpokenSections: each block cut into sentences with display and spoken text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from reader.model import Block, Document, Part, Section, Sentence, SpokenSection
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.normalise import is_speakable, normalise, tidy
from reader.pipeline.sentences import split_sentences
from reader.pipeline.speechtext.symbols import say_cell_symbols, symbol_key
from reader.pipeline.speechtext.welsh import WELSH, welsh_spans

PAUSES = {"sentence": 0.3, "heading": 0.7, "item": 0.5, "cell": 0.5, "paragraph": 0.55}
"""Seconds of silence after a sentence: "sentence" inside a block, else by the block's kind.

The engine adapter cuts eSpeak's own pause after each utterance, so these are the only ones."""


def spoken_sections(document: Document, lexicon: Lexicon) -> tuple[SpokenSection, ...]:
    """Turn every section of `document` into sentences ready for synthesis."""
    keys = page_keys(document)
    return tuple(spoken_section(section, lexicon, keys) for section in document.sections)


def spoken_text(text: str, lang: str, lexicon: Lexicon) -> str:
    """Return what the engine is asked to say for `text`: lexicon words, then normalisation."""
    # Lexicon respellings are final: staff chose them, so normalisation must not touch them.
    # Each stands in the sentence as a lower-case placeholder word, so the rules still see
    # the whole sentence ("A NET …" starts with the article A).
    spoken: dict[str, str] = {}
    marked = []
    for piece, entry in lexicon.split(text, lang):
        if entry is None:
            marked.append(piece)
        else:
            key = _placeholder(len(spoken))
            spoken[key] = entry.spoken
            marked.append(key)
    said = normalise("".join(marked), lang)
    for key, words in spoken.items():
        said = said.replace(key, words)
    return tidy(said)


def _placeholder(index: int) -> str:
    # Letters only: no speech-text rule rewrites a lower-case word it does not know.
    letters = ""
    while True:
        index, digit = divmod(index, 26)
        letters += chr(ord("a") + digit)
        if not index:
            return f"zqxj{letters}jxqz"


def block_sentences(
    block: Block, lexicon: Lexicon, keys: dict[str, str] | None = None
) -> list[Sentence]:
    """Cut one block into speakable sentences, with the block's pause after the last.

    `keys` maps a symbol to its meaning as the section's key defines it ("*": "far outside
    the normal range"): a symbol standing as a value in a table cell is said so.
    """
    sentences = []
    said_as = None
    if block.kind == "cell":
        said_as = partial(say_cell_symbols, keys=keys or {}, lang=block.lang)
    # A heading is always one sentence, so each section's first sentence is its heading.
    texts = [block.text] if block.kind == "heading" else split_sentences(block.text)
    position = 0
    for text in texts:
        start = block.text.find(text, position)
        position = start + len(text)
        sentence = _sentence(text, _runs(block, start, position), block.lang, lexicon, said_as)
        if sentence is not None:
            sentences.append(sentence)
    if sentences and block.label:
        sentences[0] = _labelled(sentences[0], spoken_text(block.label, block.lang, lexicon))
    if sentences:
        pause = PAUSES.get(block.kind, PAUSES["paragraph"])
        sentences[-1] = replace(sentences[-1], pause=pause)
    return sentences


def _labelled(sentence: Sentence, label: str) -> Sentence:
    """Say a cell's column header before its first sentence: "Normal range: 135 to 145 …"."""
    label = label.rstrip(":")
    if not is_speakable(label):
        return sentence
    parts = sentence.parts
    if parts:
        first = parts[0]
        parts = (replace(first, spoken=f"{label}: {first.spoken}"), *parts[1:])
    return replace(sentence, spoken=f"{label}: {sentence.spoken}", parts=parts)


def _spans(block: Block) -> tuple[tuple[int, int, str], ...]:
    """Return the block's runs in another language: marked on the page, or Welsh place names."""
    if not block.lang.lower().startswith("en"):
        return block.spans
    found = [(start, end, WELSH) for start, end in welsh_spans(block.text)]
    # A name inside a run the page marks itself is that run's.
    found = [
        span
        for span in found
        if not any(s < span[1] and span[0] < e for s, e, _lang in block.spans)
    ]
    return tuple(sorted((*block.spans, *found)))


def _runs(block: Block, start: int, end: int) -> list[tuple[int, int, str]]:
    """Cut block.text[start:end] into (start, end, lang) runs, offsets into the sentence."""
    runs, position = [], start
    for span_start, span_end, lang in _spans(block):
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        if span_start > position:
            runs.append((position - start, span_start - start, block.lang))
        runs.append((span_start - start, span_end - start, lang))
        position = span_end
    if position < end or not runs:
        runs.append((position - start, end - start, block.lang))
    return runs


def _sentence(
    text: str,
    runs: list[tuple[int, int, str]],
    main: str,
    lexicon: Lexicon,
    said_as: Callable[[str], str] | None = None,
) -> Sentence | None:
    """Make one sentence; a run in another language becomes a Part, said in its own voice."""
    if len(runs) == 1:
        # One language: exactly as before parts existed, so published audio keeps its key.
        lang = runs[0][2]
        spoken = spoken_text(said_as(text) if said_as else text, lang, lexicon)
        return Sentence(text, spoken, lang, PAUSES["sentence"]) if is_speakable(spoken) else None
    parts = []
    for start, end, lang in runs:
        piece = text[start:end]
        stripped = piece.strip()
        spoken = spoken_text(stripped, lang, lexicon)
        # Punctuation between runs ("," or ".") has nothing to say; the gap is its pause.
        if is_speakable(spoken):
            offset = start + piece.index(stripped)
            parts.append(Part(stripped, spoken, lang, offset))
    if not parts:
        return None
    if len({part.lang for part in parts}) == 1:
        lang = parts[0].lang
        spoken = spoken_text(text, lang, lexicon)
        return Sentence(text, spoken, lang, PAUSES["sentence"]) if is_speakable(spoken) else None
    spoken = " ".join(part.spoken for part in parts)
    return Sentence(text, spoken, main, PAUSES["sentence"], tuple(parts))


def page_keys(document: Document) -> dict[str, str]:
    """Return the symbols any section of the page defines, the first definition of each.

    A key often sits away from its table: in a footnote after it, or a later "Key" section.
    """
    keys: dict[str, str] = {}
    for section in document.sections:
        for symbol, meaning in section_keys(section).items():
            keys.setdefault(symbol, meaning)
    return keys


def section_keys(section: Section) -> dict[str, str]:
    """Return the symbols the section's own text defines: "* far outside the normal range"."""
    keys = {}
    for block in section.blocks[1:]:
        if block.kind != "cell" and (key := symbol_key(block.text)) is not None:
            keys.setdefault(*key)
    return keys


def spoken_section(
    section: Section, lexicon: Lexicon, keys: dict[str, str] | None = None
) -> SpokenSection:
    """Turn one section into sentences ready for synthesis, its heading first.

    `keys` are the page's (`page_keys`); a key in the section itself wins over them.
    """
    heading, *rest = section.blocks
    keys = {**(keys or {}), **section_keys(section)}
    sentences = block_sentences(heading, lexicon)
    if not sentences:
        # The widget needs each section's first sentence to be its heading.
        sentences = [Sentence(heading.text, heading.text, heading.lang, PAUSES["heading"])]
    for block in rest:
        sentences.extend(block_sentences(block, lexicon, keys))
    return SpokenSection(
        id=section.id, heading=section.heading, level=section.level, sentences=tuple(sentences)
    )
