"""Each document's state for the API and the dashboard: its files and its jobs, in one function."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from reader import manifest as mf
from reader import names
from reader.admin import store
from reader.admin.queue import Job, Queue, State, queue_for

STATES = ("ready", "queued", "building", "failed", "missing")
"""A document's states: a job's, or "missing" when it has never had audio and none is asked."""
SOURCE_DIGITS = 12
"""Hex digits of a source's SHA-256 that name it: the PUT's answer and `published.source`."""


def job_dict(queue: Queue, job: Job, document_url: str | None = None) -> dict:
    """Return a job as the API shows it."""
    result = dict(queue.result(job) or {})
    result.pop("html", None)
    return {
        "id": job.id,
        "kind": job.kind,
        "document": document_url,
        "state": str(job.state),
        "progress": {"done": job.done, "total": job.total},
        "attempt": job.attempt,
        "created": job.created,
        "started": job.started,
        "finished": job.finished,
        "error": job.error,
        "result": result or None,
    }


def _manifest(build_dir: Path, slug: str) -> tuple[mf.Outline | None, float | None]:
    path = mf.manifest_path(build_dir, slug)
    try:
        manifest = mf.load_outline(build_dir, slug)
        return manifest, (path.stat().st_mtime if manifest else None)
    except (mf.ManifestError, OSError):
        return None, None


def describe(queue: Queue, content_dir: Path, build_dir: Path, slug: str) -> dict | None:
    """Return one document's state, None when there is no such document."""
    source = store.read_source(content_dir, slug)
    manifest, published_at = _manifest(build_dir, slug)
    if source is None and manifest is None:
        return None
    # The job that stands for the document: the one building it, else its queued build,
    # else the last one asked for.
    last = queue.latest(slug)
    job = queue.building(slug) or queue.queued(slug) or last
    state, error, progress = "missing", None, None
    if job is not None and job.state in (State.QUEUED, State.BUILDING):
        state = str(job.state)
        if job.state == State.BUILDING:
            progress = {"done": job.done, "total": job.total}
    elif (
        job is not None
        and job.state in (State.FAILED, State.INTERRUPTED)
        and (published_at is None or published_at < (job.finished or job.started or 0))
    ):
        state, error = "failed", job.error
    elif manifest is not None and manifest.has_audio:
        # A version published as text only is still waiting for its audio.
        state = "ready"
    built_id = queue.huey.get(f"built:{slug}", peek=True)
    built = queue.record(built_id) if built_id else None
    findings = (queue.result(built) or {}).get("findings", []) if built else []
    published = None
    if manifest is not None:
        current = (
            source is not None
            and manifest.document.source_sha256 == hashlib.sha256(source).hexdigest()
        )
        published = {
            "version": (manifest.build_key or "")[:12] or manifest.built_at,
            "source": manifest.document.source_sha256[:SOURCE_DIGITS],
            "built_at": manifest.built_at,
            "audio": manifest.has_audio,
            "duration": round(manifest.duration, 1),
            "sections": len(manifest.sections),
            "current": current,
        }
    return {
        "slug": slug,
        "title": manifest.document.title if manifest else _peek_title(source) or slug,
        "lang": manifest.document.lang if manifest else "en",
        "state": state,
        "progress": progress,
        "error": error,
        "published": published,
        "last_build": job_dict(queue, last) if last is not None else None,
        "findings": findings,
    }


_H1 = re.compile(rb"<h1\b[^>]*>(.*?)</h1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")


def _peek_title(source: bytes | None) -> str:
    """Return the h1 text of an unbuilt source, for display only (the build parses it)."""
    match = _H1.search(source[:200_000]) if source else None
    if not match:
        return ""
    text = html.unescape(_TAG.sub("", match[1].decode("utf-8", "replace")))
    return " ".join(text.split())[:200]


def slugs(content_dir: Path, build_dir: Path) -> list[str]:
    """List every document that has a source or a published version."""
    found = {names.from_key(p.stem) for p in Path(content_dir).glob("*.html")} - {None}
    found.update(mf.published_slugs(build_dir))
    return sorted(found)


def document(app, slug: str) -> dict | None:
    """Return one document's state in `app`."""
    config = app.config
    return describe(queue_for(app), config["CONTENT_DIR"], config["BUILD_DIR"], slug)


def all_documents(app) -> list[dict]:
    """Return every document's state in `app`, sorted by title."""
    config = app.config
    found = [document(app, slug) for slug in slugs(config["CONTENT_DIR"], config["BUILD_DIR"])]
    return sorted((d for d in found if d), key=lambda d: d["title"].casefold())
