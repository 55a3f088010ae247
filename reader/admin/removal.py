"""Taking documents off the site: unpublish, delete and publish again, for the API and the admin.

Unpublish: the page answers 410 Gone, the worker retires the audio, and the source is kept in
`content/.unpublished/`; the admin still lists the document, so it can be published again.
Delete: the same, and the document leaves the admin's list too. Its kept source stays on disk
for an operator (nothing published is ever lost), and its page still answers 410.
"""

from __future__ import annotations

from reader.admin import audit, store
from reader.admin.queue import BUILD, RETIRE, Job, queue_for


def unpublish(app, slug: str, action: str = "unpublish") -> Job | None:
    """Take a document off the site and queue the retiring of its audio; None if there is none.

    Raises store.Busy while the document is being published. `action` names the audit entry
    (the API's is "delete", as its method is).
    """
    config = app.config
    if not store.unpublish(config["CONTENT_DIR"], config["BUILD_DIR"], slug):
        return None
    job = queue_for(app).submit(RETIRE, slug)
    audit.record(action, slug, "unpublished", document=slug, outcome="unpublished", job=job.id)
    return job


def delete(app, slug: str) -> bool:
    """Unpublish a document if it still is published, and take it off the admin's list.

    Return False when there is no such document. Raises store.Busy as `unpublish` does.
    """
    build_dir = app.config["BUILD_DIR"]
    job = unpublish(app, slug)
    if job is None and slug not in store.unpublished_slugs(build_dir):
        return False
    store.mark_deleted(build_dir, slug)
    audit.record("delete", slug, "deleted", document=slug, outcome="deleted")
    return True


def publish_again(app, slug: str) -> Job | None:
    """Put back the newest kept source of an unpublished document and queue its build.

    None when the document is not unpublished or nothing of it was kept.
    """
    config = app.config
    kept = store.kept_sources(config["CONTENT_DIR"], slug)
    if slug not in store.unpublished_slugs(config["BUILD_DIR"]) or not kept:
        return None
    if store.read_source(config["CONTENT_DIR"], slug) is not None:
        return None
    store.store_source(config["CONTENT_DIR"], slug, kept[-1].read_bytes())
    job = queue_for(app).submit(BUILD, slug)
    audit.record(
        "publish again", slug, f"queued job {job.id}", document=slug, outcome="queued", job=job.id
    )
    return job
