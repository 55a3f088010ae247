"""The admin page: document audio status, and buttons that queue a build for the worker."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from reader.admin import auth, status
from reader.admin.queue import BUILD, build_running, queue_for
from reader.web.views import catalogue, listening_words

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

STATUS_WORDS = {
    "ready": "Ready",
    "stale": "Out of date: the text changed since the audio was built",
    "missing": "Not built",
    "building": "Being built",
    "queued": "Queued for building",
    "failed": "The last build failed",
    "unreadable": "Cannot be read: run reader check",
}


@bp.before_request
def require_admin():
    """Hide the admin pages when off, ask for credentials, and refuse cross-site posts."""
    config = current_app.config
    if not config["ADMIN_PASSWORD_HASH"]:
        abort(404)
    if not auth.credentials_ok(request, config["ADMIN_USER"], config["ADMIN_PASSWORD_HASH"]):
        return Response(
            "Sign in to use the admin page.\n",
            401,
            {"WWW-Authenticate": auth.REALM, "Content-Type": "text/plain; charset=utf-8"},
        )
    if request.method == "POST" and not auth.same_origin(request):
        return _message(403, "This form can only be sent from the admin page of this site.")
    return None


@bp.after_request
def private(response: Response) -> Response:
    """Keep admin responses out of caches and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def _last_result(job) -> str:
    if job is None:
        return "No build queued from here yet"
    if job["state"] == "queued":
        return f"Queued {_when(job['created'])}"
    if job["state"] == "building":
        return f"Started {_when(job['started'])}"
    if job["state"] == "interrupted":
        return f"Stopped before it finished (started {_when(job['started'])})"
    if job["state"] == "succeeded":
        result = job["result"]
        return (
            f"Succeeded {_when(job['finished'])}: {result['built']} sections built, "
            f"{result['reused']} reused"
        )
    return f"Failed {_when(job['finished'])}: {job['error']}"


def _rows() -> list[dict]:
    cat = catalogue()
    rows = []
    for doc in status.all_documents(current_app):
        entry = cat.entry(doc["slug"])
        state = doc["state"]
        if state == "ready" and not doc["published"]["current"]:
            state = "stale"
        if state == "failed" and not doc["published"]:
            state = "missing"
        if entry is None and state == "missing":
            state = "unreadable"
        published = doc["published"]
        rows.append(
            {
                "slug": doc["slug"],
                "title": entry.document.title if entry else doc["title"],
                "lang": entry.document.lang if entry else doc["lang"],
                "status": state,
                "status_words": STATUS_WORDS[state],
                "sections": str(published["sections"]) if published else "Unknown",
                "listening": (
                    listening_words(published["duration"]) if published else "Unknown"
                ).capitalize(),
                "last": _last_result(doc["last_build"]),
            }
        )
    return sorted(rows, key=lambda row: row["title"].casefold())


def _message(code: int, text: str):
    return render_template("admin_message.html", message=text, code=code), code


@bp.get("")
def index():
    """List every document with its audio status and a button to rebuild it."""
    started = None
    names = request.args.getlist("started")
    if names:
        started = f"Rebuilding audio for {', '.join(names)}. It runs in the background: "
        started += "use Check again to see when it is ready."
    return render_template("admin.html", rows=_rows(), started=started)


@bp.post("/build")
def build():
    """Queue a build of one document, or all, and go back to the admin page."""
    slugs = catalogue().slugs()
    if request.form.get("all"):
        wanted = slugs
    else:
        slug = request.form.get("slug", "")
        if slug not in slugs:
            return _message(400, f"There is no document called “{slug}” in the content folder.")
        wanted = [slug]
    if not wanted:
        return _message(400, "There are no documents in the content folder.")
    queue = queue_for(current_app)
    build_dir = current_app.config["BUILD_DIR"]
    busy = [s for s in wanted if queue.queued(s) or build_running(build_dir, s)]
    if busy:
        return _message(
            409,
            f"Not started: audio is already being built for: {', '.join(busy)}. "
            "Wait for that build to finish.",
        )
    titles = {}
    for slug in wanted:
        queue.submit(BUILD, slug)
        entry = catalogue().entry(slug)
        titles[slug] = entry.document.title if entry else slug
    return redirect(url_for("admin.index", started=list(titles.values())), code=303)
