"""The admin pages: sign-in, the dashboard, add/replace with a preview, and pronunciation.

People, API tokens and the audit log have their own pages, for admins (reader/admin/staff.py).
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response

from reader import names
from reader.admin import audit, auth, lexicon_store, status, store
from reader.admin.people import MAX_PASSWORD_LENGTH
from reader.admin.queue import BUILD, CLIP, PREVIEW, State, queue_for
from reader.content import MAX_SOURCE_BYTES

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

STATE_WORDS = {
    "ready": "Ready",
    "stale": "Out of date: the text changed since the audio was built",
    "missing": "Not built",
    "queued": "Queued for building",
    "building": "Being built",
    "failed": "The last build failed",
}
OPEN_ENDPOINTS = frozenset({"admin.sign_in", "admin.sign_in_form"})


@bp.before_request
def require_sign_in():
    """Refuse cross-site posts, and send anyone not signed in to the sign-in form."""
    if request.method == "POST" and not auth.same_origin(request):
        return message(403, "This form can only be sent from the admin pages of this site.")
    person = auth.current()
    if person is not None:
        audit.set_actor(person.name, "session")
        return None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if request.method == "GET":
        return redirect(url_for("admin.sign_in_form", next=request.full_path.rstrip("?")), 303)
    return message(401, "Sign in first: your session has ended.")


@bp.after_request
def private(response: Response) -> Response:
    """Keep admin responses out of caches and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def message(code: int, text: str, title: str = "Cannot do that"):
    """Render a short page that says what went wrong and where to go next."""
    return render_template("admin_message.html", message=text, title=title), code


def _when(seconds: float | None) -> str:
    return time.strftime("%d %b %Y %H:%M UTC", time.gmtime(seconds)) if seconds else ""


# ---------------------------------------------------------------- sign in and out


@bp.get("/sign-in")
def sign_in_form():
    """Show the sign-in form."""
    return render_template("admin_sign_in.html", error=None, next=_next_url(), user="")


def _next_url() -> str:
    wanted = request.values.get("next", "")
    # Only a path of the admin pages: never an open redirect to another site.
    ok = wanted.startswith("/admin") and "//" not in wanted and "\\" not in wanted
    return wanted if ok else url_for("admin.index")


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


@bp.post("/sign-in")
def sign_in():
    """Check the user name and password; start a new session or say they are wrong."""
    user = request.form.get("user", "").strip().lower()
    password = request.form.get("password", "")
    people = current_app.extensions["reader.admin.people"]
    person = None
    if len(user) <= 64 and len(password) <= MAX_PASSWORD_LENGTH:
        person = people.authenticate(user, password)
    if person is None:
        # Logged under the account tried only when it exists: a typed password or a
        # made-up name is never written down.
        tried = user if len(user) <= 64 and people.get(user) is not None else "(unknown)"
        audit.record("sign in", tried, "refused: wrong user name or password", who="")
        error = "The user name or password is not right. Check them and try again."
        page = render_template("admin_sign_in.html", error=error, next=_next_url(), user=user)
        return page, 401
    auth.sign_in(person)
    audit.set_actor(person.name, "session")
    audit.record("sign in", person.name, "ok")
    return redirect(_next_url(), 303)


@bp.post("/sign-out")
def sign_out():
    """End the session on the server and go back to the sign-in form."""
    audit.record("sign out", auth.current().name, "ok")
    auth.sign_out()
    return redirect(url_for("admin.sign_in_form", signed_out=1), 303)


# ---------------------------------------------------------------- the dashboard


def _row(doc: dict) -> dict:
    state = doc["state"]
    published = doc["published"]
    if state == "ready" and not published["current"]:
        state = "stale"
    if state == "failed" and not published:
        state = "missing" if doc["last_build"] is None else "failed"
    words = STATE_WORDS[state]
    if state == "building" and doc["progress"] and doc["progress"]["total"]:
        words += f": {doc['progress']['done']} of {doc['progress']['total']} sections"
    last = doc["last_build"]
    return {
        **doc,
        "state": state,
        "state_words": words,
        "duration": _duration(published["duration"]) if published and published["audio"] else "",
        "sections": published["sections"] if published else "",
        "last": _last_words(last),
    }


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{rest} seconds"
    return f"{minutes} minute{'s' * (minutes != 1)} {rest} second{'s' * (rest != 1)}"


def _last_words(job: dict | None) -> str:
    if job is None:
        return "None yet"
    if job["state"] == "queued":
        return f"Queued {_when(job['created'])}"
    if job["state"] == "building":
        return f"Started {_when(job['started'])}"
    if job["state"] == "ready":
        result = job["result"] or {}
        if job["kind"] == "retire":
            return f"Unpublished {_when(job['finished'])}"
        return (
            f"Succeeded {_when(job['finished'])}: {result.get('built', 0)} sections built, "
            f"{result.get('reused', 0)} reused"
        )
    return f"{job['state'].capitalize()} {_when(job['finished'] or job['started'])}: {job['error']}"


def _live_summary(rows: list[dict]) -> str:
    """Say what is going on in one sentence, for the polite live region."""
    building = [r["title"] for r in rows if r["state"] == "building"]
    queued = [r["title"] for r in rows if r["state"] == "queued"]
    parts = []
    if building:
        parts.append("Being built: " + ", ".join(building) + ".")
    if queued:
        parts.append("Queued: " + ", ".join(queued) + ".")
    return " ".join(parts) or "No builds are running."


@bp.get("")
def index():
    """Show every document with its state, findings and last build, and the latest actions."""
    rows = [_row(d) for d in status.all_documents(current_app)]
    notice = request.args.get("notice", "")[:300]
    entries = audit.latest(audit.log_path(current_app.instance_path), 15)
    for entry in entries:
        entry["target"] = entry.get("target", "")
    return render_template(
        "admin.html",
        rows=rows,
        live=_live_summary(rows),
        notice=notice,
        audit=entries,
        user=auth.current().name,
    )


@bp.get("/status.json")
def status_json():
    """Return each document's state for the page's optional live updates."""
    rows = [_row(d) for d in status.all_documents(current_app)]
    return jsonify(
        live=_live_summary(rows),
        documents=[{"slug": r["slug"], "state_words": r["state_words"]} for r in rows],
    )


@bp.post("/build")
def build():
    """Queue a build of one document, or all; refuse one already queued or running (409)."""
    known = status.slugs(current_app.config["CONTENT_DIR"], current_app.config["BUILD_DIR"])
    wanted = known if request.form.get("all") else [request.form.get("slug", "")]
    if not wanted or any(s not in known for s in wanted):
        name = wanted[0] if wanted else ""
        return message(400, f"There is no document called “{name}”.")
    queue = queue_for(current_app)
    busy = [s for s in wanted if queue.queued(s) or queue.building(s)]
    if busy:
        audit.record("rebuild", ", ".join(busy), "refused: already being built", documents=busy)
        return message(
            409,
            f"Not started: audio is already being built for {', '.join(busy)}. "
            "Wait for that build to finish.",
        )
    for slug in wanted:
        job = queue.submit(BUILD, slug)
        audit.record("rebuild", slug, "queued", document=slug, outcome="queued", job=job.id)
    return redirect(url_for("admin.index", notice="Queued: " + ", ".join(wanted)), 303)


# ---------------------------------------------------------------- add or replace


def _drafts() -> Path:
    return Path(current_app.instance_path) / "drafts"


@bp.get("/documents/new")
def new_document():
    """Show the form to add or replace a document by upload or paste."""
    return render_template("admin_new.html", error=None, slug=request.args.get("slug", ""))


@bp.post("/documents/new")
def upload_document():
    """Keep the upload as a draft and queue its preview."""
    slug = names.normalise(request.form.get("slug", "").strip())
    upload = request.files.get("file")
    data = upload.read(MAX_SOURCE_BYTES + 1) if upload and upload.filename else b""
    if not data:
        data = request.form.get("html", "").encode("utf-8")
    error = None
    if problem := names.problem(slug):
        error = f"Give the document another name: {problem}. {names.RULE}"
    elif not data.strip():
        error = "Choose an HTML file or paste the page's HTML."
    elif len(data) > MAX_SOURCE_BYTES:
        error = "The document is larger than 2 MB."
    if error:
        return render_template("admin_new.html", error=error, slug=slug), 400
    name = secrets.token_hex(8)
    draft = _drafts() / f"{name}.html"
    store.atomic_write_new(draft, data)
    job = queue_for(current_app).submit(PREVIEW, slug, {"draft": str(draft)})
    audit.record("preview", slug, f"queued job {job.id}", document=slug)
    return redirect(url_for("admin.preview", job_id=job.id), 303)


def _preview_job(job_id: str):
    job = queue_for(current_app).job(job_id)
    if job is None or job.kind != PREVIEW:
        abort(404)
    return job


@bp.get("/documents/preview/<job_id>")
def preview(job_id: str):
    """Show the draft as it will be published and read aloud, then Publish or Cancel."""
    job = _preview_job(job_id)
    exists = store.read_source(current_app.config["CONTENT_DIR"], job.slug) is not None
    draft_kept = Path(job.args["draft"]).is_file()
    return render_template(
        "admin_preview.html",
        job=job,
        result=queue_for(current_app).result(job),
        replaces=exists,
        draft_kept=draft_kept,
    )


@bp.get("/documents/preview/<job_id>/page")
def preview_page(job_id: str):
    """Show the draft's page exactly as the site will (its sanitised HTML)."""
    job = _preview_job(job_id)
    if job.state != State.READY:
        abort(404)
    result = queue_for(current_app).result(job)
    return render_template("admin_preview_page.html", job=job, result=result)


@bp.post("/documents/preview/<job_id>/publish")
def publish(job_id: str):
    """Store the draft as the document's source and queue its build."""
    job = _preview_job(job_id)
    draft = Path(job.args["draft"])
    if job.state != State.READY or not draft.is_file():
        return message(409, "This preview can no longer be published: upload the page again.")
    config = current_app.config
    store.store_source(config["CONTENT_DIR"], job.slug, draft.read_bytes())
    draft.unlink(missing_ok=True)
    build_job = queue_for(current_app).submit(BUILD, job.slug)
    audit.record(
        "publish",
        job.slug,
        f"queued job {build_job.id}",
        document=job.slug,
        outcome="queued",
        job=build_job.id,
    )
    return redirect(url_for("admin.index", notice=f"Publishing {job.slug}"), 303)


@bp.post("/documents/preview/<job_id>/cancel")
def cancel(job_id: str):
    """Throw the draft away; nothing published changes."""
    job = _preview_job(job_id)
    Path(job.args["draft"]).unlink(missing_ok=True)
    audit.record("cancel", job.slug, "draft discarded", document=job.slug)
    return redirect(url_for("admin.index", notice=f"Cancelled: {job.slug} is unchanged"), 303)


# ---------------------------------------------------------------- pronunciation


def _lexicon_path() -> Path:
    return Path(current_app.config["CONTENT_DIR"]) / "lexicon.tsv"


@bp.get("/pronunciation")
def pronunciation():
    """List, search and edit the lexicon; play a "Hear it" clip when one was asked for."""
    query = request.args.get("q", "").strip()[:100]
    try:
        entries = lexicon_store.load(_lexicon_path())
        problem = None
    except lexicon_store.LexiconProblem as error:
        entries, problem = [], str(error)
    shown = [e for e in entries if lexicon_store.matches(e, query)]
    editing = None
    if "edit" in request.args:
        editing = next((e for e in entries if lexicon_store.key(e) == request.args["edit"]), None)
    clip = None
    if request.args.get("clip"):
        clip = queue_for(current_app).job(request.args["clip"])
        if clip is not None and clip.kind != CLIP:
            clip = None
    return render_template(
        "admin_lexicon.html",
        entries=shown,
        total=len(entries),
        query=query,
        editing=editing,
        problem=problem,
        clip=clip,
        clip_result=queue_for(current_app).result(clip) if clip is not None else None,
        notice=request.args.get("notice", "")[:300],
        key=lexicon_store.key,
    )


@bp.post("/pronunciation")
def save_entry():
    """Add or change an entry, then rebuild the documents that use the word."""
    form = request.form
    try:
        entry, affected = lexicon_store.save(
            _lexicon_path(),
            form.get("written", ""),
            form.get("spoken", ""),
            form.get("lang", ""),
            form.get("why", ""),
            replacing=form.get("replacing", ""),
            content_dir=Path(current_app.config["CONTENT_DIR"]),
        )
    except lexicon_store.LexiconProblem as error:
        audit.record("pronunciation", form.get("written", "")[:60], f"refused: {error}")
        return message(400, str(error), "Cannot save that entry")
    notice = f"Saved “{entry}”. Rebuilding {len(affected)} document(s) that use it."
    return _rebuild_after_lexicon_change(entry, "saved", affected, notice)


@bp.post("/pronunciation/remove")
def remove_entry():
    """Remove an entry, then rebuild the documents that used the word."""
    try:
        written, affected = lexicon_store.remove(
            _lexicon_path(), request.form.get("key", ""), Path(current_app.config["CONTENT_DIR"])
        )
    except lexicon_store.LexiconProblem as error:
        return message(400, str(error), "Cannot remove that entry")
    notice = f"Removed “{written}”. Rebuilding {len(affected)} document(s) that used it."
    return _rebuild_after_lexicon_change(written, "removed", affected, notice)


def _rebuild_after_lexicon_change(word: str, action: str, affected, notice: str):
    # Only the documents that use the word are queued; their unchanged sections are reused.
    queue = queue_for(current_app)
    jobs = [queue.submit(BUILD, slug).id for slug in affected]
    result = f"{action}; rebuilding {len(affected)}"
    audit.record("pronunciation", word, result, documents=list(affected), jobs=jobs)
    return redirect(url_for("admin.pronunciation", notice=notice), 303)


@bp.post("/pronunciation/hear")
def hear():
    """Queue a short clip of the word said in a sample sentence, as the entry says it."""
    written = request.form.get("written", "").strip()
    spoken = request.form.get("spoken", "").strip()
    if not written or not spoken or len(written) > 100 or len(spoken) > 200:
        return message(400, "Give the word and how to say it (up to 100 and 200 characters).")
    args = {"written": written, "spoken": spoken, "lang": request.form.get("lang", "")[:20]}
    job = queue_for(current_app).submit(CLIP, "lexicon", args)
    audit.record("hear it", written, f"queued job {job.id}")
    return redirect(url_for("admin.pronunciation", clip=job.id, q=request.form.get("q", "")), 303)


@bp.get("/pronunciation/clips/<job_id>.mp3")
def clip_audio(job_id: str):
    """Send a "Hear it" clip."""
    queue = queue_for(current_app)
    job = queue.job(job_id)
    if job is None or job.kind != CLIP or job.state != State.READY:
        abort(404)
    path = Path(current_app.instance_path) / "clips" / queue.result(job)["clip"]
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="audio/mpeg", conditional=True)
