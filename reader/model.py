"""Typed data passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """A run of text that always ends a sentence: a paragraph, list item, cell or heading."""

    text: str
    """Display text, whitespace-collapsed, exactly as the page shows it."""
    lang: str
    """BCP 47 language of the block, inherited from the nearest `lang` attribute."""
    kind: str
    """One of "heading", "paragraph", "item", "cell"."""
    spans: tuple[tuple[int, int, str], ...] = ()
    """(start, end, lang) of each run of `text` in another language than `lang`, such as a
    `<span lang="cy">` inside an English paragraph; empty when the block has one language."""


@dataclass(frozen=True)
class Section:
    """A navigable part of a document, started by its heading."""

    id: str
    """Stable, unique id; also the id of the heading on the page."""
    heading: str
    level: int
    """1 for the introduction (the title and any text before the first h2), else 2 or 3."""
    blocks: tuple[Block, ...]
    """Everything read in this section, its heading first."""


@dataclass(frozen=True)
class Document:
    """A parsed, sanitised content document."""

    slug: str
    title: str
    lang: str
    sections: tuple[Section, ...]
    html: str
    """Sanitised body HTML for the page: one h1, no skipped levels, ids on section headings."""
    source_sha256: str
    """SHA-256 of the source file's bytes."""
    warnings: tuple[str, ...] = ()
    """Problems found while parsing best-effort, for `reader check` and the build log."""
    voice: str = ""
    """The voice the page names for its own language (`<meta name="voice-reader-voice">`);
    "" leaves it to the site's setting."""


@dataclass(frozen=True)
class Part:
    """A run of a sentence in one language, when the sentence mixes languages."""

    text: str
    """Display text of the run, exactly as it stands in the sentence's text."""
    spoken: str
    """What the engine is asked to say for the run, in the run's language."""
    lang: str
    """Language whose voice reads the run."""
    offset: int
    """Index of `text` in the sentence's display text."""


@dataclass(frozen=True)
class Sentence:
    """One sentence: what the page shows and what the engine is asked to say."""

    text: str
    """Display text, exactly as the page shows it (whitespace-collapsed)."""
    spoken: str
    """Text sent to the engine, after the lexicon and normalisation."""
    lang: str
    """Language whose voice reads this sentence."""
    pause: float = 0.0
    """Seconds of silence after the sentence (longer after headings and list items)."""
    parts: tuple[Part, ...] = ()
    """The runs of a sentence that mixes languages, each said in its own voice; `spoken` is
    then their spoken text joined. Empty when the whole sentence is in `lang`."""


@dataclass(frozen=True)
class SpokenSection:
    """A section as a list of sentences ready for synthesis."""

    id: str
    heading: str
    level: int
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class SpokenWord:
    """Where one word the engine said starts, in its audio and in the text it was given."""

    sample: int
    """First sample of the word in the utterance's PCM."""
    start: int
    """Index of the word's first character in the text said."""
    length: int
    """Characters of the word in the text said."""


@dataclass(frozen=True)
class Utterance:
    """One sentence as the engine said it: the text it was given, the PCM and the words."""

    text: str
    """The text as sent to the engine, which the words' `start` and `length` index."""
    pcm: bytes
    """Mono 16-bit samples at `sample_rate`."""
    words: tuple[SpokenWord, ...] = ()
    """The words the engine reported, in order; an engine may merge short words."""
    sample_rate: int = 22050
    """Samples a second of `pcm`: eSpeak NG's 22,050 Hz, or a Piper voice's own rate."""
