"""Admin sign-in: people's passwords, server-side sessions, and same-origin form posts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Request, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface

from reader.admin.people import MIN_PASSWORD_LENGTH, People, Person
from reader.admin.sessions import Sessions

__all__ = ["MIN_PASSWORD_LENGTH", "current", "same_origin", "sign_in", "sign_out"]

SESSION_KEY = "sid"
"""The cookie's one claim: a random session id, looked up on the server at every request."""


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, Secure whenever the request came over HTTPS.

    It carries the session id and flask-wtf's CSRF seed; who is signed in, and until when,
    is known only to the server, so a copied cookie is worth nothing after sign-out.
    """

    def get_cookie_secure(self, app) -> bool:
        """Mark the cookie Secure over HTTPS (behind a proxy: set READER_PROXY_COUNT)."""
        return request.is_secure or bool(app.config.get("SESSION_COOKIE_SECURE"))


def init_app(app, people: People) -> None:
    """Keep sessions on the server, with the idle and absolute limits from the config."""
    app.session_interface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="vr_admin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PATH="/",
    )
    app.extensions["reader.admin.sessions"] = Sessions(
        people,
        idle_seconds=app.config["SESSION_IDLE_MINUTES"] * 60,
        max_seconds=app.config["SESSION_MAX_HOURS"] * 3600,
    )


def sessions() -> Sessions:
    """Return the app's session store."""
    return current_app.extensions["reader.admin.sessions"]


def current() -> Person | None:
    """Return the signed-in person, or None; looked up once per request."""
    if "person" not in g:
        session_id = session.get(SESSION_KEY)
        g.person = sessions().find(session_id) if isinstance(session_id, str) else None
    return g.person


def sign_in(person: Person) -> None:
    """Start a new server-side session under a new id: an id from before never carries over."""
    session.clear()
    session[SESSION_KEY] = sessions().start(person.name)
    g.person = person


def sign_out() -> None:
    """End the session on the server, so any copy of its cookie is refused from now on."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str):
        sessions().end(session_id)
    session.clear()
    g.person = None


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
