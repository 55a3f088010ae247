"""The content API for CMSs under /api/v1/: bearer tokens, JSON errors, builds as queued jobs."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from reader.admin import audit, status, store, validate
from reader.admin.queue import BUILD, RETIRE, queue_for
from reader.admin.tokens import Tokens
from reader.document_voice import is_voice_id, with_voice
from reader.manifest import is_valid_slug

bp = Blueprint("api", __name__, url_prefix="/api/v1")
BAD_TOKENS_PER_MINUTE = 10
REALM = 'Bearer realm="voice-reader"'


def error(code: int, message: str, **extra):
    """Return a JSON error response."""
    response = jsonify(error=message, **extra)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = REALM
    return response


def tokens() -> Tokens:
    """Return the app's token store."""
    return current_app.extensions["reader.admin.tokens"]


@bp.before_request
def authenticate():
    """Refuse a request without an active bearer token (401), before any work."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    name = tokens().check(token.strip()) if scheme.lower() == "bearer" else None
    if name is None:
        return error(401, "send an active API token: Authorization: Bearer <token>")
    g.api_client = name
    return None


@bp.after_request
def private(response):
    """Keep API answers out of shared caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _bad_token(response) -> bool:
    return response.status_code == 401


def _slug_or_error(slug: str):
    if not is_valid_slug(slug):
        return error(400, f"{slug!r} is not a document name: lowercase letters, digits, hyphens")
    return None


def _job_url(job_id: str) -> str:
    return url_for("api.job", job_id=job_id)


def _document_url(slug: str) -> str:
    return url_for("api.document", slug=slug)


def _read_body():
    """Return the request body, or an error response when it is too large."""
    limit = store.MAX_SOURCE_BYTES
    if request.content_length is not None and request.content_length > limit:
        return None, error(413, f"the document is larger than {limit // (1024 * 1024)} MB")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        return None, error(413, f"the document is larger than {limit // (1024 * 1024)} MB")
    return data, None


@bp.put("/documents/<slug>")
def put_document(slug: str):
    """Store a document's new HTML and queue its build; refuse unusable HTML with 422."""
    refused = _slug_or_error(slug)
    if refused:
        return refused
    if request.mimetype != "text/html":
        return error(415, "send the page as Content-Type: text/html")
    data, refused = _read_body()
    if refused:
        return refused
    if "voice" in request.args:
        # Stored in the page itself, as its <meta name="voice-reader-voice">: every build,
        # check and `reader say --document` then reads it from the one place.
        voice = request.args["voice"].strip()
        if not is_voice_id(voice):
            return error(400, "the voice must be a voice id such as en_US-joe-medium or gmw/en")
        data = with_voice(data, voice)
    config = current_app.config
    content_dir, build_dir = config["CONTENT_DIR"], config["BUILD_DIR"]
    if store.read_source(content_dir, slug) == data and not store.is_unpublished(build_dir, slug):
        audit.record("api:" + g.api_client, "put", slug, "unchanged")
        return jsonify(status="unchanged", document=_document_url(slug))
    verdict = validate.check(data, slug, content_dir)
    if verdict.problems:
        audit.record("api:" + g.api_client, "put", slug, "refused: " + "; ".join(verdict.problems))
        return error(422, "the document cannot be used", problems=verdict.problems)
    store.store_source(content_dir, slug, data)
    job = queue_for(current_app).submit(BUILD, slug)
    audit.record("api:" + g.api_client, "put", slug, f"queued job {job.id}")
    response = jsonify(
        status="queued",
        job=_job_url(job.id),
        document=_document_url(slug),
        findings=verdict.findings,
    )
    response.status_code = 202
    response.headers["Location"] = _job_url(job.id)
    return response


@bp.get("/documents")
def documents():
    """List every document with its state."""
    return jsonify(documents=status.all_documents(current_app))


@bp.get("/documents/<slug>")
def document(slug: str):
    """Describe one document: its state, published version, duration and last build."""
    refused = _slug_or_error(slug)
    if refused:
        return refused
    found = status.document(current_app, slug)
    if found is None:
        return error(404, f"there is no document {slug!r}")
    return jsonify(found)


@bp.delete("/documents/<slug>")
def delete_document(slug: str):
    """Unpublish a document: its page answers 410 and its audio is retired."""
    refused = _slug_or_error(slug)
    if refused:
        return refused
    config = current_app.config
    try:
        removed = store.unpublish(config["CONTENT_DIR"], config["BUILD_DIR"], slug)
    except store.Busy as busy:
        return error(409, str(busy))
    if not removed:
        return error(404, f"there is no document {slug!r}")
    queue_for(current_app).submit(RETIRE, slug)
    audit.record("api:" + g.api_client, "delete", slug, "unpublished")
    return "", 204


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    """Describe a job: its state, progress and result."""
    found = queue_for(current_app).job(job_id)
    if found is None:
        return error(404, f"there is no job {job_id!r}")
    return jsonify(status.job_dict(found, _document_url(found.slug)))


def json_errors(exception: HTTPException):
    """Answer every error under /api/v1/ in JSON (the service's own pages are HTML)."""
    return error(exception.code or 500, exception.description or exception.name)
