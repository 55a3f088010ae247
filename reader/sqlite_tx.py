"""One write transaction on an SQLite connection, for the small databases in the instance folder."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one transaction that takes the write lock first; roll back on error."""
    # IMMEDIATE takes the write lock at once: two writers never both read, then deadlock
    # upgrading; the second waits for the first (up to the connection's timeout).
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
