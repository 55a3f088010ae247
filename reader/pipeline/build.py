"""Build documents in stages, from data to data; only `publish` writes.

read_source → is_current? → plan (parse, speech text, which sections need audio)
    → synthesise → assemble (the Manifest and its files) → publish (under the lock)
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reader import manifest as mf
from reader.content import discover
from reader.errors import PublishError, ReaderError
from reader.files import folder_error
from reader.model import Document, SpokenSection
from reader.pipeline import parse, publish
from reader.pipeline.download import build_download
from reader.pipeline.failure import log_dir, unexpected_failure
from reader.pipeline.freshness import (
    DEFAULT_RATE,
    PIPELINE_VERSION,
    BuildOptions,
    Source,
    is_current,
    read_source,
    stable_hash,
    summary_line,
)
from reader.pipeline.lexicon import load_lexicon
from reader.pipeline.section_audio import SectionAudio, SectionJob
from reader.pipeline.spoken_cache import SpokenCache
from reader.pipeline.synthesise import Synthesiser
from reader.pipeline.voice_catalogue import describe_voice

__all__ = [
    "DEFAULT_RATE",
    "BuildOptions",
    "BuildSummary",
    "DocumentResult",
    "Plan",
    "assemble",
    "build_document",
    "build_documents",
    "is_current",
    "plan",
    "read_source",
]

Progress = Callable[[str, int, int], None]
"""Called with (slug, sections done, sections to build) as sections finish."""


@dataclass
class DocumentResult:
    """What a build did to one document."""

    slug: str
    built: int = 0
    reused: int = 0
    audio_seconds: float = 0.0
    error: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class BuildSummary:
    """What a build did, for the closing line of `reader build`."""

    results: list[DocumentResult]
    seconds: float

    @property
    def failed(self) -> list[DocumentResult]:
        """Return the documents that could not be built."""
        return [r for r in self.results if r.error]

    def text(self) -> str:
        """Say it in one line."""
        return summary_line(
            ok=len(self.results) - len(self.failed),
            failed=len(self.failed),
            built=sum(r.built for r in self.results),
            reused=sum(r.reused for r in self.results),
            minutes=sum(r.audio_seconds for r in self.results) / 60,
            seconds=self.seconds,
        )


@dataclass(frozen=True)
class Plan:
    """A document parsed and said as text, with the sections that need new audio."""

    source: Source
    document: Document
    sections: tuple[SpokenSection, ...]
    keys: tuple[str, ...]
    """Each section's key: a hash of everything that shapes its audio."""
    reusable: Mapping[str, mf.Section]
    """Sections of the published version whose audio is reused, by key."""
    jobs: tuple[SectionJob, ...]
    """The sections to synthesise."""
    preferred: Mapping[str, str]
    """The voice asked for, by language."""
    engine: str
    """The engine's registered name (`source.engine` also holds its versions)."""
    rate: int
    previous: mf.Manifest | None
    """The published version, if it can be read."""
    spoken: bytes | None = field(default=None, repr=False)
    """The spoken-text cache for the next build, if it changed."""


def plan(source: Source, previous: mf.Manifest | None, options: BuildOptions) -> Plan:
    """Parse the document, work out its spoken text, and say which sections need audio."""
    document = parse.parse_document(source.html, source.slug)
    lexicon = load_lexicon(source.content_dir, source.slug)
    # --force says every section again, from its text: nothing is taken on trust.
    cache = SpokenCache(source.folder, lexicon, reuse=not options.force)
    sections = cache.spoken_sections(document)
    voice = document.voice or options.voice  # the page's own choice wins
    preferred = {document.lang.lower(): voice} if voice else {}
    keys = tuple(_section_key(s, source.engine, options.rate, preferred) for s in sections)
    reusable = {} if options.force else _reusable_sections(previous, source.folder)
    jobs = tuple(
        SectionJob(key, s.sentences)
        for key, s in zip(keys, sections, strict=True)
        if key not in reusable
    )
    return Plan(
        source=source,
        document=document,
        sections=sections,
        keys=keys,
        reusable=reusable,
        jobs=jobs,
        preferred=preferred,
        engine=options.engine,
        rate=options.rate,
        previous=previous,
        spoken=cache.updated(),
    )


def assemble(planned: Plan, audio: Mapping[str, SectionAudio]) -> publish.Version:
    """Make the version to publish: its manifest, its new audio files and its download."""
    files = {_audio_path(a): a.mp3 for a in audio.values()}
    entries = tuple(
        _section(section, key, audio.get(key), planned.reusable.get(key))
        for section, key in zip(planned.sections, planned.keys, strict=True)
    )
    document = planned.document
    download, joined = build_download(
        planned.source.folder, document.title, entries, planned.previous, files
    )
    manifest = mf.Manifest(
        document=_info(planned),
        voice=_voice(planned, _main_voice(planned.keys[0], audio, planned.previous)),
        built_at=_now(),
        sections=entries,
        download=download,
        build_key=planned.source.key,
    )
    return publish.Version(manifest, document.html, files | joined, planned.spoken)


def text_only(planned: Plan) -> publish.Version:
    """Make a version without audio: a new page is worth reading while its audio is prepared."""
    manifest = mf.Manifest(
        document=_info(planned),
        built_at=_now(),
        sections=tuple(mf.Section(s.id, s.heading, s.level) for s in planned.document.sections),
        build_key=planned.source.key,
    )
    return publish.Version(manifest, planned.document.html, spoken=planned.spoken)


def build_documents(
    content_dir: Path,
    out_dir: Path,
    slugs: list[str] | None = None,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build the given documents (all by default); one failure does not stop the others.

    One document is read ahead: its sections are queued behind the current document's, so
    the workers never wait while this process parses one page or publishes another.
    """
    options = options or BuildOptions()
    started = time.perf_counter()
    _writable_build_folder(Path(out_dir))
    # A slug named twice would be built twice.
    slugs = list(dict.fromkeys(slugs or discover(content_dir)))
    results: dict[str, DocumentResult] = {}
    with BuildWorkers(options, documents=len(slugs)) as workers:
        queued: _Queued | None = None
        for slug in slugs:
            begun = _attempt(out_dir, slug, _begin, content_dir, out_dir, slug, options, workers)
            if isinstance(begun, DocumentResult):
                results[slug] = begun
                continue
            if queued is not None:
                results[queued.slug] = _attempt(out_dir, queued.slug, _finish, queued, progress)
            queued = begun
        if queued is not None:
            results[queued.slug] = _attempt(out_dir, queued.slug, _finish, queued, progress)
    return BuildSummary([results[slug] for slug in slugs], time.perf_counter() - started)


def build_document(
    content_dir: Path,
    out_dir: Path,
    slug: str,
    options: BuildOptions,
    progress: Progress | None = None,
    workers: BuildWorkers | None = None,
) -> DocumentResult:
    """Build one document and publish it atomically; raise ReaderError if it fails."""
    if workers is None:
        with BuildWorkers(options) as own:
            return build_document(content_dir, out_dir, slug, options, progress, own)
    begun = _begin(content_dir, out_dir, slug, options, workers)
    return begun if isinstance(begun, DocumentResult) else _finish(begun, progress)


@dataclass
class _Queued:
    """A document whose sections are queued on the workers, and what will publish it."""

    planned: Plan
    audio: Iterator[SectionAudio]
    out_dir: Path
    options: BuildOptions

    @property
    def slug(self) -> str:
        """Name the document."""
        return self.planned.source.slug


def _begin(
    content_dir: Path, out_dir: Path, slug: str, options: BuildOptions, workers: BuildWorkers
) -> DocumentResult | _Queued:
    """Answer for a current document, or plan it and queue its sections on the workers."""
    source = read_source(content_dir, out_dir, slug, options)
    if not options.force and (published := is_current(out_dir, slug, source.key)):
        publish.sweep_leftovers(out_dir, slug)
        publish.update_index(out_dir, mf.IndexEntry.of(published))
        return DocumentResult(
            slug, reused=len(published.sections), audio_seconds=published.duration
        )
    if source.engine_error is None:
        # The workers start their engines while this process reads the last version and
        # parses the page: all of them when every section is to be said, else one, for an edit.
        every = options.force or not (source.folder / mf.MANIFEST_NAME).exists()
        workers.start(None if every else 1)
    planned = plan(source, _previous(out_dir, slug), options)
    ready = source.engine_error is None and planned.jobs
    audio = workers.submit(list(planned.jobs), planned.preferred) if ready else iter(())
    return _Queued(planned, audio, Path(out_dir), options)


def _finish(queued: _Queued, progress: Progress | None) -> DocumentResult:
    """Collect a document's audio, assemble its version and publish it."""
    planned, options = queued.planned, queued.options
    try:
        if planned.source.engine_error is not None:
            raise planned.source.engine_error
        audio = {}
        for done, section in enumerate(queued.audio, 1):
            audio[section.key] = section
            if progress:
                progress(planned.source.slug, done, len(planned.jobs))
        version = assemble(planned, audio)
    except Exception as error:
        if planned.previous is not None and planned.previous.has_audio:
            # The last complete version stays: its text and audio still agree.
            raise
        publish.publish(queued.out_dir, text_only(planned), options.lock_timeout)
        if isinstance(error, ReaderError):
            message = f"{error} (published as text; its audio is being prepared)"
            raise type(error)(message) from error
        raise
    manifest = publish.publish(queued.out_dir, version, options.lock_timeout)
    return DocumentResult(
        planned.source.slug,
        built=len(planned.jobs),
        reused=len(planned.sections) - len(planned.jobs),
        audio_seconds=manifest.duration,
        warnings=planned.document.warnings,
    )


def _attempt(out_dir: Path, slug: str, step: Callable, *args):
    """Run one step of a document's build; a failure becomes that document's result."""
    try:
        return step(*args)
    except ReaderError as error:
        return DocumentResult(slug, error=str(error))
    except Exception as error:
        # A bug met by one document (say, in the HTML parser) fails that document only.
        return DocumentResult(slug, error=unexpected_failure(log_dir(out_dir), slug, error))


def _writable_build_folder(out_dir: Path) -> None:
    """Make the build folder if need be; refuse one this process cannot write into.

    Checked once, before any document: otherwise each one would fail on its own lock file,
    with a traceback in a log the same folder cannot hold.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(
            f"cannot make the build folder {out_dir}: {folder_error(error)}"
        ) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise PublishError(f"cannot write into the build folder {out_dir}: permission denied")


class BuildWorkers:
    """A build's one set of synthesis workers, shared by its documents, started on first use."""

    def __init__(self, options: BuildOptions, documents: int = 1):
        self._options = options
        self._documents = documents
        self._synthesiser: Synthesiser | None = None

    def submit(self, jobs: list[SectionJob], preferred) -> Iterator[SectionAudio]:
        """Queue `jobs` now and return an iterator of their audio, in the order they finish."""
        return self._workers().submit(jobs, preferred)

    def start(self, jobs: int | None) -> None:
        """Start workers for `jobs` sections (None: all) now, to start engines while parsing."""
        # Documents read ahead share the pool while it works: it must not be replaced by a
        # larger one then, so a build of several documents starts every worker at once.
        self._workers().start(None if self._documents > 1 else jobs)

    def _workers(self) -> Synthesiser:
        if self._synthesiser is None:
            options = self._options
            self._synthesiser = Synthesiser(options.engine, options.rate, options.jobs)
        return self._synthesiser

    def __enter__(self) -> BuildWorkers:
        return self

    def __exit__(self, *exc) -> None:
        if self._synthesiser is not None:
            self._synthesiser.close()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _info(planned: Plan) -> mf.DocumentInfo:
    document = planned.document
    return mf.DocumentInfo(
        slug=document.slug,
        title=document.title,
        lang=document.lang,
        source_sha256=document.source_sha256,
        words=sum(len(b.text.split()) for s in document.sections for b in s.blocks),
    )


def _section_key(section: SpokenSection, engine: str | None, rate: int, preferred) -> str:
    # A sentence in one language hashes as it always did: its published audio keeps its key.
    sentences = [
        (s.spoken, s.lang, s.pause, *([[(p.spoken, p.lang) for p in s.parts]] if s.parts else []))
        for s in section.sentences
    ]
    return stable_hash(PIPELINE_VERSION, engine, rate, sorted(preferred.items()), sentences)[:20]


def _previous(out_dir: Path, slug: str) -> mf.Manifest | None:
    # An unreadable or damaged manifest is rebuilt from scratch, then replaced.
    try:
        return mf.load_manifest(out_dir, slug)
    except mf.ManifestError:
        return None


def _reusable_sections(old: mf.Manifest | None, folder: Path) -> dict[str, mf.Section]:
    """Map the key of each previously published section whose audio is present to it."""
    if not old:
        return {}
    return {s.key: s for s in old.sections if s.key and s.audio and (folder / s.audio).is_file()}


def audio_name(key: str, mp3: bytes) -> str:
    """Name a section's audio file by what shaped it and by its bytes.

    eSpeak NG does not give the same bytes twice, so a forced rebuild of unchanged text
    gets a new name: a name that is served as immutable never changes its bytes.
    """
    return hashlib.sha256(key.encode("ascii") + mp3).hexdigest()[:20] + ".mp3"


def _audio_path(audio: SectionAudio) -> str:
    return f"{mf.AUDIO_DIR}/{audio_name(audio.key, audio.mp3)}"


def _section(
    section: SpokenSection, key: str, fresh: SectionAudio | None, reused: mf.Section | None
) -> mf.Section:
    """Describe a section's audio: freshly synthesised, or reused from the last version."""
    if fresh is not None:
        timings, duration, size = fresh.timings, fresh.duration, len(fresh.mp3)
        words, voices = list(fresh.words), list(fresh.voices)
        timed = fresh.parts or [()] * len(section.sentences)
        parts = [_parts(s, t) for s, t in zip(section.sentences, timed, strict=True)]
        path = _audio_path(fresh)
    else:
        timings = [(s.start, s.end) for s in reused.sentences]
        # A section built before word timings existed has none until a forced rebuild:
        # its audio must not change while its spoken text has not.
        words = [s.words for s in reused.sentences]
        voices = [s.voice for s in reused.sentences]
        parts = [s.parts for s in reused.sentences]
        duration, size, path = reused.duration, reused.bytes, reused.audio
    return mf.Section(
        id=section.id,
        heading=section.heading,
        level=section.level,
        audio=path,
        key=key,
        duration=duration,
        bytes=size,
        sentences=tuple(
            mf.Sentence(
                start=start,
                end=end,
                text=s.text,
                spoken=s.spoken,
                words=said,
                lang=s.lang,
                voice=voice,
                parts=part,
            )
            for s, (start, end), said, voice, part in zip(
                section.sentences, timings, words, voices, parts, strict=True
            )
        ),
    )


def _parts(sentence, timed) -> tuple[mf.SentencePart, ...] | None:
    """Describe the runs of a mixed-language sentence with the voice and time of each."""
    if not sentence.parts:
        return None
    return tuple(
        mf.SentencePart(text=part.text, lang=part.lang, voice=voice, start=start, end=end)
        for part, (start, end, voice) in zip(sentence.parts, timed, strict=True)
    )


def _voice(planned: Plan, voice: str) -> mf.Voice:
    """Describe the voice of the document's own language, as the page names it."""
    return mf.Voice(
        engine=planned.source.engine,
        voice=voice,
        rate=planned.rate,
        description=describe_voice(planned.engine, voice),
    )


def _main_voice(first_key: str, audio: Mapping[str, SectionAudio], old: mf.Manifest | None) -> str:
    """Name the voice of the document's own language: the one that reads its title."""
    if first_key in audio:
        return audio[first_key].voices[0]
    return old.voice.voice
