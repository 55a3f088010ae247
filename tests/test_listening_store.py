"""Test the listening figures' store: counts per document, section, day and event, concurrently."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading

import pytest

from reader.listening_store import (
    EVENTS,
    ListeningStore,
    first_day,
    summarise,
    today,
)


@pytest.fixture
def store(tmp_path) -> ListeningStore:
    return ListeningStore(tmp_path / "instance")


def test_events_are_added_up_per_document_section_day_and_event(store):
    for _ in range(3):
        store.record("nets", "scans", "play", day="2026-12-01")
    store.record("nets", "scans", "progress-25", day="2026-12-01")
    store.record("nets", "scans", "play", day="2026-12-02")
    store.record("conditions/fever", "fever", "play", day="2026-12-02")
    rows = store.counts("2026-12-01", "2026-12-02")
    assert [tuple(row) for row in rows] == [
        ("conditions/fever", "fever", "2026-12-02", "play", 1),
        ("nets", "scans", "2026-12-01", "play", 3),
        ("nets", "scans", "2026-12-01", "progress-25", 1),
        ("nets", "scans", "2026-12-02", "play", 1),
    ]
    assert [tuple(r) for r in store.counts("2026-12-02", "2026-12-02", document="nets")] == [
        ("nets", "scans", "2026-12-02", "play", 1)
    ]
    # One row per key, whatever the number of beacons: the table grows with days, not visitors.
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT COUNT(*) FROM counts").fetchone() == (4,)


def test_a_count_is_kept_under_todays_date_and_nothing_finer(store):
    store.record("nets", "scans", "play")
    (row,) = store.counts(today())
    assert row.day == today() and len(row.day) == 10
    with sqlite3.connect(store.path) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(counts)")]
    assert columns == ["document", "section", "day", "event", "count"]


def test_an_unknown_event_is_never_stored(store):
    with pytest.raises(ValueError):
        store.record("nets", "scans", "pause")
    assert store.counts("2000-01-01") == []


def test_reading_before_anything_was_counted_makes_no_file(store):
    assert store.counts("2000-01-01") == []
    assert not store.path.exists()


def test_periods_end_today_and_count_whole_days():
    assert first_day(7, "2026-12-07") == "2026-12-01"
    assert first_day(30, "2026-03-01") == "2026-01-31"
    assert first_day(1) == today()


def test_summaries_give_plays_and_the_share_reaching_each_quarter(store):
    for event, times in zip(EVENTS, (4, 4, 3, 2, 1), strict=True):
        for _ in range(times):
            store.record("nets", "scans", event, day="2026-12-01")
    store.record("nets", "types", "progress-50", day="2026-12-01")  # a seek before a play
    by_section = {f.name: f for f in summarise(store.counts("2026-12-01", "2026-12-01"), _section)}
    scans = by_section["scans"]
    assert scans.plays == 4
    assert [scans.share(q) for q in (25, 50, 75, 100)] == [100, 75, 50, 25]
    assert by_section["types"].share(50) is None  # no plays: no share, not a division by zero
    (document,) = summarise(store.counts("2026-12-01", "2026-12-01"), lambda row: row.document)
    assert document.plays == 4 and document.reached[50] == 4


def _section(row):
    return row.section


def _hammer(path, times: int) -> None:
    store = ListeningStore(path)
    for _ in range(times):
        store.record("nets", "scans", "play", day="2026-12-01")


def test_many_threads_and_processes_lose_no_count(tmp_path):
    instance = tmp_path / "instance"
    threads = [threading.Thread(target=_hammer, args=(instance, 50)) for _ in range(6)]
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_hammer, args=(instance, 50)) for _ in range(2)]
    for worker in threads + processes:
        worker.start()
    for worker in threads + processes:
        worker.join(60)
    assert all(process.exitcode == 0 for process in processes)
    (row,) = ListeningStore(instance).counts("2026-12-01", "2026-12-01")
    assert row.count == 8 * 50
