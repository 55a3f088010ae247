"""The listening beacon: an anonymous POST per section played and quartile reached, counted per day.

Only the document (in the URL), the section id and the event are read from a request: never its
address, user agent, cookies or referrer, which are neither logged nor stored (docs/service.md).
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.wrappers import Response

from reader import moves
from reader.listening_store import EVENTS, ListeningStore

bp = Blueprint("listening", __name__)

MAX_BEACON_BYTES = 512
"""A beacon is about 60 bytes; anything much longer is not one of ours."""
CONTENT_TYPES = frozenset({"text/plain", "application/json"})
"""text/plain is what fetch sends a string body as, and needs no CORS preflight."""
FIELDS = frozenset({"section", "event"})
URL = "listening"
"""The beacon's URL relative to the manifest's, as the manifest's `listening` names it."""


def init_app(app: Flask) -> None:
    """Count beacons in the instance folder, unless the site turned figures off."""
    if app.config["LISTENING_FIGURES"] != "on":
        return  # off: the route does not exist, so a beacon gets the API's JSON 404
    app.extensions["reader.listening"] = ListeningStore(app.instance_path)
    app.register_blueprint(bp)


def enabled() -> bool:
    """Say whether the current app counts beacons (and so whether manifests name the URL)."""
    return "reader.listening" in current_app.extensions


def _refuse(code: int, description: str):
    return jsonify(error=description), code


@bp.post("/api/documents/<name:slug>/listening")
def beacon(slug: str):
    """Count one event of one section of a published document: 204, or 4xx saying why not."""
    length = request.content_length
    if length is None:
        return _refuse(411, "Send the beacon with a Content-Length.")
    if length > MAX_BEACON_BYTES:
        return _refuse(413, f"A beacon is at most {MAX_BEACON_BYTES} bytes.")
    if request.mimetype not in CONTENT_TYPES:
        return _refuse(415, "Send the beacon as text/plain or application/json.")
    try:
        body = json.loads(request.get_data(cache=False)[:MAX_BEACON_BYTES])
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _refuse(400, "The beacon is not JSON.")
    if not isinstance(body, dict) or body.keys() != FIELDS:
        return _refuse(400, 'The beacon is {"section": "<id>", "event": "<event>"}.')
    section, event = body["section"], body["event"]
    if not isinstance(event, str) or event not in EVENTS:
        return _refuse(400, f"The event is one of {', '.join(EVENTS)}.")
    catalogue = current_app.extensions["reader.web.catalogue"]
    entry = catalogue.entry(slug)
    if entry is None and moves.forwards(catalogue.build_dir, slug) is not None:
        # A player embedded under a name the document moved from resolves the beacon's URL
        # against that name's manifest address: it counts for the document as it is now.
        slug = moves.destination(catalogue.build_dir, slug)
        entry = catalogue.entry(slug)
    if entry is None or not entry.audio:
        return _refuse(404, "No document with audio has that name.")
    if not isinstance(section, str) or section not in {s.id for s in entry.outline.sections}:
        return _refuse(422, "The document has no section with that id.")
    current_app.extensions["reader.listening"].record(slug, section, event)
    return Response(status=204)


@bp.after_request
def shared(response: Response) -> Response:
    """Let the widget on any site post here, without credentials, and keep answers uncached."""
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Cache-Control"] = "no-store"
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        headers["Access-Control-Allow-Headers"] = "Content-Type"
        headers["Access-Control-Max-Age"] = "86400"
    return response
