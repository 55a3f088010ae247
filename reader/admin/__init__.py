"""The staff side: the content API, the build queue and its worker, and the admin pages."""

from __future__ import annotations


def init_app(app) -> None:
    """Add the content API (always) and the admin pages (when a password is set) to `app`."""
    # Imported here: the worker's validator processes import reader.admin.* and must not
    # pay for Flask.
    from flask import request
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from flask_wtf.csrf import CSRFError, CSRFProtect
    from werkzeug.exceptions import HTTPException

    from reader.admin import api, auth
    from reader.admin import views as admin_views
    from reader.admin.tokens import Tokens

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    app.extensions["reader.admin.tokens"] = Tokens(app.instance_path)
    # One counter per client address, in this process: the limits protect the cheap checks
    # from floods, so they must cost less than what they protect.
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
        default_limits=[],
    )
    app.extensions["reader.admin.limiter"] = limiter
    limiter.limit(f"{api.BAD_TOKENS_PER_MINUTE} per minute", deduct_when=api._bad_token)(api.bp)
    app.register_blueprint(api.bp)

    codes = (400, 401, 404, 405, 409, 413, 415, 429, 500)
    # The service's own handlers (HTML pages), kept for every path outside the API.
    previous = {code: list(app.error_handler_spec[None].get(code, {}).values()) for code in codes}

    def json_under_api(error: HTTPException):
        if request.path.startswith(api.bp.url_prefix + "/"):
            return api.json_errors(error)
        handlers = previous.get(error.code) or []
        return handlers[0](error) if handlers else error

    for code in codes:
        app.register_error_handler(code, json_under_api)
    if not app.config["ADMIN_PASSWORD_HASH"]:
        return  # Off, the admin routes do not exist at all: even a wrong method is a plain 404.
    auth.init_session(app)
    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)  # the API has no cookies: its bearer token is what a forger lacks
    app.register_blueprint(admin_views.bp)
    failed = admin_views._failed_sign_in
    view = app.view_functions["admin.sign_in"]
    # Only failures count (deduct_when): a right password after a typo is never refused.
    view = limiter.limit(auth.FAILED_SIGN_INS, deduct_when=failed, methods=["POST"])(view)
    view = limiter.shared_limit(
        auth.FAILED_SIGN_INS_ALL,
        scope="sign-in-all",
        key_func=lambda: "all",
        deduct_when=failed,
        methods=["POST"],
    )(view)
    app.view_functions["admin.sign_in"] = view

    def admin_refusal(error):
        if not request.path.startswith(admin_views.bp.url_prefix):
            return json_under_api(error)
        if isinstance(error, CSRFError):
            text = "This form has expired or did not come from this site. Reload it and try again."
            return admin_views.message(400, text, "Form expired")
        text = "Too many failed sign-ins from here. Wait a minute, then try again."
        return admin_views.message(429, text, "Too many tries")

    app.register_error_handler(CSRFError, admin_refusal)
    app.register_error_handler(429, admin_refusal)


def _instance_secret(instance_path: str) -> str:
    """Return the instance folder's secret key, made the first time (readable by owner only)."""
    import os
    import secrets
    from pathlib import Path

    from reader.errors import ReaderError
    from reader.files import folder_error

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
