"""The speech engines a build can use: one protocol, and one registry that names them."""

from __future__ import annotations

import os
from importlib import import_module
from typing import NamedTuple, Protocol, runtime_checkable

from reader.errors import EngineError


@runtime_checkable
class Engine(Protocol):
    """What the pipeline asks of a speech engine, made once per process at one rate.

    Optional, looked up by reader/pipeline/render.py: `speak` (the PCM with word events, as
    an `Utterance`), `sample_rate` (of everything it says, in every voice, so that all the
    sections of a build share one rate; 22,050 Hz when absent), `default_voices` (the
    engine's own voices by language, before eSpeak NG's) and `phoneme_voice` (the eSpeak NG
    voice whose phonemes a voice says).
    """

    def voices(self) -> list[str]:
        """List the ids of the installed voices."""
        ...

    def synthesise(self, text: str, voice: str) -> bytes:
        """Return one sentence in `voice` as mono 16-bit PCM at the engine's `sample_rate`."""
        ...


class EngineSpec(NamedTuple):
    """A registered engine, whose parts are imported only when they are used."""

    # Parts are named "module:attribute", as entry points are, so that listing the engines
    # or checking whether a document is current imports no engine.

    name: str
    help: str
    factory: str
    """Callable made with the speaking rate, returning an `Engine`."""
    identity: str
    """Callable returning the engine and its versions: part of every audio hash."""
    preload: str | None = None
    """Callable run before worker processes are forked, so that they share its imports."""
    in_process: bool = False
    """Safe and fast in the building process itself, when a build asks for one worker."""
    workers_per_core: int | None = None
    """At most this many worker processes a core; None for as many as the build asks."""
    install: str = ""
    """How to install an optional engine, said when its modules cannot be imported."""

    def create(self, rate: int) -> Engine:
        """Make this engine, speaking at `rate` words per minute."""
        try:
            factory = _load(self.factory)
        except ImportError as error:
            # An optional engine whose extra is not installed: one line, never a traceback.
            hint = f" {self.install}" if self.install else ""
            raise EngineError(f"the {self.name} engine is not installed ({error}).{hint}") from None
        return factory(rate)

    def engine_id(self) -> str:
        """Name the engine and its versions."""
        return _load(self.identity)()

    def most_workers(self, asked: int) -> int:
        """Return how many workers to start when `asked` for that many."""
        if self.workers_per_core is None:
            return asked
        return max(1, min(asked, self.workers_per_core * (os.cpu_count() or 1)))

    def prepare(self) -> None:
        """Load what worker processes should share, before they are forked."""
        if self.preload:
            _load(self.preload)()


ENGINES: dict[str, EngineSpec] = {
    spec.name: spec
    for spec in (
        EngineSpec(
            "pyttsx3",
            "pyttsx3 driving eSpeak NG: the real voice.",
            factory="reader.pipeline.engine:Pyttsx3Engine",
            identity="reader.pipeline.espeak:engine_id",
            preload="reader.pipeline.engine:preload",
        ),
        EngineSpec(
            "fake",
            "Tones as long as speech, instantly: for previews and tests.",
            factory="reader.pipeline.fake_engine:FakeEngine",
            identity="reader.pipeline.fake_engine:engine_id",
            in_process=True,
        ),
        EngineSpec(
            "piper",
            "Piper neural voices (the natural extra), with eSpeak NG for other languages.",
            factory="reader.pipeline.piper_engine:PiperEngine",
            identity="reader.pipeline.piper_voices:engine_id",
            preload="reader.pipeline.piper_engine:preload",
            # Each model runs on one thread and keeps its core busy: a second worker a core
            # would only share it, and load the model again.
            workers_per_core=1,
            install='Install it with: pip install "voice-reader[natural]"',
        ),
    )
}
DEFAULT_ENGINE = "pyttsx3"
WORKERS_PER_CORE = 2
"""Two workers a core: while one waits for eSpeak NG's thread, the other's LAME runs.

Since the driver's poll ends with the utterance (engine.py), one and two a core measured the
same within noise on NETs; two keep the shorter sections spread at the end of a build. Four a
core cost more CPU (one engine start each) for no shorter build."""


def get_engine(name: str) -> EngineSpec:
    """Return the registered engine called `name`, or say which ones there are."""
    try:
        return ENGINES[name]
    except KeyError:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}") from None


def make_engine(name: str, rate: int) -> Engine:
    """Create a speech engine by name."""
    return get_engine(name).create(rate)


def default_workers() -> int:
    """Return how many worker processes a build uses when not told."""
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


def _load(reference: str):
    module, _, attribute = reference.partition(":")
    return getattr(import_module(module), attribute)
