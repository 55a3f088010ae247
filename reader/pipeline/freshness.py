"""Whether a document's published version is current, decided before anything heavy is imported.

A build with nothing to do should cost little more than starting Python, so this module imports
only the standard library and the modules that name things (layout, content, engines, espeak):
not click, the typed manifest, the parser or the engine. `reader build` asks it first
(reader/entry.py), and the build itself asks it again for each document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from reader import layout
from reader.content import document_path, lexicon_paths, read_content
from reader.errors import ReaderError
from reader.pipeline.engines import get_engine

PIPELINE_VERSION = "1"
"""Bump when a change to the pipeline changes audio or timings: every hash changes with it."""
DEFAULT_RATE = 160
"""Words per minute: a little slower than eSpeak's 175, as audiobook narrators read."""


def stable_hash(*parts) -> str:
    """Hash JSON-able parts, the one way build keys and section keys are made."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def build_key(
    engine: str | None, rate: int, voice: str | None, source: bytes, lexicons: Iterable[Path]
) -> str:
    """Hash everything a document's published version is made from."""
    return stable_hash(
        PIPELINE_VERSION,
        engine,
        rate,
        voice,
        hashlib.sha256(source).hexdigest(),
        *(hashlib.sha256(path.read_bytes()).hexdigest() for path in lexicons),
    )


def published_current(folder: Path, key: str) -> tuple[int, float] | None:
    """Return (sections, seconds of audio) of a version published with `key` and all its files.

    Manifests are replaced atomically, so this needs no lock. It reads the JSON itself: the
    typed manifest checks every word timing (60 ms for the NETs page). Anything unexpected
    returns None, which leaves the decision to the full check under the document's lock.
    """
    try:
        data = json.loads((folder / layout.MANIFEST_NAME).read_bytes())
        sections = data["sections"]
        if data["version"] != layout.VERSION or data["build_key"] != key:
            return None
        paths = [s["audio"] for s in sections] + [data["download"]["audio"], data["page"]]
        indexed = (folder.parent / layout.INDEX_NAME).is_file()
        if indexed and all(isinstance(p, str) and (folder / p).is_file() for p in paths):
            return len(sections), sum(float(s["duration"]) for s in sections)
    except (OSError, ValueError, LookupError, TypeError):
        pass
    return None


def nothing_to_build(
    content_dir: Path, out_dir: Path, slugs: list[str], engine: str, rate: int, voice: str | None
) -> list[tuple[str, int, float]] | None:
    """Return (slug, sections, seconds) for each document if every one is current, else None.

    None means "build": a document that changed, a missing engine or any error is left to the
    full build, which reports it.
    """
    current = []
    try:
        engine_id = get_engine(engine).engine_id(Path(out_dir))
        for slug in slugs:
            source = read_content(content_dir, document_path(content_dir, slug))
            key = build_key(engine_id, rate, voice, source, lexicon_paths(content_dir, slug))
            found = published_current(Path(out_dir) / slug, key)
            if found is None:
                return None
            current.append((slug, *found))
    except (ReaderError, OSError):
        return None
    return current


def summary_line(
    ok: int, failed: int, built: int, reused: int, minutes: float, seconds: float
) -> str:
    """Say what a build did in one line, the same whichever path found it."""
    return (
        f"{ok} document{'s' * (ok != 1)} built, {failed} failed: "
        f"{built} sections built, {reused} reused, {minutes:.1f} minutes of audio, "
        f"in {seconds:.2f} s"
    )
