"""API bearer tokens: made once, stored only as hashes, checked with one lookup.

Each token belongs to a person (its owner) or stands for a named integration: what it does
is logged under that person's name, or the integration's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from pathlib import Path

from reader.errors import ReaderError
from reader.files import atomic_write, read_cached

PREFIX = "vr_"
SECRET_PREFIX = "vrs_"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
FILE_NAME = "tokens.json"


class TokenError(ReaderError):
    """A token command was given a bad or unknown name."""


def _digest(token: str) -> str:
    # A token has 256 random bits, so one SHA-256 is enough: a slow password hash would let
    # a flood of bad tokens eat the CPU, and brute force is hopeless either way.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _parse(data: bytes, path: str) -> dict:
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise TokenError(f"{path} is damaged: {error}") from None


class Tokens:
    """The tokens file of an instance folder."""

    def __init__(self, instance_path: str | Path):
        self.path = Path(instance_path) / FILE_NAME
        self._lock = threading.Lock()

    def _load(self) -> dict:
        return read_cached(self.path, _parse) or {}

    def _save(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(data, indent=1).encode("utf-8"))
        self.path.chmod(0o600)

    def create(self, name: str, owner: str | None = None) -> str:
        """Make a token called `name` (owned by person `owner`, if any) and return it."""
        if not NAME.fullmatch(name):
            raise TokenError(
                f"{name!r} is not a token name: use letters, digits, '.', '_' or '-' (at most 64)"
            )
        with self._lock:
            data = dict(self._load())
            if name in data and not data[name].get("revoked"):
                raise TokenError(f"a token called {name!r} exists; revoke it first")
            token = PREFIX + secrets.token_urlsafe(32)
            data[name] = {
                "sha256": _digest(token),
                "created": time.time(),
                "revoked": None,
                "owner": owner,
                # Kept as it is, not hashed: the service needs it to sign callbacks (HMAC).
                "signing_secret": SECRET_PREFIX + secrets.token_urlsafe(32),
            }
            self._save(data)
        return token

    def revoke(self, name: str) -> None:
        """Revoke the token called `name`."""
        with self._lock:
            data = dict(self._load())
            if name not in data or data[name].get("revoked"):
                raise TokenError(f"there is no active token called {name!r}")
            data[name] = {**data[name], "revoked": time.time()}
            self._save(data)

    def revoke_owned_by(self, owner: str) -> list[str]:
        """Revoke every active token of person `owner` (who is leaving); return their names."""
        with self._lock:
            data = dict(self._load())
            names = [
                name
                for name, entry in data.items()
                if entry.get("owner") == owner and not entry.get("revoked")
            ]
            for name in names:
                data[name] = {**data[name], "revoked": time.time()}
            if names:
                self._save(data)
        return names

    def list(self) -> list[dict]:
        """Return every token's name, owner, creation and revocation times (never the hash)."""
        data = self._load()
        return [
            {
                "name": name,
                "owner": entry.get("owner"),
                "created": entry["created"],
                "revoked": entry.get("revoked"),
            }
            for name, entry in sorted(data.items())
        ]

    def holder(self, token: str) -> tuple[str, str | None] | None:
        """Return the active token's (name, owner), or None."""
        name = self.check(token)
        return None if name is None else (name, self._load().get(name, {}).get("owner"))

    def signing_secret(self, name: str) -> str | None:
        """Return the callback signing secret of the active token `name`, or None."""
        entry = self._load().get(name)
        if entry is None or entry.get("revoked"):
            return None
        return entry.get("signing_secret")

    def check(self, token: str) -> str | None:
        """Return the name of the active token `token`, or None."""
        if not token.isascii() or not token.startswith(PREFIX) or len(token) > 100:
            return None
        digest = _digest(token)
        for name, entry in self._load().items():
            # Compared in constant time, each one, so timing tells nothing about the hashes.
            if hmac.compare_digest(entry["sha256"], digest) and not entry.get("revoked"):
                return name
        return None
