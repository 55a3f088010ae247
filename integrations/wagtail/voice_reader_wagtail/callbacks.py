"""voice-reader's callbacks, checked and read: how a page's build ended, for the editor's panel.

voice-reader POSTs `{"event": …, "document": {…}, "job": {…}}` when a build that a PUT queued
ends, signed with HMAC-SHA256 under the token's signing secret (docs/api.md, "Callbacks").
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import unquote

SIGNATURE_HEADER = "X-Voice-Reader-Signature"
EVENTS = ("built", "failed", "unchanged")
DOCUMENT_API = "/api/v1/documents/"


class BadCallback(ValueError):
    """A callback body that is not what voice-reader sends; its message says why."""


@dataclass(frozen=True)
class Report:
    """What one callback says about one document."""

    name: str
    state: str
    """The document's state: ready, failed, queued, …"""
    error: str
    source: str
    """The published version's source digits; "" when nothing is published."""
    audio: bool
    finished: float | None
    """When the job ended, on voice-reader's clock; None for `unchanged` (no job ran)."""


def signed(secret: str, body: bytes, signature: str) -> bool:
    """Say whether `signature` is `body`'s HMAC-SHA256 under `secret`, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    # Bytes, as compare_digest refuses a str with any non-ASCII character.
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _mapping(value, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadCallback(f"{what} must be a JSON object or null")
    return value


def _text(value, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadCallback(f"{what} must be a string")
    return value


def _name(document: dict, job: dict) -> str:
    """Return the document's name: its `slug`, or else the job's document address."""
    name = _text(document.get("slug"), "document.slug")
    if not name:
        address = _text(job.get("document"), "job.document")
        if address.startswith(DOCUMENT_API):
            name = unquote(address[len(DOCUMENT_API) :])
    if not name:
        raise BadCallback("the callback names no document (document.slug)")
    return name


def read(body: bytes) -> Report:
    """Read a callback's JSON body; raise BadCallback saying what is wrong with it."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadCallback(f"the body is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise BadCallback("the body must be a JSON object")
    event = payload.get("event")
    if event not in EVENTS:
        raise BadCallback(f"event must be one of {', '.join(EVENTS)}")
    document = _mapping(payload.get("document"), "document")
    job = _mapping(payload.get("job"), "job")
    published = _mapping(document.get("published"), "document.published")
    finished = job.get("finished")
    if finished is not None and (
        isinstance(finished, bool) or not isinstance(finished, int | float)
    ):
        raise BadCallback("job.finished must be a number or null")
    state = _text(document.get("state"), "document.state") or (
        "failed" if event == "failed" else "ready"
    )
    error = _text(job.get("error"), "job.error") or _text(document.get("error"), "document.error")
    return Report(
        name=_name(document, job),
        state=state[:16],
        error=error,
        source=_text(published.get("source"), "document.published.source")[:64],
        audio=published.get("audio") is True,
        finished=float(finished) if finished is not None else None,
    )
