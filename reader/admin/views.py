"""The admin pages: sign-in, the dashboard, add/replace with a preview, and pronunciation.

People, API tokens and the audit log have their own pages, for admins (reader/admin/staff.py).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response

from reader import names
from reader.admin import audit, auth, changes, dashboard, lexicon_store, removal, status, store
from reader.admin.people import MAX_PASSWORD_LENGTH, normalise_name
from reader.admin.queue import BUILD, CLIP, PREVIEW, State, queue_for
from reader.content import MAX_SOURCE_BYTES

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

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
    user = normalise_name(request.form.get("user", ""))
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


AUDIT_READ = 5000
"""Newest audit entries read for refused versions: enough for a day's sending, bounded."""


def _rows() -> list[dict]:
    """Describe every document's row: those published or sent, then those unpublished."""
    found = status.all_documents(current_app) + status.unpublished_documents(current_app)
    log = audit.log_path(current_app.instance_path)
    refused = dashboard.refusals(audit.latest(log, AUDIT_READ))
    return [dashboard.describe(doc, refused.get(doc["slug"])) for doc in found]


@bp.get("")
def index():
    """Show the documents, searched, sorted and a page at a time, and the latest actions."""
    rows = _rows()
    try:
        shown = dashboard.listing(rows, request.args)
    except dashboard.BadListing as problem:
        return message(400, str(problem), "Cannot show the documents that way")
    notice = request.args.get("notice", "")[:300]
    entries = audit.latest(audit.log_path(current_app.instance_path), 15)
    for entry in entries:
        entry["target"] = entry.get("target", "")
    return render_template(
        "admin.html",
        listing=shown,
        sorts=dashboard.SORTS,
        live=dashboard.live_summary(rows),
        notice=notice,
        audit=entries,
        user=auth.current().name,
    )


MAX_WATCHED = 2 * dashboard.PAGE_SIZE
"""Documents whose rows one live update sends: a page's, with room to spare."""


@bp.get("/status.json")
def status_json():
    """Return what is going on, and the rows of the documents asked for, for live updates.

    Each row is the same HTML the page was rendered with, so every column stays current.
    """
    rows = _rows()
    wanted = request.args.getlist("document")[:MAX_WATCHED]
    fields = get_template_attribute("_admin_macros.html", "row_fields")
    return jsonify(
        live=dashboard.live_summary(rows),
        busy=any(r["busy"] for r in rows),
        documents=[
            {"slug": r["slug"], "state_words": r["state_words"], "html": str(fields(r))}
            for r in rows
            if not wanted or r["slug"] in wanted
        ],
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


# ---------------------------------------------------------------- unpublish and delete

REMOVALS = {
    "unpublish": (
        "Unpublish",
        "Its page will answer “410 Gone” and its audio will be deleted after 24 hours, "
        "for anyone still listening. It stays in this list as unpublished, so you can "
        "publish it again.",
    ),
    "delete": (
        "Delete",
        "Its page will answer “410 Gone” and it leaves this list. Its last source is kept "
        "on the server in content/.unpublished/, and sending the page again publishes it "
        "again.",
    ),
}
"""Each way of taking a document off the site: its button, and what it does."""


def _removal_row(slug: str) -> dict:
    """Return the dashboard row of a document that can be unpublished or deleted, else 404."""
    row = next((r for r in _rows() if r["slug"] == slug), None)
    if row is None:
        abort(404)
    return row


@bp.get("/documents/<slug:slug>/<any(unpublish, delete):action>")
def confirm_removal(slug: str, action: str):
    """Ask for a confirmation before a document is unpublished or deleted."""
    row = _removal_row(slug)
    if action == "unpublish" and row["unpublished"]:
        return message(409, f"“{row['title']}” is already unpublished.", "Already unpublished")
    button, effect = REMOVALS[action]
    return render_template(
        "admin_confirm.html", row=row, action=action, button=button, effect=effect
    )


@bp.post("/documents/<slug:slug>/<any(unpublish, delete):action>")
def remove(slug: str, action: str):
    """Unpublish or delete a document, as confirmed, under the signed-in person's name."""
    row = _removal_row(slug)
    try:
        if action == "unpublish":
            done = removal.unpublish(current_app, slug) is not None
        else:
            done = removal.delete(current_app, slug)
    except store.Busy:
        return message(
            409,
            f"“{row['title']}” is being built right now. Try again when the build has finished.",
        )
    if not done:
        return message(409, f"“{row['title']}” is already unpublished.", "Already unpublished")
    past = {"unpublish": "Unpublished", "delete": "Deleted"}[action]
    return redirect(url_for("admin.index", notice=f"{past}: {row['title']} ({slug})"), 303)


@bp.post("/documents/<slug:slug>/publish-again")
def publish_again(slug: str):
    """Put an unpublished document's kept source back and queue its build."""
    job = removal.publish_again(current_app, slug)
    if job is None:
        return message(409, f"There is no unpublished document called “{slug}” to publish.")
    return redirect(url_for("admin.index", notice=f"Publishing again: {slug}"), 303)


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
    queue = queue_for(current_app)
    result = queue.result(job)
    changed, changed_numbers = None, []
    if result is not None:
        published = changes.published_sentences(current_app.config["BUILD_DIR"], job.slug)
        changed = changes.mark(result["sections"], published)
        changed_numbers = [
            s["number"] for part in result["sections"] for s in part["sentences"] if s["change"]
        ]
    clip = _clip_job(request.args.get("clip", ""))
    if clip is not None and (clip.args or {}).get("preview") != job.id:
        clip = None
    return render_template(
        "admin_preview.html",
        job=job,
        result=result,
        changes=changed,
        changed_numbers=changed_numbers,
        replaces=exists,
        draft_kept=draft_kept,
        clip=clip,
        clip_result=queue.result(clip) if clip is not None else None,
        # "Check again" counts, so that its address differs from this one: a link to this
        # very address and sentence would only scroll, never load the page again.
        check=_count(request.args.get("check", "")),
    )


def _count(text: str, longest: int = 12) -> int:
    """Return a count of ASCII digits as a number; 0 for anything else."""
    return int(text) if len(text) <= longest and text.isascii() and text.isdecimal() else 0


def _clip_job(job_id: str):
    """Return the "Hear it" clip job of that id, or None."""
    clip = queue_for(current_app).job(job_id) if job_id else None
    return clip if clip is not None and clip.kind == CLIP else None


MAX_HEARD_CHARACTERS = 2000
"""The longest sentence "Hear it" says from a preview; a longer one is a page's problem."""


@bp.post("/documents/preview/<job_id>/hear")
def hear_sentence(job_id: str):
    """Queue a clip of one of the preview's sentences, in the draft's voice, as a build says it."""
    job = _preview_job(job_id)
    result = queue_for(current_app).result(job) if job.state == State.READY else None
    if result is None:
        return message(409, "This preview is not ready: check again in a moment.")
    sentences = [s for section in result["sections"] for s in section["sentences"]]
    number = _count(request.form.get("sentence", ""))
    if not 1 <= number <= len(sentences):
        return message(400, f"Choose a sentence of the preview, from 1 to {len(sentences)}.")
    sentence = sentences[number - 1]
    if len(sentence["spoken"]) > MAX_HEARD_CHARACTERS:
        return message(400, "That sentence is too long to hear on its own.")
    args = {
        "written": sentence["text"],
        "spoken": sentence["spoken"],
        "lang": sentence.get("lang") or result["lang"],
        "sentence": number,
        "preview": job.id,
        "document": job.slug,
        "voice": result.get("voice") or "",
    }
    clip = queue_for(current_app).submit(CLIP, job.slug, args)
    audit.record("hear it", job.slug, f"sentence {number}: queued job {clip.id}")
    target = url_for("admin.preview", job_id=job.id, clip=clip.id, _anchor=f"sentence-{number}")
    return redirect(target, 303)


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


FORM_FIELDS = ("written", "spoken", "lang", "why")
"""The fields of the lexicon's entry form, kept filled in across "Hear it" and refusals."""


def _lexicon_page(form: dict | None = None, editing=None, clip=None, error: str = ""):
    """Render the lexicon page: the entries, the form filled in with `form`, and any clip."""
    query = request.values.get("q", "").strip()[:100]
    try:
        entries = lexicon_store.load(_lexicon_path())
        problem = None
    except lexicon_store.LexiconProblem as failure:
        entries, problem = [], str(failure)
    if editing is None and "edit" in request.args:
        editing = next((e for e in entries if lexicon_store.key(e) == request.args["edit"]), None)
    if form is None and clip is not None and not clip.args.get("sentence"):
        # What was tried, as it was typed: "Hear it" keeps the form as it was.
        form = clip.args
        if editing is None and clip.args.get("replacing"):
            key = clip.args["replacing"]
            editing = next((e for e in entries if lexicon_store.key(e) == key), None)
    if form is None and editing is not None:
        form = {name: getattr(editing, name) for name in FORM_FIELDS}
    return render_template(
        "admin_lexicon.html",
        entries=[e for e in entries if lexicon_store.matches(e, query)],
        total=len(entries),
        query=query,
        editing=editing,
        form={name: (form or {}).get(name, "") for name in FORM_FIELDS},
        problem=problem,
        error=error,
        clip=clip,
        clip_result=queue_for(current_app).result(clip) if clip is not None else None,
        notice=request.args.get("notice", "")[:300],
        key=lexicon_store.key,
    )


@bp.get("/pronunciation")
def pronunciation():
    """List, search and edit the lexicon; play a "Hear it" clip when one was asked for."""
    return _lexicon_page(clip=_clip_job(request.args.get("clip", "")))


@bp.post("/pronunciation")
def save_entry():
    """Add or change an entry, then rebuild the documents that use the word.

    A new entry for a word already there opens that entry for editing, with what was typed.
    """
    form = request.form
    typed = {name: form.get(name, "")[:300] for name in FORM_FIELDS}
    try:
        entry, affected = lexicon_store.save(
            _lexicon_path(),
            typed["written"],
            typed["spoken"],
            typed["lang"],
            typed["why"],
            replacing=form.get("replacing", ""),
            content_dir=Path(current_app.config["CONTENT_DIR"]),
        )
    except lexicon_store.AlreadyThere as clash:
        audit.record("pronunciation", typed["written"][:60], "refused: already there; editing")
        there = clash.entry
        error = (
            f"“{there.written}” is already in the lexicon, said “{there.spoken}”. "
            "It is open below with what you typed: save to change it."
        )
        return _lexicon_page(form=typed, editing=there, error=error)
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
    args = {
        "written": written,
        "spoken": spoken,
        "lang": request.form.get("lang", "")[:20],
        # Kept only to fill the form in again beside the clip.
        "why": request.form.get("why", "")[:300],
        "replacing": request.form.get("replacing", "")[:200],
    }
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
