"""Turn sections into MP3 audio with sentence timings, in worker processes.

This module runs the workers; reader/pipeline/render.py is what each of them does.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
import sys
import threading
from collections.abc import Iterator, Mapping

from reader.errors import EngineError, ReaderError
from reader.pipeline.engines import Engine, get_engine, make_engine
from reader.pipeline.render import render_section
from reader.pipeline.section_audio import SectionAudio, SectionJob

__all__ = ["SectionAudio", "SectionJob", "Synthesiser", "synthesise_sections"]

SECTION_TIMEOUT = 120.0
"""Seconds a build waits for the next section before it gives up on a stuck engine.

Far more than any section takes, so only a stuck engine waits it out. A worker stuck inside
the engine, or one that died mid-section (a Pool never notices its job is lost), would
otherwise hold the document's lock for ever."""
_PR_SET_PDEATHSIG = 1
"""prctl(2): the signal this process gets when the thread that started it ends."""

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
    _die_with_parent()
    try:
        _worker["engine"] = make_engine(engine, rate)
    except ReaderError as error:
        _worker["error"] = error


def _die_with_parent() -> None:
    # A worker killed with SIGKILL runs no clean-up: its synthesis processes would live on,
    # holding the document's lock, until their queue closed. Linux kills them with it.
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _run_job(job_and_voices: tuple[SectionJob, dict[str, str]]) -> SectionAudio:
    if "error" in _worker:
        raise _worker["error"]
    return render_section(_worker["engine"], *job_and_voices)


class Synthesiser:
    """The worker processes of one build, started when first needed and shared by its documents."""

    # Starting workers costs each one an engine start (pyttsx3, eSpeak NG's voice data): a
    # build of many documents pays it once, not once a document.
    def __init__(self, engine: str, rate: int, workers: int, timeout: float | None = None):
        self._spec = get_engine(engine)
        self._timeout = SECTION_TIMEOUT if timeout is None else timeout
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
            self._here = self._here or self._spec.create(self._rate)
            return (render_section(self._here, job, preferred) for job in ordered)
        self.start(len(ordered))
        voices = dict(preferred)
        results = self._pool.imap_unordered(_run_job, [(job, voices) for job in ordered])
        return _each_within(results, len(ordered), self._timeout)

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


def _each_within(results, count: int, seconds: float) -> Iterator[SectionAudio]:
    """Yield `count` results, each within `seconds` of the one before, or raise EngineError."""
    for _ in range(count):
        try:
            yield results.next(seconds)
        except multiprocessing.TimeoutError:
            raise EngineError(
                f"the speech engine produced nothing for {seconds:g} s: it is stuck, or a "
                "synthesis process died; the build was stopped"
            ) from None


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
    # fork starts a worker at once, but is unsafe once this process has threads
    # (a web server, a test's live server, eSpeak NG's own), and once it has initialised
    # eSpeak NG (a phoneme lookup for `reader check` or the staff worker's findings): the
    # worker's engine would initialise it again over the inherited state, and speak from
    # freed phoneme tables. forkserver is safe, and slower.
    methods = multiprocessing.get_all_start_methods()
    # A library module never imported has initialised nothing.
    library = sys.modules.get("reader.pipeline.espeak")
    used = library is not None and library.initialised()
    alone = threading.active_count() == 1 and not used
    if "fork" in methods and alone and sys.platform == "linux":
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that imported what they run once, not each afresh; it
        # imports no engine library.
        context.set_forkserver_preload(["reader.pipeline.render"])
        return context
    return multiprocessing.get_context("spawn")
