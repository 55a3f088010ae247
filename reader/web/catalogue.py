"""Find, parse and cache content documents and their published, current audio."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from reader.content import read_content
from reader.errors import ContentError
from reader.manifest import (
    AUDIO_DIR,
    Manifest,
    ManifestError,
    document_dir,
    is_valid_slug,
    load_manifest,
    manifest_path,
)
from reader.model import Document
from reader.web import delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Audio:
    """A document's published audio, checked to be complete and usable."""

    source_sha256: str
    manifest: Manifest
    files: dict[str, str]
    """Section id → audio file name (the hash, without `.mp3`)."""
    durations: dict[str, float]
    """Section id → seconds."""

    @property
    def total(self) -> float:
        """Return the listening time in seconds."""
        return sum(self.durations.values())


@dataclass(frozen=True)
class Entry:
    """A content document as it is now, with its audio if that is current."""

    slug: str
    document: Document
    audio: Audio | None
    """The current audio; None when it is missing, broken or stale."""
    key: tuple
    """Changes whenever the page this entry renders to would change."""


class Catalogue:
    """Find, parse and cache content documents and their published audio."""

    def __init__(self, content_dir: Path, build_dir: Path):
        self.content_dir = Path(content_dir)
        self.build_dir = Path(build_dir)
        # One entry per slug, replaced when the file changes, so the caches stay
        # as small as the content folder whatever visitors ask for.
        self._documents: dict[str, tuple[tuple, Document | None]] = {}
        self._audio: dict[str, tuple[tuple, Audio | None]] = {}
        self._rendered: dict[str, tuple[tuple, delivery.Generated]] = {}

    def slugs(self) -> list[str]:
        """List the slugs of the content documents, sorted."""
        try:
            paths = list(self.content_dir.glob("*.html"))
        except OSError:
            return []
        return sorted(p.stem for p in paths if is_valid_slug(p.stem) and p.is_file())

    def entry(self, slug: str) -> Entry | None:
        """Return a usable document with its current audio, or None if there is no such document."""
        if not is_valid_slug(slug):
            return None
        path = self.content_dir / f"{slug}.html"
        document_key = delivery.file_version(path)
        if document_key is None:
            return None
        cached = self._documents.get(slug)
        if cached is None or cached[0] != document_key:
            cached = (document_key, self._parse(path, slug))
            self._documents[slug] = cached
        document = cached[1]
        if document is None:
            return None
        audio_key = delivery.file_version(manifest_path(self.build_dir, slug))
        audio = self._current_audio(slug, audio_key, document)
        return Entry(slug, document, audio, (document_key, audio_key if audio else None))

    def _parse(self, path: Path, slug: str) -> Document | None:
        from reader.pipeline.parse import parse_document

        try:
            return parse_document(read_content(self.content_dir, path), slug)
        except (OSError, ContentError) as error:
            log.warning("%s: cannot be shown: %s", path, error)
        except Exception:
            # One document the parser chokes on must not take the index down with it.
            log.exception("%s: the parser failed", path)
        return None

    def _current_audio(self, slug: str, key: tuple | None, document: Document) -> Audio | None:
        if key is None:
            return None
        cached = self._audio.get(slug)
        if cached is None or cached[0] != key:
            cached = (key, self._read_audio(slug))
            self._audio[slug] = cached
        audio = cached[1]
        if audio is None or audio.source_sha256 != document.source_sha256:
            return None
        return audio

    def _read_audio(self, slug: str) -> Audio | None:
        try:
            manifest = load_manifest(self.build_dir, slug)
            if manifest is None:
                return None
            return self._check(slug, manifest)
        except ManifestError as error:
            # A broken manifest must cost visitors the audio, never the page.
            log.warning("%s: manifest not usable, serving text only: %s", slug, error)
            return None

    def _check(self, slug: str, manifest: Manifest) -> Audio | None:
        if not manifest.has_audio:
            return None
        audio_dir = document_dir(self.build_dir, slug) / AUDIO_DIR
        for section in manifest.sections:
            if not (audio_dir / f"{section.audio_name}.mp3").is_file():
                raise ManifestError(f"section {section.id!r}: {section.audio} is missing")
        files = {s.id: s.audio_name for s in manifest.sections}
        durations = {s.id: s.duration for s in manifest.sections}
        return Audio(manifest.document.source_sha256, manifest, files, durations)

    def entries(self) -> list[Entry]:
        """Return every usable document with its current audio, sorted by title."""
        entries = [entry for entry in map(self.entry, self.slugs()) if entry is not None]
        return sorted(entries, key=lambda e: e.document.title.casefold())

    def rendered(self, name: str, key: tuple, make) -> delivery.Generated:
        """Return what `make()` gives, made once per `key` for the cache slot `name`."""
        hit = self._rendered.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = delivery.Generated.of(make())
        # A plain assignment is atomic: two threads racing here both store a correct value.
        self._rendered[name] = (key, value)
        return value
