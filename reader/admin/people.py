"""Staff accounts: one per person, with a role, kept in SQLite in the instance folder."""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from reader.errors import ReaderError
from reader.sqlite_tx import write_transaction

FILE_NAME = "accounts.db"
EDITOR, ADMIN = "editor", "admin"
ROLES = (EDITOR, ADMIN)
"""An editor works on documents and the lexicon; an admin also manages people and tokens."""
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1000
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not anybody's password")

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
    password_hash TEXT NOT NULL,
    created REAL NOT NULL,
    password_changed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL REFERENCES people (name) ON DELETE CASCADE,
    created REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_name ON sessions (name);
"""


class PeopleError(ReaderError):
    """An account command was given a bad name, role or password."""


@dataclass(frozen=True)
class Person:
    """One member of staff."""

    name: str
    role: str
    created: float = 0.0
    password_changed: float = 0.0

    @property
    def is_admin(self) -> bool:
        """Say whether this person may manage people and API tokens."""
        return self.role == ADMIN


def normalise_name(typed: str) -> str:
    """Return a typed user name as accounts are kept: no surrounding spaces, lowercase."""
    return typed.strip().lower()


def check_name(name: str) -> str:
    """Return `name` if it can name a person, else raise PeopleError."""
    if not NAME.fullmatch(name):
        raise PeopleError(
            f"{name!r} is not a user name: use lowercase letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit)"
        )
    return name


def check_password(password: str) -> str:
    """Return `password` if it is long enough, else raise PeopleError."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PeopleError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PeopleError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise PeopleError(f"{role!r} is not a role: use {' or '.join(ROLES)}")
    return role


class People:
    """The accounts database of an instance folder (people and their sessions)."""

    def __init__(self, instance_path: str | Path):
        self.path = Path(instance_path) / FILE_NAME
        self._made = False  # the tables are made sure of once per object, not per request

    @contextmanager
    def connect(self):
        """Yield a connection in a transaction, making the database the first time."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists()
        try:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except sqlite3.Error as error:
            raise PeopleError(f"cannot open {self.path}: {error}") from None
        with closing(connection):
            if fresh:
                self.path.chmod(0o600)  # password hashes and session ids: owner only
            connection.execute("PRAGMA foreign_keys = ON")
            if fresh or not self._made:
                connection.executescript(SCHEMA)
                self._made = True
            with write_transaction(connection):
                yield connection

    def anyone(self) -> bool:
        """Say whether there is at least one account (without making the database)."""
        if not self.path.is_file():
            return False
        with self.connect() as db:
            return db.execute("SELECT 1 FROM people LIMIT 1").fetchone() is not None

    def get(self, name: str) -> Person | None:
        """Return the person called `name`, or None."""
        with self.connect() as db:
            row = db.execute(
                "SELECT name, role, created, password_changed FROM people WHERE name = ?", (name,)
            ).fetchone()
        return Person(*row) if row else None

    def list(self) -> list[Person]:
        """Return everyone, by name."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT name, role, created, password_changed FROM people ORDER BY name"
            ).fetchall()
        return [Person(*row) for row in rows]

    def add(self, name: str, role: str, password: str) -> Person:
        """Add a person with a password; refuse a name already taken."""
        return self.add_hashed(name, role, generate_password_hash(check_password(password)))

    def add_hashed(self, name: str, role: str, password_hash: str) -> Person:
        """Add a person whose password is given as a werkzeug hash."""
        check_name(name)
        _check_role(role)
        now = time.time()
        with self.connect() as db:
            try:
                db.execute(
                    "INSERT INTO people VALUES (?, ?, ?, ?, ?)",
                    (name, role, password_hash, now, now),
                )
            except sqlite3.IntegrityError:
                raise PeopleError(f"there is already a person called {name!r}") from None
        return Person(name, role, now, now)

    def adopt_first_admin(self, name: str, password_hash: str) -> bool:
        """Make the single admin of older versions the first admin, while nobody exists.

        The name is kept as sign-in reads a typed one (`Jane` becomes `jane`); a name that
        cannot be an account is refused, rather than making an admin nobody can sign in as.
        """
        with self.connect() as db:
            if db.execute("SELECT 1 FROM people LIMIT 1").fetchone():
                return False
            try:
                name = check_name(normalise_name(name))
            except PeopleError as error:
                raise PeopleError(
                    f"READER_ADMIN_USER cannot become the first admin: {error}"
                ) from None
            now = time.time()
            db.execute(
                "INSERT INTO people VALUES (?, ?, ?, ?, ?)",
                (name, ADMIN, password_hash, now, now),
            )
        return True

    def remove(self, name: str) -> None:
        """Remove a person and end their sessions; never the last admin."""
        with self.connect() as db:
            self._must_keep_an_admin(db, name)
            if not db.execute("DELETE FROM people WHERE name = ?", (name,)).rowcount:
                raise PeopleError(f"there is nobody called {name!r}")
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))

    def set_role(self, name: str, role: str) -> None:
        """Change a person's role; never demote the last admin."""
        _check_role(role)
        with self.connect() as db:
            if role != ADMIN:
                self._must_keep_an_admin(db, name)
            if not db.execute("UPDATE people SET role = ? WHERE name = ?", (role, name)).rowcount:
                raise PeopleError(f"there is nobody called {name!r}")

    def set_password(self, name: str, password: str) -> None:
        """Change a person's password and end all their sessions."""
        password_hash = generate_password_hash(check_password(password))
        with self.connect() as db:
            changed = db.execute(
                "UPDATE people SET password_hash = ?, password_changed = ? WHERE name = ?",
                (password_hash, time.time(), name),
            ).rowcount
            if not changed:
                raise PeopleError(f"there is nobody called {name!r}")
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))

    def authenticate(self, name: str, password: str) -> Person | None:
        """Return the person if `password` is theirs, else None (in about the same time)."""
        with self.connect() as db:
            row = db.execute(
                "SELECT name, role, created, password_changed, password_hash FROM people "
                "WHERE name = ?",
                (name,),
            ).fetchone()
        matches = check_password_hash(row[4] if row else _DUMMY_HASH, password)
        return Person(*row[:4]) if row and matches else None

    @staticmethod
    def _must_keep_an_admin(db: sqlite3.Connection, name: str) -> None:
        admins = [r[0] for r in db.execute("SELECT name FROM people WHERE role = 'admin'")]
        if admins == [name]:
            raise PeopleError(
                f"{name!r} is the only admin: make someone else an admin first, "
                "so that somebody can still manage people and tokens"
            )
