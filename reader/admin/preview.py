"""A document as it will be published: its page, each sentence as read aloud, its findings."""

from __future__ import annotations

from pathlib import Path

from reader.pipeline.check import check_document
from reader.pipeline.lexicon import Lexicon, load_lexicon
from reader.pipeline.parse import parse_document
from reader.pipeline.piper_voices import phoneme_voices
from reader.pipeline.speech import spoken_sections


def inspect_document(
    source: bytes,
    slug: str,
    content_dir: Path,
    lexicon: Lexicon | None = None,
    engine: str = "pyttsx3",
    voice: str | None = None,
) -> dict:
    """Parse and check a document: its page HTML, each sentence as read aloud, the findings.

    The findings hear what `engine` will say, in the document's voice, else `voice`.
    Raises ContentError when the document cannot be used at all.
    """
    document = parse_document(source, slug)
    heard = phoneme_voices(engine, document.lang, document.voice or voice)
    lexicon = lexicon or load_lexicon(content_dir, slug)
    sections = spoken_sections(document, lexicon)
    return {
        "title": document.title,
        "lang": document.lang,
        "voice": document.voice or "",
        "html": document.html,
        "sections": [
            {
                "id": s.id,
                "heading": s.heading,
                "sentences": [
                    {"text": x.text, "spoken": x.spoken, "lang": x.lang} for x in s.sentences
                ],
            }
            for s in sections
        ],
        "findings": check_document(document, lexicon, heard),
    }
