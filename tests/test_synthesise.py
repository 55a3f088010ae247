"""Sections to MP3 and timings, in this process and in worker processes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import replace
from types import SimpleNamespace

import pytest

from reader.errors import EngineError
from reader.model import Sentence
from reader.pipeline import synthesise
from reader.pipeline.build import build_documents
from reader.pipeline.encode import ENCODER_DELAY
from reader.pipeline.engines import ENGINES, EngineSpec, make_engine
from reader.pipeline.fake_engine import FakeEngine
from reader.pipeline.render import render_section
from reader.pipeline.synthesise import SectionJob, synthesise_sections
from tests.audio import decode_mp3
from tests.support.content import FAKE, REPO, SMALL, write_document

HEADING = Sentence("Biopsy", "Biopsy", "en-GB", pause=0.6)
BODY = (
    Sentence("They then look at it.", "They then look at it.", "en-GB", pause=0.3),
    Sentence("Mae hwn yn bwysig.", "Mae hwn yn bwysig.", "cy", pause=0.0),
)
JOB = SectionJob("k1", (HEADING, *BODY))


def test_timings_follow_the_audio_and_its_pauses():
    audio = render_section(FakeEngine(160), JOB, {})
    (s0, e0), (s1, e1), (s2, e2) = audio.timings
    assert s0 == pytest.approx(ENCODER_DELAY, abs=0.001)
    assert s1 == pytest.approx(e0 + 0.6, abs=0.001)
    assert s2 == pytest.approx(e1 + 0.3, abs=0.001)
    assert audio.duration == pytest.approx(e2, abs=0.001)
    decoded_seconds = len(decode_mp3(audio.mp3)) / 22050
    assert audio.duration <= decoded_seconds <= audio.duration + 0.1


def test_each_sentence_is_read_by_the_voice_of_its_language():
    assert render_section(FakeEngine(160), JOB, {}).voices == ("gmw/en", "gmw/en", "cel/cy")


def test_worker_processes_give_the_same_result_as_this_process():
    jobs = [SectionJob(f"k{i}", (HEADING, *BODY[: i % 2 + 1])) for i in range(5)]
    here = {a.key: a for a in synthesise_sections(jobs, "fake", 160, {}, workers=1)}
    pooled = {a.key: a for a in synthesise_sections(jobs, "fake", 160, {}, workers=2)}
    assert pooled == here


def test_an_engine_that_cannot_start_fails_the_build_instead_of_hanging():
    # Every worker fails to start; a Pool whose initializer raised would restart it forever.
    with pytest.raises(EngineError, match="unknown engine 'festival'"):
        list(synthesise_sections([JOB, JOB], "festival", 160, {}, workers=2))


def test_an_unknown_voice_fails_with_the_list_of_voices():
    with pytest.raises(EngineError, match="Installed voices: cel/cy"):
        list(synthesise_sections([JOB], "fake", 160, {"en-gb": "gmw/nope"}, workers=2))


def test_an_unknown_engine_is_named():
    with pytest.raises(EngineError, match="unknown engine 'festival'"):
        make_engine("festival", 160)


def test_a_build_of_many_documents_starts_its_workers_once(tmp_path, monkeypatch):
    pools = []
    real = synthesise._pool_context

    def counting_context():
        context = real()

        def pool(*args, **kwargs):
            pools.append(args[0])
            return context.Pool(*args, **kwargs)

        return SimpleNamespace(Pool=pool)

    monkeypatch.setattr(synthesise, "_pool_context", counting_context)
    for name in ("one", "two", "three"):
        write_document(tmp_path / "content", name, SMALL)
    summary = build_documents(
        tmp_path / "content", tmp_path / "build", options=replace(FAKE, jobs=2)
    )
    assert not summary.failed and sum(r.built for r in summary.results) == 12
    assert pools == [2]


def test_a_pool_grows_for_a_document_with_more_sections():
    with synthesise.Synthesiser("fake", 160, workers=3) as synthesiser:
        assert len(list(synthesiser.sections([JOB], {}))) == 1
        more = [SectionJob(f"k{i}", (HEADING,)) for i in range(3)]
        assert {a.key for a in synthesiser.sections(more, {})} == {"k0", "k1", "k2"}
        assert synthesiser._size == 3


def test_a_worker_whose_engine_cannot_start_fails_the_build_instead_of_hanging(monkeypatch):
    spec = EngineSpec(
        "broken",
        "Never starts.",
        factory="tests.test_synthesise:broken_engine",
        identity="tests.test_synthesise:broken_engine",
    )
    monkeypatch.setitem(ENGINES, "broken", spec)
    # A forked worker sees the registration and its factory fails; a worker from a fresh
    # interpreter (forkserver, when this process has threads) fails to find it. Either way
    # the first job raises the error: a Pool whose initializer raised would loop forever.
    with pytest.raises(EngineError, match=r"this engine never starts|unknown engine 'broken'"):
        list(synthesise_sections([JOB, JOB], "broken", 160, {}, workers=2))


def broken_engine(*args):
    """Fail as an engine with a missing library does."""
    raise EngineError("this engine never starts")


STOPPED_BY_TERM = """
import signal, sys
from reader.model import Sentence
from reader.pipeline.synthesise import SectionJob, synthesise_sections

def stop_now(signum, frame):  # as `reader worker` does
    raise SystemExit(0)

signal.signal(signal.SIGTERM, stop_now)
jobs = [SectionJob(str(n), (Sentence("Text.", "Text.", "en"),)) for n in range(6)]
audio = list(synthesise_sections(jobs, "fake", 160, {}, 3))
print(len(audio))
# What each worker runs first, here: after it, SIGTERM kills, whatever the parent installed.
from reader.pipeline import synthesise
synthesise._start_worker("fake", 160)
print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)
"""


def test_workers_stop_even_when_their_parent_catches_sigterm():
    # Forked workers inherit the staff worker's SIGTERM handler; unless they reset it, the
    # pool's terminate() leaves one alive holding its queue lock and the build never ends.
    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-c", STOPPED_BY_TERM],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert run.stdout.split() == ["6", "True"], run.stderr


class StuckEngine:
    """An engine registered by a test that never returns from a sentence."""

    def __init__(self, rate: int):
        self.rate = rate

    def voices(self) -> list[str]:
        """List the one voice."""
        return ["gmw/en"]

    def synthesise(self, text: str, voice: str) -> bytes:
        """Never return, as a synthesis thread stuck inside eSpeak NG did."""
        threading.Event().wait()
        return b""


STUCK = EngineSpec(
    "stuck",
    "Never finishes a sentence.",
    factory="tests.test_synthesise:StuckEngine",
    identity="tests.test_synthesise:stuck_id",
)


def stuck_id() -> str:
    """Name the stuck engine."""
    return "stuck-1"


STUCK_BUILD = """
import json, sys, time
from pathlib import Path
from reader.pipeline import synthesise
from reader.pipeline.build import BuildOptions, build_documents
from reader.pipeline.engines import ENGINES
from tests.support.content import SMALL, write_document
from tests.test_synthesise import STUCK

root = Path(sys.argv[1])
ENGINES["stuck"] = STUCK
synthesise.SECTION_TIMEOUT = 2.0
write_document(root / "content", "small", SMALL)
started = time.monotonic()
summary = build_documents(root / "content", root / "build", options=BuildOptions("stuck", jobs=2))
print(json.dumps([[r.error for r in summary.failed], time.monotonic() - started]))
"""


def test_a_build_whose_engine_never_returns_is_stopped_and_fails(tmp_path):
    # In a fresh process the workers are forked, so they see the engine this test registers.
    run = subprocess.run(
        [sys.executable, "-c", STUCK_BUILD, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr
    (error,), seconds = json.loads(run.stdout)
    assert "produced nothing for 2 s" in error
    assert seconds < 30


ORPHANED = """
import multiprocessing, time
from reader.pipeline.engines import ENGINES
from reader.pipeline.synthesise import Synthesiser
from tests.test_synthesise import JOB, STUCK

ENGINES["stuck"] = STUCK
synthesiser = Synthesiser("stuck", 160, workers=2)
sections = synthesiser.submit([JOB, JOB], {})
print(*(p.pid for p in multiprocessing.active_children() if "Pool" in p.name), flush=True)
next(sections)
"""


def test_synthesis_processes_die_with_a_worker_killed_outright():
    # A worker killed with SIGKILL runs no clean-up; its synthesis processes, busy inside the
    # engine, must not live on holding the document's lock. (Idle ones leave by themselves:
    # their task queue closes.)
    with subprocess.Popen(
        [sys.executable, "-c", ORPHANED], stdout=subprocess.PIPE, text=True, cwd=REPO
    ) as parent:
        try:
            children = [int(pid) for pid in parent.stdout.readline().split()]
            assert len(children) == 2
            time.sleep(0.5)  # both are now inside StuckEngine.synthesise
            assert all(_alive(pid) for pid in children)
        finally:
            parent.kill()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children)


def _alive(pid: int) -> bool:
    """Return whether a process exists and is not a zombie waiting for its parent."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
