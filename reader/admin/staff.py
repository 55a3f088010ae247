"""The admins' pages: people and their roles, API tokens, and the audit log."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from reader.admin import audit, auth, views
from reader.admin.people import ROLES, People, PeopleError
from reader.admin.tokens import TokenError, Tokens

bp = Blueprint("staff", __name__, url_prefix="/admin", template_folder="templates")
bp.before_request(views.require_sign_in)
bp.after_request(views.private)
AUDIT_SHOWN = 200
"""Entries the audit page shows at most, newest first."""


@bp.before_request
def admins_only():
    """Let only admins in: an editor gets 403 with a clear message."""
    person = auth.current()
    if person is not None and not person.is_admin:
        audit.record("refused", request.path, "refused: admins only")
        return views.message(
            403, "Only an admin can manage people, API tokens and the audit log.", "Admins only"
        )
    return None


def _people() -> People:
    return current_app.extensions["reader.admin.people"]


def _tokens() -> Tokens:
    return current_app.extensions["reader.admin.tokens"]


def _when(seconds: float | None) -> str:
    return time.strftime("%d %b %Y %H:%M UTC", time.gmtime(seconds)) if seconds else ""


# ---------------------------------------------------------------- people


def _people_page(code: int = 200, error: str | None = None, form: dict | None = None):
    people = _people().list()
    page = render_template(
        "admin_people.html",
        people=people,
        roles=ROLES,
        when=_when,
        error=error,
        form=form or {},
        notice=request.args.get("notice", "")[:300],
        me=auth.current().name,
    )
    return page, code


@bp.get("/people")
def people():
    """List everyone with their role, and the forms to add, change and remove people."""
    return _people_page()


def _passwords() -> str:
    password = request.form.get("password", "")
    if password != request.form.get("again", ""):
        raise PeopleError("the two passwords are not the same")
    return password


def _done(action: str, target: str, notice: str):
    audit.record(action, target, "ok", person=target)
    return redirect(url_for("staff.people", notice=notice), 303)


def _refused(action: str, target: str, error: PeopleError):
    audit.record(action, target[:64], f"refused: {error}", person=target[:64])
    return _people_page(400, f"Not done: {error}.", dict(request.form))


@bp.post("/people")
def add_person():
    """Add a person with a role and a first password."""
    name = request.form.get("name", "").strip()
    try:
        _people().add(name, request.form.get("role", ""), _passwords())
    except PeopleError as error:
        return _refused("add person", name, error)
    return _done("add person", name, f"Added {name} as {request.form['role']}.")


@bp.post("/people/<name>/role")
def change_role(name: str):
    """Make a person an editor or an admin."""
    role = request.form.get("role", "")
    try:
        _people().set_role(name, role)
    except PeopleError as error:
        return _refused("change role", name, error)
    return _done("change role", name, f"{name} is now {role}.")


@bp.post("/people/<name>/password")
def reset_password(name: str):
    """Give a person a new password; every session of theirs ends."""
    try:
        _people().set_password(name, _passwords())
    except PeopleError as error:
        return _refused("reset password", name, error)
    return _done("reset password", name, f"New password set for {name}; their sessions ended.")


@bp.post("/people/<name>/remove")
def remove_person(name: str):
    """Remove a person: their sessions end and their API tokens are revoked."""
    try:
        _people().remove(name)
    except PeopleError as error:
        return _refused("remove person", name, error)
    revoked = _tokens().revoke_owned_by(name)
    for token in revoked:
        audit.record("revoke token", token, f"revoked: {name} was removed", person=name)
    notice = f"Removed {name}; their sessions ended"
    notice += f" and {len(revoked)} API token(s) were revoked." if revoked else "."
    return _done("remove person", name, notice)


# ---------------------------------------------------------------- API tokens


def _tokens_page(code: int = 200, error: str | None = None, made: tuple | None = None):
    page = render_template(
        "admin_tokens.html",
        tokens=_tokens().list(),
        people=[p.name for p in _people().list()],
        when=_when,
        error=error,
        made=made,
        notice=request.args.get("notice", "")[:300],
    )
    return page, code


@bp.get("/tokens")
def tokens():
    """List the API tokens with their owners, and the forms to make and revoke them."""
    return _tokens_page()


@bp.post("/tokens")
def create_token():
    """Make a token for a person or an integration, and show it once."""
    name = request.form.get("name", "").strip()
    owner = request.form.get("owner", "") or None
    try:
        if owner is not None and _people().get(owner) is None:
            raise TokenError(f"there is nobody called {owner!r}")
        value = _tokens().create(name, owner)
    except TokenError as error:
        audit.record("create token", name[:64], f"refused: {error}")
        return _tokens_page(400, f"Not made: {error}.")
    audit.record("create token", name, f"ok, owner {owner or '(an integration)'}", person=owner)
    return _tokens_page(200, made=(name, value))


@bp.post("/tokens/<name>/revoke")
def revoke_token(name: str):
    """Revoke a token: it gets 401 from now on."""
    try:
        _tokens().revoke(name)
    except TokenError as error:
        audit.record("revoke token", name[:64], f"refused: {error}")
        return _tokens_page(400, f"Not revoked: {error}.")
    audit.record("revoke token", name, "ok")
    return redirect(url_for("staff.tokens", notice=f"Revoked {name}."), 303)


# ---------------------------------------------------------------- the audit log


@bp.get("/audit")
def audit_log():
    """Show the audit log, newest first, filtered by document and by person."""
    path = audit.log_path(current_app.instance_path)
    document = request.args.get("document", "")[:100]
    person = request.args.get("person", "")[:100]
    everyone, documents = audit.people_and_documents(path)
    entries = audit.search(path, document, person, AUDIT_SHOWN)
    return render_template(
        "admin_audit.html",
        entries=entries,
        document=document,
        person=person,
        everyone=everyone,
        documents=documents,
        shown=AUDIT_SHOWN,
    )
