"""Read what the build published: the index, and each document's current version."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from reader import names
from reader.files import Cache, file_version
from reader.manifest import (
    AUDIO_DIR,
    INDEX_NAME,
    IndexEntry,
    Manifest,
    ManifestError,
    Outline,
    document_dir,
    is_valid_slug,
    manifest_path,
    read_index,
    read_manifest,
    read_outline,
)
from reader.web import delivery

log = logging.getLogger(__name__)

CACHE_SIZE = 256
"""Versions and rendered pages kept in memory; the rest are read again when asked for."""


@dataclass(frozen=True)
class Entry:
    """One published version of a document: what its page shows of the manifest, and its HTML."""

    slug: str
    outline: Outline
    """The manifest without its sentences: a page needs none of them (see `manifest`)."""
    html: str
    """The sanitised article HTML the build published with this manifest."""
    audio: bool
    """Whether every section's audio is published (else it is being prepared)."""
    key: tuple
    """Changes whenever the manifest file is replaced."""

    @property
    def title(self) -> str:
        """Return the document's title."""
        return self.outline.document.title

    @property
    def lang(self) -> str:
        """Return the document's language."""
        return self.outline.document.lang


class Catalogue:
    """The published documents of a build folder, read once per version."""

    def __init__(self, build_dir: Path, content_dir: Path | None = None):
        self.build_dir = Path(build_dir)
        self.content_dir = Path(content_dir) if content_dir is not None else None
        # Bounded, so memory stays flat whatever the number of documents or visitors.
        self._entries = Cache(CACHE_SIZE)
        self._rendered = Cache(CACHE_SIZE)
        self._index = Cache(1)

    def index(self) -> tuple[tuple | None, tuple[IndexEntry, ...]]:
        """Return the index file's version and the published documents it lists."""
        version = file_version(self.build_dir / INDEX_NAME)
        return version, self._index.get(INDEX_NAME, version, self._read_index)

    def _read_index(self) -> tuple[IndexEntry, ...]:
        try:
            index = read_index(self.build_dir)
        except ManifestError as error:
            log.warning("the index cannot be read; run reader build: %s", error)
            return ()
        return index.documents if index is not None else ()

    def entry(self, slug: str) -> Entry | None:
        """Return a document's published version; None when there is none to show."""
        if not is_valid_slug(slug):
            return None
        version = file_version(manifest_path(self.build_dir, slug))
        if version is None:
            return None
        return self._entries.get(slug, version, lambda: self._read(slug, version))

    def _read(self, slug: str, version: tuple) -> Entry | None:
        folder = document_dir(self.build_dir, slug)
        try:
            outline = read_outline(manifest_path(self.build_dir, slug))
            if outline is None or outline.page is None:
                return None
            html = (folder / outline.page).read_text("utf-8")
        except (ManifestError, OSError, UnicodeDecodeError) as error:
            log.warning("%s: the published version cannot be read: %s", slug, error)
            return None
        audio = outline.has_audio and all(
            (folder / AUDIO_DIR / name).is_file() for name in outline.audio_names
        )
        if outline.has_audio and not audio:
            # Missing audio costs visitors the player, never the page.
            log.warning("%s: some audio files are missing, serving text only", slug)
        return Entry(slug, outline, html, audio, version)

    def manifest(self, entry: Entry) -> Manifest | None:
        """Read the whole manifest of `entry`, timings and all; None when it cannot be used."""
        # Not kept: the caller keeps what it makes of it, and thousands of sentence objects
        # per document held in memory would make every garbage collection slower.
        try:
            manifest = read_manifest(manifest_path(self.build_dir, entry.slug))
        except ManifestError as error:
            log.warning("%s: the published sentences cannot be read: %s", entry.slug, error)
            return None
        if manifest is None:
            log.warning("%s: the published version has gone", entry.slug)
        return manifest

    def content_slugs(self) -> list[str]:
        """List the names of the content files (for the admin page), sorted."""
        if self.content_dir is None:
            return []
        try:
            paths = list(self.content_dir.glob("*.html"))
        except OSError:
            return []
        found = ((names.from_key(p.stem), p) for p in paths)
        return sorted(name for name, p in found if name and p.is_file())

    def rendered(self, name: str, key: tuple, make) -> delivery.Generated | None:
        """Return the bytes `make()` gives (None for None), made once per `key` for `name`."""

        def generate() -> delivery.Generated | None:
            data = make()
            return None if data is None else delivery.Generated.of(data)

        return self._rendered.get(name, key, generate)
