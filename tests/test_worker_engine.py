"""Test that one long-lived `reader worker` builds document after document with a healthy engine."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from itertools import pairwise

import pytest

from reader.admin.queue import State
from tests.support.content import NETS, REPO
from tests.test_admin_queue import worker_env

pytestmark = pytest.mark.engine

HTML = {"Content-Type": "text/html"}
PAGES = 5


def nets_in_parts(parts: int = PAGES) -> dict[str, bytes]:
    """Split the NETs page at its h2 headings into `parts` pages of about as many words each."""
    source = (REPO / "content" / f"{NETS}.html").read_text(encoding="utf-8")
    head, *sections = source.split("<h2")
    sections = [f"<h2{section}" for section in sections]
    sections[-1], tail = sections[-1].split("</article>")
    # Longest first, each to the page with the fewest words yet; kept in the page's order.
    groups: list[list[str]] = [[] for _ in range(parts)]
    for section in sorted(sections, key=words, reverse=True):
        min(groups, key=lambda group: sum(map(words, group))).append(section)
    groups = [sorted(group, key=sections.index) for group in groups]
    pages = {}
    for n, group in enumerate(groups, 1):
        title = f"Neuroendocrine tumours, part {n}"
        top = re.sub(r"<h1>.*</h1>", f"<h1>{title}</h1>", head)
        top = re.sub(r"<title>.*</title>", f"<title>{title}</title>", top)
        pages[f"nets-part-{n}"] = f"{top}{''.join(group)}</article>{tail}".encode()
    return pages


def words(html: bytes | str) -> int:
    """Count the words of a page's (or a part's) text, roughly as a listener hears them."""
    text = html.decode() if isinstance(html, bytes) else html
    return len(re.sub(r"<[^>]+>", " ", text).split())


def test_one_worker_builds_five_documents_in_a_row_with_clean_speech(staff, tmp_path):
    # The staff worker looks phonemes up after each build (its findings), which initialises
    # eSpeak NG in it; synthesis processes forked after that initialised it again over the
    # inherited state and spoke from freed phoneme tables: "Invalid instruction … for
    # phoneme", too-fast speech, then a crash that left a build waiting for ever. Freed memory
    # is filled (MALLOC_PERTURB_), so speaking from it shows every time.
    pages = nets_in_parts()
    assert len(set(pages.values())) == PAGES
    jobs = {}
    for slug, page in pages.items():
        response = staff.client.put(
            f"/api/v1/documents/{slug}", data=page, headers={**staff.auth, **HTML}
        )
        assert response.status_code == 202, response.get_json()
        jobs[slug] = response.get_json()["job"].rsplit("/", 1)[1]

    env = {**worker_env(staff), "READER_ENGINE": "pyttsx3", "MALLOC_PERTURB_": "165"}
    log = tmp_path / "worker.log"
    with log.open("wb") as stderr:
        worker = subprocess.Popen(
            [sys.executable, "-m", "reader", "worker"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        records = {slug: staff.queue.record(job) for slug, job in jobs.items()}
        # Until every build has ended, or one has failed. A hung build keeps its job
        # "building" until the worker gives up on the stuck engine and fails it.
        deadline = time.monotonic() + 300
        while worker.poll() is None and not (
            all(r.finished_state for r in records.values())
            or any(r.state == State.FAILED for r in records.values())
        ):
            assert time.monotonic() < deadline, {s: r.state for s, r in records.items()}
            time.sleep(0.1)
            records = {slug: staff.queue.record(job) for slug, job in jobs.items()}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    output = log.read_text(encoding="utf-8", errors="replace")

    assert "Invalid instruction" not in output
    assert "error" not in output.lower(), output[-3000:]
    assert all(r.state == State.READY for r in records.values()), {
        slug: (r.state, r.error) for slug, r in records.items()
    }
    # One worker process built them all, one after another, in the order they were asked for.
    assert len({r.owner for r in records.values()}) == 1
    ordered = list(records.values())
    assert all(a.finished <= b.started for a, b in pairwise(ordered))

    for slug, record in records.items():
        result = staff.queue.result(record)
        assert result["built"] >= 2, (slug, result)
        # Speech at a listener's pace, pauses and all: too-fast or truncated speech is far
        # above this, speech from a garbled phoneme table far off either way.
        per_minute = words(pages[slug]) / result["audio_seconds"] * 60
        assert 80 < per_minute < 260, (slug, per_minute)
    # The first build starts its synthesis processes before eSpeak NG is loaded in the worker;
    # every later one after. Each takes about as long as the first, for as many words.
    pace = [(r.finished - r.started) / words(pages[s]) for s, r in records.items()]
    assert max(pace) < 4 * pace[0], pace
