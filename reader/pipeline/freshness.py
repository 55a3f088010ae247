"""What a document's version is built from, and whether the published version is current.

Every way into a build (the command, the worker, the API) asks `is_current` here. This module
imports neither the parser nor the engine, so a build with nothing to do stays cheap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reader import manifest as mf
from reader.content import document_path, lexicon_paths, read_content
from reader.errors import ReaderError
from reader.pipeline.engines import DEFAULT_ENGINE, default_workers, get_engine

PIPELINE_VERSION = "1"
"""Bump when a change to the pipeline changes audio or timings: every hash changes with it."""
DEFAULT_RATE = 160
"""Words per minute: a little slower than eSpeak's 175, as audiobook narrators read."""
DEFAULT_LOCK_TIMEOUT = 600.0


@dataclass(frozen=True)
class BuildOptions:
    """How to build: the engine, its settings and how hard to work."""

    engine: str = DEFAULT_ENGINE
    rate: int = DEFAULT_RATE
    voice: str | None = None
    """Voice for the document's own language; None chooses one from its `lang`."""
    force: bool = False
    jobs: int = field(default_factory=default_workers)
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT


@dataclass(frozen=True)
class Source:
    """What one version of a document is made from, read from the content folder."""

    content_dir: Path
    folder: Path
    """The document's folder in the build folder."""
    slug: str
    html: bytes
    lexicons: tuple[Path, ...]
    engine: str | None
    """The engine and its versions; None when the engine cannot be loaded."""
    engine_error: ReaderError | None
    """Why the engine cannot be loaded: raised once the text is published."""
    key: str
    """The build key: a hash of everything above, and of the rate and voice."""


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


def read_source(content_dir: Path, out_dir: Path, slug: str, options: BuildOptions) -> Source:
    """Read a document's source and lexicon files, name its engine, and work out its key."""
    html = read_content(content_dir, document_path(content_dir, slug))
    lexicons = tuple(lexicon_paths(content_dir, slug))
    try:
        engine, engine_error = get_engine(options.engine).engine_id(), None
    except ReaderError as error:
        engine, engine_error = None, error
    key = build_key(engine, options.rate, options.voice, html, lexicons)
    folder = mf.document_dir(Path(out_dir), slug)
    return Source(Path(content_dir), folder, slug, html, lexicons, engine, engine_error, key)


def is_current(out_dir: Path, slug: str, key: str) -> mf.Outline | None:
    """Return the published version if it was built from `key` and every file it names is there.

    Manifests are replaced atomically, so this needs no lock. A version without audio, or from
    before downloads and pages were published, is not current: it is built again.
    """
    try:
        published = mf.load_outline(out_dir, slug)
    except mf.ManifestError:
        return None
    if (
        published is None
        or published.build_key != key
        or not published.has_audio
        or published.download is None
        or published.page is None
    ):
        return None
    folder = mf.document_dir(out_dir, slug)
    files = [folder / published.page, Path(out_dir) / mf.INDEX_NAME]
    files += [folder / mf.AUDIO_DIR / name for name in published.audio_names]
    return published if all(path.is_file() for path in files) else None


def summary_line(
    ok: int, failed: int, built: int, reused: int, minutes: float, seconds: float
) -> str:
    """Say what a build did in one line."""
    return (
        f"{ok} document{'s' * (ok != 1)} built, {failed} failed: "
        f"{built} sections built, {reused} reused, {minutes:.1f} minutes of audio, "
        f"in {seconds:.2f} s"
    )
