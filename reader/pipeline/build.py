"""Build documents incrementally: only sections whose spoken text changed are synthesised."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reader import manifest as mf
from reader.content import discover, document_path, read_content
from reader.errors import PublishError, ReaderError
from reader.files import folder_error
from reader.model import SpokenSection
from reader.pipeline import freshness
from reader.pipeline.engines import DEFAULT_ENGINE, default_workers, get_engine
from reader.pipeline.freshness import DEFAULT_RATE, PIPELINE_VERSION, stable_hash, summary_line
from reader.pipeline.lexicon import load_lexicon

if TYPE_CHECKING:
    from reader.pipeline.synthesise import SectionAudio

DEFAULT_LOCK_TIMEOUT = 600.0

Progress = Callable[[str, int, int], None]
"""Called with (slug, sections done, sections to build) as sections finish."""


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
    # A slug named twice would wait for its own lock.
    slugs = list(dict.fromkeys(slugs or discover(content_dir)))
    results: dict[str, DocumentResult] = {}
    with BuildWorkers(options, documents=len(slugs)) as workers:
        queued: tuple[str, Generator] | None = None
        for slug in slugs:
            steps = _document_steps(
                Path(content_dir), Path(out_dir), slug, options, progress, workers
            )
            if (result := _advance(out_dir, slug, steps)) is not None:
                results[slug] = result
                continue
            if queued is not None:
                results[queued[0]] = _finish(out_dir, *queued)
            queued = (slug, steps)
        if queued is not None:
            results[queued[0]] = _finish(out_dir, *queued)
    return BuildSummary([results[slug] for slug in slugs], time.perf_counter() - started)


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


def _advance(out_dir: Path, slug: str, steps: Generator) -> DocumentResult | None:
    """Run a document's build until its sections are queued (None), or to its result."""
    return _failure_as_result(out_dir, slug, lambda: _step(steps))


def _finish(out_dir: Path, slug: str, steps: Generator) -> DocumentResult:
    """Run a document's build to its end and return what it did."""
    return _failure_as_result(out_dir, slug, lambda: _run_to_end(steps))


def _failure_as_result(out_dir: Path, slug: str, step: Callable[[], DocumentResult | None]):
    """Run one step of a document's build; a failure becomes that document's result."""
    try:
        return step()
    except ReaderError as error:
        return DocumentResult(slug, error=str(error))
    except Exception as error:
        # A bug met by one document (say, in the HTML parser) fails that document only.
        from reader.pipeline.failure import log_dir, unexpected_failure

        return DocumentResult(slug, error=unexpected_failure(log_dir(out_dir), slug, error))


def _step(steps: Generator) -> DocumentResult | None:
    """Advance a document's build to its next pause (None) or to its end (its result)."""
    try:
        next(steps)
    except StopIteration as end:
        return end.value
    return None


def _run_to_end(steps: Generator) -> DocumentResult:
    """Drive a document's build until it returns its result."""
    while (result := _step(steps)) is None:
        pass
    return result


class BuildWorkers:
    """A build's one set of synthesis workers, shared by its documents, started on first use."""

    def __init__(self, options: BuildOptions, documents: int = 1):
        self._options = options
        self._documents = documents
        self._synthesiser = None

    def submit(self, jobs: list, preferred: dict[str, str]) -> Iterator[SectionAudio]:
        """Queue `jobs` now and return an iterator of their audio, in the order they finish."""
        return self._workers().submit(jobs, preferred)

    def start(self, jobs: int | None) -> None:
        """Start workers for `jobs` sections (None: all) now, to start engines while parsing."""
        # Documents read ahead share the pool while it works: it must not be replaced by a
        # larger one then, so a build of several documents starts every worker at once.
        self._workers().start(None if self._documents > 1 else jobs)

    def _workers(self):
        if self._synthesiser is None:
            from reader.pipeline.synthesise import Synthesiser

            options = self._options
            self._synthesiser = Synthesiser(options.engine, options.rate, options.jobs)
        return self._synthesiser

    def __enter__(self) -> BuildWorkers:
        return self

    def __exit__(self, *exc) -> None:
        if self._synthesiser is not None:
            self._synthesiser.close()


def build_document(
    content_dir: Path,
    out_dir: Path,
    slug: str,
    options: BuildOptions,
    progress: Progress | None = None,
    workers: BuildWorkers | None = None,
) -> DocumentResult:
    """Build one document and publish it atomically, under its lock."""
    if workers is None:
        with BuildWorkers(options) as own:
            return build_document(content_dir, out_dir, slug, options, progress, own)
    return _run_to_end(_document_steps(content_dir, out_dir, slug, options, progress, workers))


def _document_steps(
    content_dir: Path,
    out_dir: Path,
    slug: str,
    options: BuildOptions,
    progress: Progress | None,
    workers: BuildWorkers,
) -> Generator[None, None, DocumentResult]:
    """Build one document: pause once its sections are queued, then return its result.

    While it is paused, the caller may read the next document ahead; the lock stays held.
    """
    source = read_content(content_dir, document_path(content_dir, slug))
    lexicon = load_lexicon(content_dir, slug)
    try:
        engine, engine_error = get_engine(options.engine).engine_id(Path(out_dir)), None
    except ReaderError as error:
        # Raised once the text is published: a missing engine must not hide a new page.
        engine, engine_error = None, error
    build_key = freshness.build_key(engine, options.rate, options.voice, source, lexicon.files)
    folder = mf.document_dir(out_dir, slug)
    if not options.force and (current := freshness.published_current(folder, build_key)):
        return DocumentResult(slug, reused=current[0], audio_seconds=current[1])
    if engine_error is None:
        # The workers start their engines while this process imports the parser and reads
        # the page: all of them when every section is to be said, else one, for an edit.
        every = options.force or not (folder / mf.MANIFEST_NAME).exists()
        workers.start(None if every else 1)
    from reader.pipeline.download import build_download, read_ahead
    from reader.pipeline.parse import parse_document
    from reader.pipeline.publish import (
        document_lock,
        publish_version,
        removed_on_failure,
        retire_unreferenced,
        sweep_temp,
        update_index,
        write_page,
    )
    from reader.pipeline.spoken_cache import SpokenCache
    from reader.pipeline.synthesise import SectionJob

    audio_dir = folder / mf.AUDIO_DIR
    # A build that fails before its manifest is published leaves none of its files behind.
    with document_lock(folder, options.lock_timeout), removed_on_failure(folder):
        sweep_temp(folder)
        old = _load_previous(out_dir, slug)
        used_before = _used_before(old, out_dir, slug)
        if not options.force and old and _is_current(old, build_key, folder):
            update_index(out_dir, mf.IndexEntry.of(old))
            return DocumentResult(slug, reused=len(old.sections), audio_seconds=old.duration)
        document = parse_document(source, slug)
        info = mf.DocumentInfo(
            slug=document.slug,
            title=document.title,
            lang=document.lang,
            source_sha256=document.source_sha256,
            words=sum(len(b.text.split()) for s in document.sections for b in s.blocks),
        )
        jobs = []
        try:
            if engine_error is not None:
                raise engine_error
            # --force says every section again, from its text: nothing is taken on trust.
            spoken = SpokenCache(folder, lexicon, reuse=not options.force)
            sections = spoken.spoken_sections(document)
            voice = document.voice or options.voice  # the page's own choice wins
            preferred = {document.lang.lower(): voice} if voice else {}
            keys = [_section_key(s, engine, options, preferred) for s in sections]
            reusable = {} if options.force else _reusable_sections(old, folder)
            jobs = [
                SectionJob(key, s.sentences)
                for key, s in zip(keys, sections, strict=True)
                if key not in reusable
            ]
            queued = workers.submit(jobs, preferred) if jobs else iter(())
            # While the workers speak: the page, the reused audio the download joins, and
            # the spoken text for the next build.
            write_page(folder, document.html)
            spoken.save()
            ahead = read_ahead(folder, (reusable[k] for k in keys if k in reusable)) if jobs else {}
            yield None
            audio, paths = _collect(slug, queued, len(jobs), audio_dir, progress, ahead)
            entries = _sections(sections, keys, audio, paths, reusable)
            download, files = build_download(folder, document.title, entries, old, ahead)
            manifest = mf.Manifest(
                document=info,
                voice=_voice(options, engine, _main_voice(keys[0], audio, old)),
                built_at=_now(),
                sections=entries,
                download=download,
                build_key=build_key,
            )
        except Exception as error:
            if old is not None and old.has_audio:
                # The last complete version stays: its text and audio still agree.
                raise
            # A new document is still worth reading while its audio is being prepared.
            text_only = mf.Manifest(
                document=info,
                built_at=_now(),
                sections=tuple(mf.Section(s.id, s.heading, s.level) for s in document.sections),
                build_key=build_key,
            )
            publish_version(out_dir, text_only, document.html, old)
            if isinstance(error, ReaderError):
                message = f"{error} (published as text; its audio is being prepared)"
                raise type(error)(message) from error
            raise
        manifest = publish_version(out_dir, manifest, document.html, old, files)
        retire_unreferenced(audio_dir, manifest.audio_names, used_before)
    return DocumentResult(
        slug,
        built=len(jobs),
        reused=len(sections) - len(jobs),
        audio_seconds=manifest.duration,
        warnings=document.warnings,
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _section_key(section: SpokenSection, engine: str, options: BuildOptions, preferred) -> str:
    # A sentence in one language hashes as it always did: its published audio keeps its key.
    sentences = [
        (s.spoken, s.lang, s.pause, *([[(p.spoken, p.lang) for p in s.parts]] if s.parts else []))
        for s in section.sentences
    ]
    return stable_hash(
        PIPELINE_VERSION, engine, options.rate, sorted(preferred.items()), sentences
    )[:20]


def _load_previous(out_dir: Path, slug: str) -> mf.Manifest | None:
    # An unreadable or damaged manifest is rebuilt from scratch, then replaced.
    try:
        return mf.load_manifest(out_dir, slug)
    except mf.ManifestError:
        return None


def _used_before(old: mf.Manifest | None, out_dir: Path, slug: str) -> set[str] | None:
    """Name the audio the published manifest uses; None if it exists but cannot be read."""
    if old is not None:
        return old.audio_names
    return None if mf.manifest_path(out_dir, slug).exists() else set()


def _is_current(old: mf.Manifest, build_key: str, folder: Path) -> bool:
    # A manifest from before the whole-page download, or before pages were published with
    # it, is brought up to date, reusing its audio.
    return (
        old.build_key == build_key
        and old.has_audio
        and old.download is not None
        and old.page is not None
        and (folder / old.page).is_file()
        and (folder.parent / mf.INDEX_NAME).is_file()
        and all((folder / mf.AUDIO_DIR / name).is_file() for name in old.audio_names)
    )


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


def _collect(
    slug, queued, total, audio_dir, progress, ahead
) -> tuple[dict[str, SectionAudio], dict[str, str]]:
    """Write each section's audio as it arrives from the workers, and measure it in `ahead`.

    Returns the audio and the path of its file, each by section key. Measuring each as it
    comes, while the others are still being said, leaves the download only its join to do.
    """
    from reader.pipeline.download import measured
    from reader.pipeline.publish import atomic_write

    audio: dict[str, SectionAudio] = {}
    paths: dict[str, str] = {}
    if total:
        audio_dir.mkdir(parents=True, exist_ok=True)
    for done, section in enumerate(queued, 1):
        name = audio_name(section.key, section.mp3)
        if not (audio_dir / name).exists():
            # Each file is complete on disk before any manifest names it.
            atomic_write(audio_dir / name, section.mp3)
        paths[section.key] = path = f"{mf.AUDIO_DIR}/{name}"
        ahead[path] = measured(section.mp3)
        audio[section.key] = section
        if progress:
            progress(slug, done, total)
    return audio, paths


def _sections(sections, keys, audio, paths, reusable) -> tuple[mf.Section, ...]:
    """Describe each section's audio: freshly synthesised, or reused from the last version."""
    entries = []
    for section, key in zip(sections, keys, strict=True):
        if key in audio:
            fresh = audio[key]
            timings, duration, size = fresh.timings, fresh.duration, len(fresh.mp3)
            words = list(fresh.words)
            voices = list(fresh.voices)
            timed = fresh.parts or [()] * len(section.sentences)
            parts = [_parts(s, t) for s, t in zip(section.sentences, timed, strict=True)]
            path = paths[key]
        else:
            entry = reusable[key]
            timings = [(s.start, s.end) for s in entry.sentences]
            # A section built before word timings existed has none until a forced rebuild:
            # its audio must not change while its spoken text has not.
            words = [s.words for s in entry.sentences]
            voices = [s.voice for s in entry.sentences]
            parts = [s.parts for s in entry.sentences]
            duration, size, path = entry.duration, entry.bytes, entry.audio
        entries.append(
            mf.Section(
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
        )
    return tuple(entries)


def _parts(sentence, timed) -> tuple[mf.SentencePart, ...] | None:
    """Describe the runs of a mixed-language sentence with the voice and time of each."""
    if not sentence.parts:
        return None
    return tuple(
        mf.SentencePart(text=part.text, lang=part.lang, voice=voice, start=start, end=end)
        for part, (start, end, voice) in zip(sentence.parts, timed, strict=True)
    )


def _voice(options: BuildOptions, engine: str, voice: str) -> mf.Voice:
    """Describe the voice of the document's own language, as the page names it."""
    # Here, as the build's other stages are: a build with nothing to publish never needs it.
    from reader.pipeline.voice_catalogue import describe_voice

    description = describe_voice(options.engine, voice)
    return mf.Voice(engine=engine, voice=voice, rate=options.rate, description=description)


def _main_voice(first_key: str, audio: dict[str, SectionAudio], old: mf.Manifest | None) -> str:
    """Name the voice of the document's own language: the one that reads its title."""
    if first_key in audio:
        return audio[first_key].voices[0]
    return old.voice.voice
