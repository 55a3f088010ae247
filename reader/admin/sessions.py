"""Admin sessions kept on the server: the cookie carries a random id, the database the rest."""

from __future__ import annotations

import hashlib
import secrets
import time

from reader.admin.people import People, Person

SEEN_EVERY = 60.0
"""Seconds between updates of a session's last use, so that reads stay reads.

A use within SEEN_EVERY of the last one written is not written, so a session is idle only
once `seen` is older than the idle timeout plus SEEN_EVERY: it never ends early, and ends at
most SEEN_EVERY late."""


def _digest(session_id: str) -> str:
    # Only a hash is stored: a copy of the database does not give anyone a live session.
    return hashlib.sha256(session_id.encode("ascii", "replace")).hexdigest()


class Sessions:
    """Start, find and end sessions, with an idle timeout and an absolute lifetime."""

    def __init__(self, people: People, idle_seconds: float, max_seconds: float):
        self.people = people
        self.idle = idle_seconds
        self.lifetime = max_seconds

    def start(self, name: str) -> str:
        """Start a session for `name` and return its new random id."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self.people.connect() as db:
            # Ended sessions are swept here: a sign-in is rare, a page view is not.
            db.execute(
                "DELETE FROM sessions WHERE seen < ? OR created < ?",
                (now - self.idle - SEEN_EVERY, now - self.lifetime),
            )
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)", (_digest(session_id), name, now, now)
            )
        return session_id

    def find(self, session_id: str) -> Person | None:
        """Return the person whose live session this is, or None (ended, idle or too old)."""
        if not session_id or len(session_id) > 100:
            return None
        digest, now = _digest(session_id), time.time()
        with self.people.connect() as db:
            row = db.execute(
                "SELECT p.name, p.role, p.created, p.password_changed, s.created, s.seen "
                "FROM sessions s JOIN people p ON p.name = s.name WHERE s.id_sha256 = ?",
                (digest,),
            ).fetchone()
            if row is None:
                return None
            created, seen = row[4], row[5]
            if now - seen > self.idle + SEEN_EVERY or now - created > self.lifetime:
                db.execute("DELETE FROM sessions WHERE id_sha256 = ?", (digest,))
                return None
            if now - seen > SEEN_EVERY:
                db.execute("UPDATE sessions SET seen = ? WHERE id_sha256 = ?", (now, digest))
        return Person(*row[:4])

    def end(self, session_id: str) -> None:
        """End one session."""
        with self.people.connect() as db:
            db.execute("DELETE FROM sessions WHERE id_sha256 = ?", (_digest(session_id),))

    def count(self, name: str) -> int:
        """Return how many sessions `name` has open."""
        with self.people.connect() as db:
            return db.execute("SELECT COUNT(*) FROM sessions WHERE name = ?", (name,)).fetchone()[0]
