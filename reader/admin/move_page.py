"""The admin's move: a form that gives a document a new name, keeping its audio.

Its routes join the admin blueprint (imported before the blueprint is registered), so they
share its sign-in and same-origin checks.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from reader import names
from reader.admin import audit
from reader.admin.move import MoveRefused, exists, move
from reader.admin.queue import queue_for
from reader.admin.views import bp, message


def _form(document: str, to: str, error: str | None = None, code: int = 200):
    page = render_template("admin_move.html", document=document, to=to, error=error)
    return page, code


def _known(document: str) -> bool:
    config = current_app.config
    return names.is_valid(document) and exists(config["CONTENT_DIR"], config["BUILD_DIR"], document)


@bp.get("/documents/move")
def move_form():
    """Show the form that moves one document to a new name."""
    document = names.normalise(request.args.get("document", ""))
    if not _known(document):
        return message(404, f"There is no document called “{document}”.")
    return _form(document, document)


@bp.post("/documents/move")
def move_document():
    """Move a document to the name the form gives; say why not, keeping what was typed."""
    document = names.normalise(request.form.get("document", ""))
    to = names.normalise(request.form.get("to", "").strip())
    if not _known(document):
        return message(404, f"There is no document called “{document}”.")
    problem = names.problem(to)
    if problem:
        return _form(document, to, f"Choose another new name: {problem}. {names.RULE}", 400)
    config = current_app.config
    try:
        move(
            queue_for(current_app),
            config["CONTENT_DIR"],
            config["BUILD_DIR"],
            current_app.instance_path,
            document,
            to,
        )
    except MoveRefused as refusal:
        return _form(document, to, f"Not moved: {refusal}.", refusal.status)
    audit.record(
        "move",
        document,
        f"moved to {to}",
        document=document,
        documents=[document, to],
        outcome="moved",
    )
    notice = f"Moved {document} to {to}: its audio is kept, and its old address sends visitors on."
    return redirect(url_for("admin.index", notice=notice), 303)
