"""What the sending thread does: publish, rename and remove documents, and record the outcome."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from voice_reader_wagtail import client
from voice_reader_wagtail.client import Answer
from voice_reader_wagtail.models import AudioRecord

logger = logging.getLogger(__name__)

BUSY = 409
"""voice-reader's answer to a DELETE or move while the document is being built."""
BUSY_WAIT = 120.0
"""Seconds to keep asking while a document is being built: a long page takes a while."""


def _patiently(call: Callable[..., Answer], *args) -> Answer:
    """Make a request again while voice-reader is busy building that document."""
    deadline = time.monotonic() + BUSY_WAIT
    pause = 0.1
    while True:
        answer = call(*args)
        if answer.status != BUSY or time.monotonic() > deadline:
            return answer
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def _built(name: str) -> None:
    """Wait while the document is queued or being built, up to BUSY_WAIT.

    voice-reader refuses a DELETE with 409 only while the build holds the document; its job
    goes on a little after that (its findings), and an unpublish then could be undone by it.
    """
    deadline = time.monotonic() + BUSY_WAIT
    pause = 0.1
    while time.monotonic() < deadline:
        answer = client.get_document(name)
        if answer.body.get("state") not in ("queued", "building"):
            return
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def _record(page_id: int) -> AudioRecord:
    return AudioRecord.objects.filter(page_id=page_id).first() or AudioRecord(page_id=page_id)


def _store(record: AudioRecord, action: str, answer: Answer, message: str = "") -> None:
    record.action = action
    record.ok = answer.ok
    record.status = answer.status
    record.message = "" if answer.ok else (message or answer.describe())
    record.at = timezone.now()
    mine = {
        field: getattr(record, field)
        for field in ("name", "action", "ok", "status", "message", "source", "at")
    }
    # Only this thread's fields: a callback may be recording the build's outcome meanwhile,
    # and may even have made the page's record since it was read.
    with transaction.atomic():
        if not AudioRecord.objects.filter(page_id=record.page_id).update(**mine):
            record.save()
    if not answer.ok:
        logger.warning("voice-reader: %s of %r failed: %s", action, record.name, record.message)


def _rename(record: AudioRecord, name: str) -> None:
    """Move the record's document to `name`; a missing one leaves nothing to move."""
    answer = _patiently(client.move_document, record.name, name)
    if answer.ok:
        record.name = name
    elif answer.status == 404:
        record.name = ""
    _store(record, "move", answer)


def publish(page_id: int, name: str, html: str, source_url: str | None) -> None:
    """Send a page's HTML as document `name`, first moving the one it had under an old name."""
    record = _record(page_id)
    if record.name and record.name != name:
        _rename(record, name)
    answer = client.put_document(name, html, source_url)
    if answer.ok:
        record.name = name
        record.source = str(answer.body.get("source", ""))
    _store(record, "publish", answer)


def follow(names: list[tuple[int, str | None]]) -> None:
    """Rename the documents of pages whose URL path changed: (page id, new name) pairs.

    A page whose new name is None has left every site: its document is unpublished, so it is
    not served under a name that no longer leads to it.
    """
    for page_id, name in names:
        record = AudioRecord.objects.filter(page_id=page_id).exclude(name="").first()
        if record is None:
            continue
        if name is None:
            remove(page_id, None, "move")
        elif record.name != name:
            _rename(record, name)


def fail(page_id: int, action: str, message: str) -> None:
    """Record that a request could not even be made, e.g. the page would not render."""
    _store(_record(page_id), action, Answer(None, error=message))


def remove(page_id: int, name: str | None, action: str) -> None:
    """Unpublish a page's document; `action` is "unpublish" or "delete"."""
    record = _record(page_id)
    target = record.name or name
    if not target:
        return
    _built(target)
    answer = _patiently(client.delete_document, target)
    gone = answer.ok or answer.status in (404, 410)
    if gone:
        record.name = ""
    # Wagtail unpublishes a page as it deletes it: by now the page may be gone.
    if gone and not Page.objects.filter(pk=page_id).exists():
        # Its document is gone too: nothing is left to show anyone.
        AudioRecord.objects.filter(page_id=page_id).delete()
        return
    # Nothing there to unpublish is what was asked for.
    _store(record, action, Answer(204) if gone else answer)
