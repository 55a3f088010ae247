"""The service and a site whose voice, engine or lexicon changed: it rebuilds, page by page.

The API, the dashboard and the worker judge "current" as `reader build` does, by the build key.
"""

from __future__ import annotations

import contextlib
import os
import signal

import pytest

from reader import manifest as mf
from reader.admin.queue import BUILD
from reader.admin.worker import attach, queue_out_of_date, work_for
from reader.pipeline.engines import ENGINES
from tests.support.admin_forms import sign_in
from tests.support.content import SMALL, write_document
from tests.support.staff import SMALL_SLUG, make_staff
from tests.test_admin_queue import start_worker, wait

HTML = {"Content-Type": "text/html"}
SECOND = "second"
NEW_VOICE = "gmw/en-us"
"""A fake voice other than the one the small page is read in by default."""


@pytest.fixture
def staff(tmp_path, monkeypatch, content_dir):
    """Give a test the service over two small published pages (and the NETs page unbuilt)."""
    staff = make_staff(tmp_path, monkeypatch, content_dir)
    write_document(content_dir, SECOND, SMALL.replace("Small page", "Second page"))
    for slug in (SMALL_SLUG, SECOND):
        staff.queue.submit(BUILD, slug)
    assert staff.work() == 2
    return staff


def other_engine_id() -> str:
    """Name a second fake engine: the fake's sound, under another version."""
    return "fake-other"


def change(staff, monkeypatch, what: str) -> None:
    """Change the site as a restart with other settings, or a lexicon edited by hand, does."""
    if what == "voice":
        staff.app.config["VOICE"] = NEW_VOICE
    elif what == "engine":
        identity = "tests.test_service_voice_switch:other_engine_id"
        spec = ENGINES["fake"]._replace(name="other", identity=identity)
        monkeypatch.setitem(ENGINES, "other", spec)
        staff.app.config["ENGINE"] = "other"
    else:
        lexicon = staff.content_dir / "lexicon.tsv"
        lexicon.write_text(lexicon.read_text("utf-8") + "detail\tdee tail\n", "utf-8")


def put(staff, body: bytes):
    url = f"/api/v1/documents/{SMALL_SLUG}"
    return staff.client.put(url, data=body, headers={**staff.auth, **HTML})


def state(staff, slug: str = SMALL_SLUG) -> dict:
    return staff.client.get(f"/api/v1/documents/{slug}", headers=staff.auth).get_json()


def built_from(staff, slug: str = SMALL_SLUG) -> str:
    return mf.load_manifest(staff.build_dir, slug).build_key


@pytest.mark.parametrize("what", ["voice", "engine", "lexicon"])
def test_the_same_page_sent_after_the_site_changed_is_built_again(staff, monkeypatch, what):
    body = (staff.content_dir / f"{SMALL_SLUG}.html").read_bytes()
    assert put(staff, body).get_json()["status"] == "unchanged"
    before = built_from(staff)
    change(staff, monkeypatch, what)
    assert state(staff)["published"]["current"] is False
    answer = put(staff, body)
    assert answer.status_code == 202 and answer.get_json()["status"] == "queued"
    assert staff.work() == 1
    assert built_from(staff) != before
    if what == "voice":
        assert mf.load_manifest(staff.build_dir, SMALL_SLUG).voice.voice == NEW_VOICE
    assert state(staff)["published"]["current"] is True
    assert put(staff, body).get_json()["status"] == "unchanged"


def rows(staff) -> dict[str, str]:
    """Return what the dashboard says of each document's state."""
    found = staff.client.get("/admin/status.json").get_json()["documents"]
    return {row["slug"]: row["state_words"] for row in found}


def test_a_worker_start_queues_one_build_per_out_of_date_page(staff):
    assert sign_in(staff.client).status_code == 303
    assert queue_out_of_date(staff.queue, work_for(staff.app)) == []  # nothing changed
    assert staff.queue.huey.pending_count() == 0
    before = {slug: mf.load_manifest(staff.build_dir, slug) for slug in (SMALL_SLUG, SECOND)}

    staff.app.config["VOICE"] = NEW_VOICE
    assert rows(staff)[SMALL_SLUG].startswith("Out of date")
    work = work_for(staff.app)
    jobs = queue_out_of_date(staff.queue, work)
    # Published pages only: the NETs page has a source but was never built.
    assert sorted(job.slug for job in jobs) == [SECOND, SMALL_SLUG]
    # Another worker starting now queues nothing more.
    assert queue_out_of_date(staff.queue, work) == []
    assert staff.queue.huey.pending_count() == 2
    assert rows(staff)[SMALL_SLUG] == rows(staff)[SECOND] == "Queued for building"
    assert state(staff)["published"]["current"] is False
    log = (staff.instance / "audit.jsonl").read_text("utf-8")
    assert log.count('"action": "rebuild"') == 2 and '"who": "worker"' in log

    # One page at a time: the other keeps its published version, audio and all, meanwhile.
    attach(staff.queue, work)
    staff.queue.huey.execute(staff.queue.huey.dequeue())
    first, other = (job.slug for job in jobs)
    assert mf.load_manifest(staff.build_dir, first).voice.voice == NEW_VOICE
    assert mf.load_manifest(staff.build_dir, other) == before[other]
    audio = mf.document_dir(staff.build_dir, other) / mf.AUDIO_DIR
    assert all((audio / name).is_file() for name in before[other].audio_names)
    assert staff.work() == 1
    assert mf.load_manifest(staff.build_dir, other).voice.voice == NEW_VOICE
    assert all(state(staff, slug)["published"]["current"] for slug in (SMALL_SLUG, SECOND))
    assert queue_out_of_date(staff.queue, work) == []


def test_a_worker_started_with_another_voice_rebuilds_the_site(staff):
    worker = start_worker(staff, {"READER_VOICE": NEW_VOICE})
    try:
        for slug in (SMALL_SLUG, SECOND):
            wait(
                lambda slug=slug: mf.load_manifest(staff.build_dir, slug).voice.voice == NEW_VOICE,
                what=f"{slug} in the new voice",
            )
        worker.terminate()
        assert worker.wait(timeout=30) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
