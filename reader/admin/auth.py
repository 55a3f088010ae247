"""Admin sign-in: a password check, a signed session cookie, and same-origin form posts."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Request, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import check_password_hash

MIN_PASSWORD_LENGTH = 12
FAILED_SIGN_INS = "5 per minute"
"""Per client: after 5 wrong passwords in a minute, 429 until the minute is over."""
FAILED_SIGN_INS_ALL = "60 per minute"
"""For all clients together: each check costs a scrypt hash, so a flood is cut off here."""
SESSION_KEY = "admin_user"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        """Mark the cookie Secure over HTTPS (behind a proxy: set READER_PROXY_COUNT)."""
        return request.is_secure or bool(app.config.get("SESSION_COOKIE_SECURE"))


def init_session(app) -> None:
    """Configure the session cookie: HttpOnly, SameSite=Strict, signed with SECRET_KEY."""
    app.session_interface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="vr_admin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PATH="/",
    )


def password_ok(user: str, password: str, config) -> bool:
    """Say whether `user` and `password` are the configured admin's."""
    password_hash = config["ADMIN_PASSWORD_HASH"]
    if not password_hash:
        return False
    # Both checks always run, so the time taken does not tell which one failed.
    user_ok = hmac.compare_digest(user.encode("utf-8"), config["ADMIN_USER"].encode("utf-8"))
    password_ok_ = check_password_hash(password_hash, password)
    return user_ok and password_ok_


def signed_in() -> str | None:
    """Return the signed-in admin's name, or None."""
    return session.get(SESSION_KEY)


def sign_in(user: str) -> None:
    """Start a fresh session for `user` (a new cookie, so an old one cannot be reused)."""
    session.clear()
    session[SESSION_KEY] = user


def sign_out() -> None:
    """End the session."""
    session.clear()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return (parts.scheme.lower(), parts.netloc.lower())


def same_origin(req: Request) -> bool:
    """Say whether a form post came from a page of this service (a CSRF check)."""
    fetch_site = req.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    source = req.headers.get("Origin") or req.headers.get("Referer")
    # A browser sends Origin on every POST; "null" (a sandboxed or privacy-stripped
    # origin) and no header at all are refused, because the source cannot be told.
    if not source or source == "null":
        return False
    return _origin(source) == _origin(req.host_url)
