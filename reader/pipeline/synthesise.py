"""Turn sections into MP3 audio with sentence timings, in worker processes.

This module runs the workers; reader/pipeline/render.py is what each of them does. The
building process imports only this one: the engine adapter, the encoder and the word
aligner are the workers' to load (8-10 ms of a one-section edit).
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.model import Sentence
from reader.pipeline.engines import Engine, get_engine, make_engine

if TYPE_CHECKING:
    from reader.pipeline.words import Word


@dataclass(frozen=True)
class SectionJob:
    """A section to synthesise, named by the hash of everything that shapes its audio."""

    key: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class SectionAudio:
    """A section's MP3 and where each sentence starts and ends in it."""

    key: str
    mp3: bytes
    duration: float
    """Seconds, including the encoder's priming silence."""
    timings: tuple[tuple[float, float], ...]
    """(start, end) in seconds for each sentence, in order."""
    voices: tuple[str, ...]
    """Voice used for each sentence."""
    words: tuple[tuple[Word, ...], ...] = ()
    """Each sentence's words: (start in seconds, UTF-16 offset, length) in its display text."""
    parts: tuple[tuple[tuple[float, float, str], ...], ...] = ()
    """Each sentence's parts when it mixes languages: (start, end, voice); () for the rest."""


_worker: dict = {}


def _start_worker(engine: str, rate: int) -> None:
    # Each worker process owns one engine for its whole life: eSpeak NG initialises once
    # per process, and the rate is then never changed. An error is kept for the first job
    # to raise: a Pool whose initializer raises restarts the worker forever.
    # A forked worker inherits its parent's signal handlers: the staff worker's SIGTERM
    # handler would keep it alive through Pool.terminate(), holding the pool's queue lock,
    # and the build would wait for it forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        _worker["engine"] = make_engine(engine, rate)
    except ReaderError as error:
        _worker["error"] = error


def _run_job(job_and_voices: tuple[SectionJob, dict[str, str]]) -> SectionAudio:
    from reader.pipeline.render import render_section

    if "error" in _worker:
        raise _worker["error"]
    return render_section(_worker["engine"], *job_and_voices)


class Synthesiser:
    """The worker processes of one build, started when first needed and shared by its documents."""

    # Starting workers costs each one an engine start (pyttsx3, eSpeak NG's voice data): a
    # build of many documents pays it once, not once a document.
    def __init__(self, engine: str, rate: int, workers: int):
        self._spec = get_engine(engine)
        self._rate = rate
        self._workers = self._spec.most_workers(max(1, workers))
        self._pool = None
        self._size = 0
        self._here: Engine | None = None

    def sections(
        self, jobs: list[SectionJob], preferred: Mapping[str, str]
    ) -> Iterator[SectionAudio]:
        """Yield the audio of every job; stop the workers if the caller gives up half-way."""
        try:
            yield from self.submit(jobs, preferred)
        except BaseException:
            # A document given up half-way must not leave its sections running.
            self.close()
            raise

    def submit(
        self, jobs: list[SectionJob], preferred: Mapping[str, str]
    ) -> Iterator[SectionAudio]:
        """Queue every job now, longest first so no worker is left a long one last.

        Returns an iterator of their audio as it finishes. Jobs queued later, for the next
        document, run as soon as a worker is free: the pool is never idle between documents.
        """
        ordered = sorted(jobs, key=lambda j: -sum(len(s.spoken) for s in j.sentences))
        if self._spec.in_process and self._workers == 1:
            from reader.pipeline.render import render_section

            self._here = self._here or self._spec.create(self._rate)
            return (render_section(self._here, job, preferred) for job in ordered)
        self.start(len(ordered))
        voices = dict(preferred)
        return self._pool.imap_unordered(_run_job, [(job, voices) for job in ordered])

    def start(self, jobs: int | None = None) -> None:
        """Start enough workers for `jobs` sections (all of them when None), if not yet running."""
        if self._spec.in_process and self._workers == 1:
            return  # sections() says them here
        wanted = max(1, min(self._workers, self._workers if jobs is None else jobs))
        if wanted > self._size:
            # A one-section edit starts one worker; a pool only grows, replaced to do so.
            self.close()
            if wanted > 1:
                # Workers forked after the preload share its imports. A lone worker, for an
                # edit, imports them itself, on the other core, while this process parses.
                self._spec.prepare()
            self._pool = _pool_context().Pool(wanted, _start_worker, (self._spec.name, self._rate))
            self._size = wanted

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
        self._pool, self._size = None, 0

    def __enter__(self) -> Synthesiser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def synthesise_sections(
    jobs: list[SectionJob],
    engine: str,
    rate: int,
    preferred: Mapping[str, str],
    workers: int,
) -> Iterator[SectionAudio]:
    """Yield the audio of every job, longest first, across `workers` processes."""
    with Synthesiser(engine, rate, workers) as synthesiser:
        yield from synthesiser.sections(jobs, preferred)


def _pool_context():
    # fork starts a worker in milliseconds, but is unsafe once this process has threads
    # (a web server, a test's live server, eSpeak NG's own); forkserver is safe, and slower.
    methods = multiprocessing.get_all_start_methods()
    # An engine adapter never imported has started no engine.
    adapter = sys.modules.get("reader.pipeline.engine")
    started = adapter is not None and adapter.engine_started()
    alone = threading.active_count() == 1 and not started
    if "fork" in methods and alone and sys.platform == "linux":
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")
