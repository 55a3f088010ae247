"""Each document's state for the API and the dashboard: its files and its jobs, in one function."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

from reader import manifest as mf
from reader import names
from reader.admin import store
from reader.admin.queue import Job, Queue, State, queue_for
from reader.errors import ReaderError
from reader.pipeline.freshness import BuildOptions, Source, is_current, read_source

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


def build_options(config, jobs: int | None = None) -> BuildOptions:
    """Return how the service builds: the site's engine and voice (READER_ENGINE, READER_VOICE).

    The worker builds with these, and the API and the dashboard judge by them whether a
    published version is current: one set of options, so all three give one answer.
    """
    options = BuildOptions(engine=config["ENGINE"], voice=config["VOICE"] or None)
    return replace(options, jobs=jobs) if jobs else options


def current_source(
    content_dir: Path, build_dir: Path, slug: str, options: BuildOptions
) -> Source | None:
    """Return what a build of the document would be made from now; None without a source."""
    try:
        return read_source(content_dir, build_dir, slug, options)
    except (ReaderError, OSError):
        # No source (or one that cannot be read, which its build reports): nothing to compare.
        return None


def is_stale(content_dir: Path, build_dir: Path, slug: str, options: BuildOptions) -> bool:
    """Say whether a document's published version is not what a build would make now.

    True when its source, its lexicons, or the site's engine or voice changed since it was
    built (freshness's build key), or its audio is not all there; False without a source.
    """
    source = current_source(content_dir, build_dir, slug, options)
    return source is not None and is_current(build_dir, slug, source.key) is None


def _manifest(
    build_dir: Path, slug: str, current: mf.Outline | None
) -> tuple[mf.Outline | None, float | None]:
    """Return the published version (`current` if it is the one) and when it was published."""
    path = mf.manifest_path(build_dir, slug)
    try:
        manifest = current or mf.load_outline(build_dir, slug)
        return manifest, (path.stat().st_mtime if manifest else None)
    except (mf.ManifestError, OSError):
        return None, None


def describe(
    queue: Queue, content_dir: Path, build_dir: Path, slug: str, options: BuildOptions
) -> dict | None:
    """Return one document's state, None when there is no such document.

    `options` are the site's (`build_options`): the published version is current when a
    build with them would make it again, as `reader build` and the worker judge it.
    """
    source = current_source(content_dir, build_dir, slug, options)
    current = is_current(build_dir, slug, source.key) if source is not None else None
    manifest, published_at = _manifest(build_dir, slug, current)
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
        published = {
            "version": (manifest.build_key or "")[:12] or manifest.built_at,
            "source": manifest.document.source_sha256[:SOURCE_DIGITS],
            "built_at": manifest.built_at,
            "audio": manifest.has_audio,
            "duration": round(manifest.duration, 1),
            "sections": len(manifest.sections),
            "current": current is not None,
        }
    return {
        "slug": slug,
        "title": manifest.document.title if manifest else _peek_title(source.html) or slug,
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
    options = build_options(config)
    return describe(queue_for(app), config["CONTENT_DIR"], config["BUILD_DIR"], slug, options)


def all_documents(app) -> list[dict]:
    """Return every document's state in `app`, sorted by title."""
    config = app.config
    found = [document(app, slug) for slug in slugs(config["CONTENT_DIR"], config["BUILD_DIR"])]
    return sorted((d for d in found if d), key=lambda d: d["title"].casefold())


def unpublished_documents(app) -> list[dict]:
    """Return the state of each unpublished document that staff have not deleted.

    The API knows no such document (404); the admin lists it, so it can be published again.
    Its title is read from the source kept when it was unpublished.
    """
    config, queue = app.config, queue_for(app)
    found = []
    for slug in store.unpublished_slugs(config["BUILD_DIR"]):
        if store.read_source(config["CONTENT_DIR"], slug) is not None:
            continue  # sent again and waiting for its build: describe() shows it
        kept = store.kept_sources(config["CONTENT_DIR"], slug)
        try:
            title = _peek_title(kept[-1].read_bytes()) if kept else ""
        except OSError:
            title = ""  # the name stands in for it
        last = queue.latest(slug)
        found.append(
            {
                "slug": slug,
                "title": title or slug,
                "lang": "en",
                "state": "unpublished",
                "progress": None,
                "error": None,
                "published": None,
                "last_build": job_dict(queue, last) if last is not None else None,
                "findings": [],
            }
        )
    return found
