"""The admin page: document audio status, and buttons that start `reader build` as a job."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from reader.admin import auth, jobs
from reader.manifest import manifest_path
from reader.web.views import catalogue, estimated_seconds, listening_words

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

STATUS_WORDS = {
    "ready": "Ready",
    "stale": "Out of date: the text changed since the audio was built",
    "missing": "Not built",
    "building": "Being built",
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


def _folder():
    return jobs.jobs_dir(current_app.instance_path)


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def _last_result(job: jobs.Job | None) -> str:
    if job is None:
        return "No build started from this page yet"
    if job.state == "running":
        return f"Started {_when(job.started)}"
    if job.state == "interrupted":
        return f"Stopped before it finished (started {_when(job.started)})"
    result = job.result
    if job.state == "succeeded":
        return f"Succeeded {_when(result['finished'])}: {result['summary']}"
    detail = "; ".join(result["errors"]) or result["summary"] or "see the job log"
    return f"Failed {_when(result['finished'])}: {detail} (log: {job.log})"


def _rows(latest: dict[str, jobs.Job]) -> list[dict]:
    cat = catalogue()
    wpm = current_app.config["WORDS_PER_MINUTE"]
    rows = []
    for slug in cat.slugs():
        entry = cat.entry(slug)
        job = latest.get(slug)
        if job is not None and job.running:
            status = "building"
        elif entry is None:
            status = "unreadable"
        elif entry.audio is not None:
            status = "ready"
        elif manifest_path(cat.build_dir, slug).is_file():
            status = "stale"
        else:
            status = "missing"
        if entry is None:
            listening = sections = "Unknown"
        elif entry.audio is not None:
            listening = listening_words(entry.audio.total)
            sections = str(len(entry.document.sections))
        else:
            listening = "about " + listening_words(estimated_seconds(entry.document, wpm))
            sections = str(len(entry.document.sections))
        rows.append(
            {
                "slug": slug,
                "title": entry.document.title if entry else slug,
                "lang": entry.document.lang if entry else "en",
                "status": status,
                "status_words": STATUS_WORDS[status],
                "sections": sections,
                "listening": listening[0].upper() + listening[1:],
                "last": _last_result(job),
            }
        )
    return sorted(rows, key=lambda row: row["title"].casefold())


def _message(code: int, text: str):
    return render_template("admin_message.html", message=text, code=code), code


@bp.get("")
def index():
    """List every document with its audio status and a button to rebuild it."""
    folder = _folder()
    latest = jobs.latest_by_slug(folder)
    started = None
    job_id = request.args.get("started", "")
    if job_id:
        job = jobs.load(folder, job_id)
        titles = {row["slug"]: row["title"] for row in _rows({})}
        if job is not None:
            names = ", ".join(titles.get(s, s) for s in job.slugs)
            started = f"Rebuilding audio for {names}. It runs in the background: "
            started += "use Check again to see when it is ready."
    return render_template("admin.html", rows=_rows(latest), started=started)


@bp.post("/build")
def build():
    """Start `reader build` for one document, or all, and go back to the admin page."""
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
    config = current_app.config
    try:
        job = jobs.start(
            _folder(), wanted, config["CONTENT_DIR"], config["BUILD_DIR"], config["BUILD_ENGINE"]
        )
    except jobs.JobConflict as error:
        return _message(409, f"Not started: {error}. Wait for that build to finish.")
    return redirect(url_for("admin.index", started=job.id), code=303)
