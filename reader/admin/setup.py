"""Add the staff side to an app: the content API always, the admin pages when anyone can sign in.

Its own module, not the package's __init__: `reader worker`, the validator child and `reader
user` import reader.admin.* before (or without) Flask, and so load none of this.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from reader.admin import api, auth, limits, staff
from reader.admin import listening as listening_admin
from reader.admin import move_page as _move_page  # noqa: F401  adds the move to the admin
from reader.admin import views as admin_views
from reader.admin.people import People
from reader.admin.tokens import Tokens
from reader.errors import ReaderError
from reader.files import folder_error


def init_app(app) -> None:
    """Add the content API (always) and the admin pages (when anyone can sign in) to `app`."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    app.extensions["reader.admin.tokens"] = Tokens(app.instance_path)
    limiter = limits.init_app(app)
    limits.limit_bad_tokens(limiter, api.bp, api._bad_token, api.has_valid_token)
    app.register_blueprint(api.bp)

    codes = (400, 401, 404, 405, 409, 413, 415, 429, 500)
    # The service's own handlers (HTML pages), kept for every path outside the API.
    previous = {code: list(app.error_handler_spec[None].get(code, {}).values()) for code in codes}

    def json_under_api(error: HTTPException):
        if request.path.startswith(api.bp.url_prefix + "/"):
            response = api.json_errors(error)
            if error.code == 429:
                response.headers["Retry-After"] = str(limits.retry_after(limiter))
            return response
        handlers = previous.get(error.code) or []
        return handlers[0](error) if handlers else error

    for code in codes:
        app.register_error_handler(code, json_under_api)
    people = People(app.instance_path)
    app.extensions["reader.admin.people"] = people
    if app.config["ADMIN_PASSWORD_HASH"]:
        # Upgrading: the single admin of older versions becomes the first person.
        people.adopt_first_admin(app.config["ADMIN_USER"], app.config["ADMIN_PASSWORD_HASH"])
    elif not people.anyone():
        return  # Off, the admin routes do not exist at all: even a wrong method is a plain 404.
    auth.init_app(app, people)
    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)  # the API has no cookies: its bearer token is what a forger lacks
    # Anonymous listening beacons change no one's data: a forged one can only add a count.
    csrf.exempt("reader.web.listening.beacon")
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(listening_admin.bp)
    limits.limit_sign_in(limiter, app, "admin.sign_in", admin_views._failed_sign_in)

    def admin_refusal(error):
        if not request.path.startswith(admin_views.bp.url_prefix):
            return json_under_api(error)
        if isinstance(error, CSRFError):
            text = "This form has expired or did not come from this site. Reload it and try again."
            return admin_views.message(400, text, "Form expired")
        wait = limits.retry_after(limiter)
        text = (
            "Too many failed sign-ins from here. "
            f"Wait {wait} second{'s' * (wait != 1)}, then try again."
        )
        response = admin_views.message(429, text, "Too many tries")
        return response[0], 429, {"Retry-After": str(wait)}

    app.register_error_handler(CSRFError, admin_refusal)
    app.register_error_handler(429, admin_refusal)


def _instance_secret(instance_path: str) -> str:
    """Return the instance folder's secret key, made the first time (readable by owner only)."""
    path = Path(instance_path) / "secret_key"
    try:
        try:
            return path.read_text("ascii").strip()
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text("ascii").strip()  # another process made it first
        with os.fdopen(fd, "w") as file:
            file.write(key)
        return key
    except OSError as error:
        raise ReaderError(
            f"cannot keep the secret key in the instance folder {instance_path}: "
            f"{folder_error(error)}; set READER_INSTANCE_PATH to a folder this user can write"
        ) from None
