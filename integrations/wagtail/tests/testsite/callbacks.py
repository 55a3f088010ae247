"""voice-reader's callbacks as the tests send them: signed bodies, as docs/api.md describes."""

from __future__ import annotations

import hashlib
import hmac

from django.test import Client

SECRET = "vrs_tests-only"
CALLBACK = "/voice-reader/callback/"


def signature(body: bytes, secret: str = SECRET) -> str:
    """Sign a body as docs/api.md says voice-reader does."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(name: str, state: str = "ready", finished: float = 1000.0, **extra) -> dict:
    """Return a callback body as voice-reader sends it for a build of `name`."""
    published = {"source": "abc123", "audio": True} if state == "ready" else None
    body = {
        "event": "built" if state == "ready" else "failed",
        "document": {"slug": name, "state": state, "published": published, "error": None},
        "job": {"finished": finished, "error": None if state == "ready" else "engine down"},
    }
    body.update(extra)
    return body


def post(client: Client, body: bytes, sign: str | None = None):
    """POST a raw body with a signature header (the body's own, unless `sign` is given)."""
    headers = {"X-Voice-Reader-Signature": signature(body) if sign is None else sign}
    return client.post(CALLBACK, body, content_type="application/json", headers=headers)
