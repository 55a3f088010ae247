"""The content API for CMSs under /api/v1/: bearer tokens, JSON errors, builds as queued jobs."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from reader import moves, names
from reader.admin import audit, callbacks, removal, status, store, validate
from reader.admin.move import MoveRefused, move
from reader.admin.queue import BUILD, queue_for
from reader.admin.tokens import Tokens
from reader.content import MAX_SOURCE_BYTES
from reader.document_voice import is_voice_id, with_voice
from reader.source_url import address_problem, with_source_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
REALM = 'Bearer realm="voice-reader"'


class AnyNameConverter(BaseConverter):
    """Match whatever stands where a document's name goes, to be judged by `_name_or_error`."""

    # Slashes at either end and doubled too: a bad name gets a 400 that says what is wrong,
    # never a redirect to another name or a bare 404.
    regex = ".+?"
    part_isolating = False


@bp.record_once
def _register_converter(state) -> None:
    state.app.url_map.converters["any_name"] = AnyNameConverter


NAME_RULE = {"merge_slashes": False}
"""Routes that take a name keep its slashes as sent: a//b is refused, not folded into a/b."""


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


def token_holder() -> tuple[str, str | None] | None:
    """Return the request's active token as (name, owner), or None; checked once per request."""
    if "api_holder" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        g.api_holder = tokens().holder(token.strip()) if scheme.lower() == "bearer" else None
    return g.api_holder


def _token_name() -> str:
    """Return the name of the request's token, which `authenticate` has already checked."""
    return token_holder()[0]


def has_valid_token() -> bool:
    """Say whether the request carries an active token (the bad-token limit never applies)."""
    return token_holder() is not None


@bp.before_request
def authenticate():
    """Refuse a request without an active bearer token (401), before any work."""
    holder = token_holder()
    if holder is None:
        return error(401, "send an active API token: Authorization: Bearer <token>")
    name, owner = holder
    # Logged under the token's owner, or under the integration's own name.
    audit.set_actor(owner or name, f"token {name}")
    return None


@bp.after_request
def private(response):
    """Keep API answers out of shared caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _bad_token(response) -> bool:
    return response.status_code == 401


def _name_or_error(raw: str):
    """Return the document name in the address (in NFC), or a 400 that says what is wrong."""
    name = names.normalise(raw)
    problem = names.problem(name)
    return name, (error(400, problem) if problem else None)


def _job_url(job_id: str) -> str:
    return url_for("api.job", job_id=job_id)


def _document_url(slug: str) -> str:
    return url_for("api.document", slug=slug)


def _too_large():
    return error(413, f"the document is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")


def _read_body(limit: int):
    """Return the request body, or an error response when it is larger than `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        return None, _too_large()
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        return None, _too_large()
    return data, None


MOVE_BODY_LIMIT = 4096
"""A move's body names one document: a few hundred bytes at most."""
JSON_OVERHEAD = 2
"""A JSON body may be this many times the HTML's limit: escaping makes the HTML longer."""
PUT_FIELDS = ("source_url", "callback_url")
"""What a PUT may say besides the page: as query parameters, or fields beside "html"."""


def _read_put():
    """Return the page's bytes and its PUT_FIELDS from an HTML or JSON body, or an error."""
    fields = {name: request.args.get(name) for name in PUT_FIELDS}
    if request.mimetype == "text/html":
        data, refused = _read_body(MAX_SOURCE_BYTES)
        return data, fields, refused
    if request.mimetype != "application/json":
        return None, fields, error(415, "send the page as text/html, or JSON with an html field")
    raw, refused = _read_body(MAX_SOURCE_BYTES * JSON_OVERHEAD)
    if refused:
        return None, fields, refused
    body, problem = _json_put(raw, fields)
    if problem:
        return None, fields, problem
    data = body["html"].encode("utf-8")
    if len(data) > MAX_SOURCE_BYTES:
        return None, fields, _too_large()
    return data, fields, None


def _json_put(raw: bytes, fields: dict):
    """Read a JSON PUT's body into `fields`; return it, or an error response."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as problem:
        # RecursionError: "[[[[…" nested deeper than the parser goes.
        return None, error(400, f"the body is not JSON: {str(problem)[:200]}")
    if not isinstance(body, dict) or not isinstance(body.get("html"), str):
        return None, error(422, 'send a JSON object with the page as text in "html"')
    unknown = sorted(set(body) - {"html", *PUT_FIELDS})
    if unknown:
        allowed = ", ".join(("html", *PUT_FIELDS))
        return None, error(422, f"unknown fields {', '.join(unknown)[:200]}: send {allowed}")
    for name in PUT_FIELDS:
        if name in body:
            if fields[name] is not None and fields[name] != body[name]:
                return None, error(422, f"{name} is given twice, differently: send it once")
            fields[name] = body[name]
    return body, None


def _refuse_fields(fields: dict) -> list[str]:
    """List what is wrong with a PUT's source_url and callback_url."""
    problems = []
    if fields["source_url"] is not None:
        problem = address_problem(fields["source_url"])
        if problem:
            problems.append(problem)
    if fields["callback_url"] is not None:
        problem = callbacks.refusal(fields["callback_url"], current_app.config["CALLBACK_HOSTS"])
        if problem is None and tokens().signing_secret(_token_name()) is None:
            problem = (
                f"the token {_token_name()!r} has no callback signing secret (it was made "
                "before callbacks): make a new one with `reader token create`"
            )
        if problem:
            problems.append(problem)
    return problems


def _source_version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[: status.SOURCE_DIGITS]


def _unchanged(content_dir, build_dir, slug: str, data: bytes) -> bool:
    """Say whether storing `data` and building would change nothing that is published.

    The page must be the stored one, and its published version current: built from it, its
    lexicons and the site's engine and voice as they are now (a PUT of the same page after the
    site's voice changed queues its rebuild).
    """
    return (
        store.read_source(content_dir, slug) == data
        and not store.is_unpublished(build_dir, slug)
        and not status.is_stale(
            content_dir, build_dir, slug, status.build_options(current_app.config)
        )
    )


@bp.put("/documents/<any_name:slug>", **NAME_RULE)
def put_document(slug: str):
    """Store a document's new HTML and queue its build; refuse unusable HTML with 422."""
    slug, refused = _name_or_error(slug)
    if refused:
        return refused
    data, fields, refused = _read_put()
    if refused:
        return refused
    problems = _refuse_fields(fields)
    if problems:
        audit.record(
            "put", slug, "refused: " + "; ".join(problems), document=slug, outcome="refused"
        )
        return error(422, problems[0], problems=problems)
    if fields["source_url"] is not None:
        data = with_source_url(data, fields["source_url"])
    if "voice" in request.args:
        # Stored in the page itself, as its <meta name="voice-reader-voice">: every build,
        # check and `reader say --document` then reads it from the one place.
        voice = request.args["voice"].strip()
        if not is_voice_id(voice):
            return error(400, "the voice must be a voice id such as en_US-joe-medium or gmw/en")
        data = with_voice(data, voice)
    config = current_app.config
    content_dir, build_dir = config["CONTENT_DIR"], config["BUILD_DIR"]
    callback = fields["callback_url"]
    if _unchanged(content_dir, build_dir, slug, data):
        audit.record("put", slug, "unchanged", document=slug, outcome="unchanged")
        if callback is not None:
            state = status.document(current_app, slug)
            payload = {"event": "unchanged", "document": state, "job": None}
            callbacks.notify(current_app.instance_path, callback, _token_name(), payload)
        return jsonify(
            status="unchanged", document=_document_url(slug), source=_source_version(data)
        )
    verdict = validate.check(data, slug, content_dir)
    if verdict.problems:
        problems = "; ".join(verdict.problems)
        audit.record("put", slug, "refused: " + problems, document=slug, outcome="refused")
        return error(422, "the document cannot be used", problems=verdict.problems)
    store.store_source(content_dir, slug, data)
    job = queue_for(current_app).submit(BUILD, slug)
    if callback is not None:
        callbacks.register(current_app.instance_path, job.id, callback, _token_name())
    audit.record("put", slug, f"queued job {job.id}", document=slug, outcome="queued", job=job.id)
    response = jsonify(
        status="queued",
        job=_job_url(job.id),
        document=_document_url(slug),
        source=_source_version(data),
        findings=verdict.findings,
    )
    response.status_code = 202
    response.headers["Location"] = _job_url(job.id)
    return response


@bp.get("/documents")
def documents():
    """List every document with its state."""
    return jsonify(documents=status.all_documents(current_app))


@bp.get("/documents/<any_name:slug>", **NAME_RULE)
def document(slug: str):
    """Describe one document: its state, published version, duration and last build."""
    slug, refused = _name_or_error(slug)
    if refused:
        return refused
    found = status.document(current_app, slug)
    if found is None:
        moved = moves.moved_to(current_app.config["BUILD_DIR"], slug)
        if moved is not None:
            return error(404, f"{slug!r} moved to {moved!r}", moved_to=_document_url(moved))
        return error(404, f"there is no document {slug!r}")
    return jsonify(found)


@bp.post("/documents/<any_name:slug>/move", **NAME_RULE)
def move_document(slug: str):
    """Give a document a new name, keeping its audio; its old addresses answer 301."""
    slug, refused = _name_or_error(slug)
    if refused:
        return refused
    if request.mimetype != "application/json":
        return error(415, 'send JSON: {"to": "<new name>"}')
    raw, refused = _read_body(MOVE_BODY_LIMIT)
    if refused:
        return refused
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as problem:
        return error(400, f"the body is not JSON: {str(problem)[:200]}")
    if not isinstance(body, dict) or set(body) != {"to"} or not isinstance(body["to"], str):
        return error(400, 'send a JSON object with one field, the new name: {"to": "<new name>"}')
    target = names.normalise(body["to"])
    problem = names.problem(target)
    if problem:
        return error(400, f"the new name: {problem}")
    config = current_app.config
    try:
        moved = move(
            queue_for(current_app),
            config["CONTENT_DIR"],
            config["BUILD_DIR"],
            current_app.instance_path,
            slug,
            target,
        )
    except MoveRefused as refusal:
        return error(refusal.status, str(refusal))
    audit.record(
        "move",
        slug,
        f"moved to {target}",
        document=slug,
        documents=[slug, target],
        outcome="moved",
    )
    response = jsonify(status="moved", document=_document_url(target), **moved)
    response.headers["Location"] = _document_url(target)
    return response


@bp.delete("/documents/<any_name:slug>", **NAME_RULE)
def delete_document(slug: str):
    """Unpublish a document: its page answers 410 and its audio is retired."""
    slug, refused = _name_or_error(slug)
    if refused:
        return refused
    try:
        job = removal.unpublish(current_app, slug, action="delete")
    except store.Busy as busy:
        return error(409, str(busy))
    if job is None:
        return error(404, f"there is no document {slug!r}")
    return "", 204


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    """Describe a job: its state, progress and result."""
    queue = queue_for(current_app)
    found = queue.job(job_id)
    if found is None:
        return error(404, f"there is no job {job_id!r}")
    return jsonify(status.job_dict(queue, found, _document_url(found.slug)))


def json_errors(exception: HTTPException):
    """Answer every error under /api/v1/ in JSON (the service's own pages are HTML)."""
    return error(exception.code or 500, exception.description or exception.name)
