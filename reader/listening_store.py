"""Listening figures: counts per document, section, day and event, in SQLite in the instance folder.

Nothing here can tell one listener from another: a row holds a document's name, a section id, a
UTC day and an event, and how many times it happened. No address, user agent, cookie or time
finer than the day is ever given to this module, so none can be stored.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from reader.errors import ReaderError
from reader.sqlite_tx import write_transaction

FILE_NAME = "listening.db"
PLAY = "play"
QUARTILES = (25, 50, 75, 100)
EVENTS = (PLAY, *(f"progress-{quartile}" for quartile in QUARTILES))
"""A section started in a page view, then reaching a quarter, half, three quarters, its end."""
RANGES = (7, 30, 90)
"""The periods the admin page offers, in days up to and including today."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS counts (
    document TEXT NOT NULL,
    section TEXT NOT NULL,
    day TEXT NOT NULL,
    event TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (document, section, day, event)
) WITHOUT ROWID;
"""


class ListeningError(ReaderError):
    """The figures cannot be read or written."""


class Count(NamedTuple):
    """How many times one event happened to one section on one day."""

    document: str
    section: str
    day: str
    event: str
    count: int


def today() -> str:
    """Return today's UTC date as YYYY-MM-DD, the finest time the figures keep."""
    return time.strftime("%Y-%m-%d", time.gmtime())


def first_day(days: int, until: str | None = None) -> str:
    """Return the first day of the `days` days that end with `until` (default today)."""
    end = date.fromisoformat(until or today())
    return (end - timedelta(days=days - 1)).isoformat()


class ListeningStore:
    """The counts database of an instance folder; safe for many threads and processes at once."""

    def __init__(self, instance_path: str | Path):
        self.path = Path(instance_path) / FILE_NAME
        # One connection per thread, kept open: closing the last connection to a WAL database
        # checkpoints it, which made each beacon cost a checkpoint and its fsyncs.
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.pid == os.getpid():
            return connection
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            # WAL lets the admin page read while beacons write; NORMAL skips the fsync of
            # every commit, which a count lost in a power cut does not deserve.
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise ListeningError(f"cannot open {self.path}: {error}") from None
        self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    @contextmanager
    def connect(self):
        """Yield this thread's connection inside a write transaction (making the database)."""
        with write_transaction(self._connection()) as connection:
            yield connection

    def record(self, document: str, section: str, event: str, day: str | None = None) -> None:
        """Count one event of one section today; the caller has checked every value."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}")
        with self.connect() as db:
            db.execute(
                "INSERT INTO counts (document, section, day, event, count) VALUES (?, ?, ?, ?, 1) "
                "ON CONFLICT (document, section, day, event) DO UPDATE SET count = count + 1",
                (document, section, day or today(), event),
            )

    def counts(self, since: str, until: str | None = None, document: str | None = None):
        """Return the counts from day `since` to `until` (default today), of one document or all."""
        if not self.path.is_file():
            return []
        query = "SELECT document, section, day, event, count FROM counts WHERE day BETWEEN ? AND ?"
        values: list[str] = [since, until or today()]
        if document is not None:
            query += " AND document = ?"
            values.append(document)
        # One statement reads one snapshot: no transaction, and no lock that holds up beacons.
        rows = self._connection().execute(query + " ORDER BY document, section, day, event", values)
        return [Count(*row) for row in rows.fetchall()]


class Figures(NamedTuple):
    """Plays of a document or section, and how many of them reached each quartile."""

    name: str
    plays: int
    reached: dict[int, int]

    def share(self, quartile: int) -> int | None:
        """Return the percentage of plays that reached `quartile`, None without plays."""
        if not self.plays:
            return None
        # A page view that seeks before it plays, or a beacon lost, must not say over 100%.
        return min(100, round(100 * self.reached[quartile] / self.plays))


def summarise(counts, key) -> list[Figures]:
    """Add `counts` up by `key(count)` (a document, a section…), in the order keys first appear."""
    totals: dict[str, dict[str, int]] = {}
    for row in counts:
        events = totals.setdefault(key(row), dict.fromkeys(EVENTS, 0))
        events[row.event] += row.count
    return [
        Figures(name, events[PLAY], {q: events[f"progress-{q}"] for q in QUARTILES})
        for name, events in totals.items()
    ]
