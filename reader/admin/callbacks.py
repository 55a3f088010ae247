"""Tell a CMS how its page's build ended: a signed JSON POST to the callback_url of its PUT.

A PUT that names a `callback_url` leaves a note beside its job in the instance folder; when
the job ends, `job_ended` (called by the worker) sends the document's state there, signed with
HMAC-SHA256 under the signing secret of the token that made the PUT. Delivery retries with
backoff in a background thread, so a slow or absent receiver never holds up the build queue.
Only hosts named in READER_CALLBACK_HOSTS are ever called, and redirects are not followed,
so the API cannot be made to reach an internal address.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

from reader.admin import status
from reader.admin.tokens import Tokens
from reader.files import atomic_write
from reader.source_url import address_problem

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Voice-Reader-Signature"
EVENT_HEADER = "X-Voice-Reader-Event"
NOTES_DIR = "callbacks"
"""Folder of the instance folder holding each job's pending callbacks."""
ATTEMPTS = 4
"""Tries per callback: the first, then three retries."""
BACKOFF = 1.0
"""Seconds before the first retry; each retry waits twice as long as the one before."""
TIMEOUT = 10.0
"""Seconds a receiver has to answer one try."""
_RETRIED = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Answers that may mean "later"; any other refusal is final."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: one could lead past the allow-list to an internal address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        """Follow no redirect (urllib then raises the 3xx as an HTTPError)."""
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def refusal(url: object, allowed_hosts: list[str]) -> str | None:
    """Say why `url` cannot be a callback address; None when it can."""
    problem = address_problem(url, "callback_url")
    if problem:
        return problem
    if not allowed_hosts:
        return (
            "callback_url cannot be used: callbacks are off on this service "
            "(its READER_CALLBACK_HOSTS names no host)"
        )
    host = urlsplit(url).hostname or ""
    if not host_allowed(url, allowed_hosts):
        return (
            f"callback_url's host {host!r} is not one READER_CALLBACK_HOSTS allows "
            f"({', '.join(allowed_hosts)})"
        )
    return None


def host_allowed(url: str, allowed_hosts: list[str]) -> bool:
    """Say whether the host of `url` is named in the allow-list (".example.org": subdomains)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    with_port = f"{host}:{parts.port}" if parts.port else host
    for entry in (e.strip().lower().replace("[", "").replace("]", "") for e in allowed_hosts):
        if entry in (host, with_port):
            return True
        if entry.startswith(".") and (host.endswith(entry) or host == entry[1:]):
            return True
    return False


def sign(secret: str, body: bytes) -> str:
    """Return the signature header's value for `body`: "sha256=" and the HMAC's hex digest."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def register(instance_path: Path, job_id: str, url: str, token_name: str) -> None:
    """Note that the job's end must be told to `url`, signed with `token_name`'s secret."""
    folder = Path(instance_path) / NOTES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    # One file per job and address: two PUTs joined into one build write no shared file.
    key = hashlib.sha256(f"{url}\n{token_name}".encode()).hexdigest()[:16]
    note = json.dumps({"url": url, "token": token_name}).encode()
    atomic_write(folder / f"{job_id}-{key}.json", note)


def job_ended(context, queue, job) -> list[threading.Thread]:
    """Send a finished build's state to every callback its PUTs named (the worker calls this).

    `context` is the worker's work (content_dir, build_dir, instance_path, options); `job` the job
    record as saved. Returns the delivery threads, which tests may join.
    """
    notes = sorted((Path(context.instance_path) / NOTES_DIR).glob(f"{job.id}-*.json"))
    if not notes:
        return []
    document_url = f"/api/v1/documents/{quote(job.slug, safe='/')}"
    try:
        document = status.describe(
            queue, context.content_dir, context.build_dir, job.slug, context.options
        )
    except Exception:
        # Telling the CMS must never fail the worker: the job itself is already recorded.
        log.exception("callback for job %s: the document's state cannot be read", job.id)
        document = None
    payload = {
        "event": "built" if job.state == "ready" else "failed",
        "document": document,
        "job": status.job_dict(queue, job, document_url),
    }
    threads = []
    for note in notes:
        try:
            wanted = json.loads(note.read_text("utf-8"))
        except (OSError, ValueError) as error:
            log.warning("callback note %s cannot be read: %s", note, error)
            continue
        finally:
            note.unlink(missing_ok=True)
        threads.append(notify(context.instance_path, wanted["url"], wanted["token"], payload))
    return threads


def notify(instance_path: Path, url: str, token_name: str, payload: dict) -> threading.Thread:
    """Start sending `payload` to `url` in the background, signed with the token's secret."""
    secret = Tokens(instance_path).signing_secret(token_name)
    thread = threading.Thread(
        target=_deliver_or_log,
        args=(url, payload, secret, token_name),
        name="voice-reader-callback",
        # Not joined at exit: a worker that stops drops the callbacks still retrying.
        daemon=True,
    )
    thread.start()
    return thread


def _deliver_or_log(url: str, payload: dict, secret: str | None, token_name: str) -> None:
    if secret is None:
        log.warning(
            "callback to %s not sent: token %r is revoked or has no secret", url, token_name
        )
        return
    if not deliver(url, payload, secret):
        log.warning("callback to %s failed after %d tries", url, ATTEMPTS)


def deliver(url: str, payload: dict, secret: str) -> bool:
    """POST `payload` as signed JSON to `url`, retrying with backoff; say whether it arrived."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "voice-reader-callback",
        SIGNATURE_HEADER: sign(secret, body),
        EVENT_HEADER: str(payload.get("event", "")),
    }
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(BACKOFF * 2 ** (attempt - 1))
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with _opener.open(request, timeout=TIMEOUT) as answer:
                answer.read(1024)
            return True
        except urllib.error.HTTPError as error:
            error.close()
            if error.code not in _RETRIED:
                log.warning("callback to %s refused with %d; not retried", url, error.code)
                return False
        except (OSError, ValueError) as error:
            log.info("callback to %s, try %d: %s", url, attempt + 1, error)
    return False
