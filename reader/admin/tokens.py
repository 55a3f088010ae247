"""API bearer tokens: made once, stored only as hashes, checked with one lookup."""

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

    def create(self, name: str) -> str:
        """Make a token for `name` and return it; only its hash is kept."""
        if not NAME.fullmatch(name):
            raise TokenError(
                f"{name!r} is not a token name: use letters, digits, '.', '_' or '-' (at most 64)"
            )
        with self._lock:
            data = dict(self._load())
            if name in data and not data[name].get("revoked"):
                raise TokenError(f"a token called {name!r} exists; revoke it first")
            token = PREFIX + secrets.token_urlsafe(32)
            data[name] = {"sha256": _digest(token), "created": time.time(), "revoked": None}
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

    def list(self) -> list[dict]:
        """Return every token's name, creation and revocation times (never the hash)."""
        data = self._load()
        return [
            {"name": name, "created": entry["created"], "revoked": entry.get("revoked")}
            for name, entry in sorted(data.items())
        ]

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
