"""Admin access checks: HTTP Basic credentials and same-origin form posts."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Request
from werkzeug.security import check_password_hash

REALM = 'Basic realm="voice-reader admin", charset="UTF-8"'
MIN_PASSWORD_LENGTH = 12


def credentials_ok(request: Request, user: str, password_hash: str) -> bool:
    """Say whether the request's Basic credentials match the configured user and hash."""
    auth = request.authorization
    if not password_hash or auth is None or auth.type != "basic":
        return False
    given_user = (auth.username or "").encode("utf-8")
    # Both checks always run, so the time taken does not tell which one failed.
    user_ok = hmac.compare_digest(given_user, user.encode("utf-8"))
    password_ok = check_password_hash(password_hash, auth.password or "")
    return user_ok and password_ok


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return (parts.scheme.lower(), parts.netloc.lower())


def same_origin(request: Request) -> bool:
    """Say whether a form post came from a page of this service (a CSRF check)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    source = request.headers.get("Origin") or request.headers.get("Referer")
    # A browser sends Origin on every POST; "null" (a sandboxed or privacy-stripped
    # origin) and no header at all are refused, because the source cannot be told.
    if not source or source == "null":
        return False
    return _origin(source) == _origin(request.host_url)
