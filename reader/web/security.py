"""Security headers on every response, and CORS on the files other sites embed."""

from __future__ import annotations

import re

from flask import Flask, abort, request
from werkzeug.wrappers import Response

from reader.config import trusted_hosts

# Endpoints whose responses another site's widget may fetch: manifests, audio, widget files.
SHARED_ENDPOINTS = frozenset(
    {"reader.manifest", "reader.audio", "reader.manifest_audio", "reader.widget_file", "static"}
)
# The only page other sites may frame (within FRAME_ANCESTORS): the player-only embed page.
FRAMED_ENDPOINTS = frozenset({"reader.embed"})
EXPOSED_HEADERS = "Content-Range, Accept-Ranges, ETag, Content-Length"
# Only features Chromium recognises: an unknown one is logged as a console error.
# autoplay stays allowed because the player starts audio on the visitor's click.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


def content_security_policy(frame_ancestors: str) -> str:
    """Return the CSP: only this origin's scripts, styles, media and fetches."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; "
        "connect-src 'self'; img-src 'self'; base-uri 'none'; object-src 'none'; "
        f"form-action 'self'; frame-ancestors {frame_ancestors}"
    )


_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]{1,5})?", re.IGNORECASE)
REFUSED_HOST = "This service does not answer to that host name."


def host_is_allowed(host: str, allowed: list[str] | None) -> bool:
    """Return whether a `host[:port]` names one of `allowed` (None allows any).

    A name starting with a dot allows that domain and its subdomains.
    """
    if allowed is None:
        return True
    match = _HOST.fullmatch(host or "")
    if match is None:
        return False
    name = match[1].lower().rstrip(".")
    for ref in (a.lower() for a in allowed):
        if name == ref or (ref.startswith(".") and (name == ref[1:] or name.endswith(ref))):
            return True
    return False


def init_app(app: Flask) -> None:
    """Refuse unknown hosts, and add the security and CORS headers to every response."""
    # Checked here, not by Flask's TRUSTED_HOSTS: werkzeug drops everything after the first
    # colon of a trusted name, so it can never match an IPv6 name such as [::1].
    app.config["ALLOWED_HOSTS"] = trusted_hosts(app.config["TRUSTED_HOSTS"])
    app.config["TRUSTED_HOSTS"] = None

    @app.before_request
    def check_host() -> None:
        # Nothing the service sends is built from the Host header, but a name it was not
        # told about is a misrouted or forged request: refuse it, without echoing it back.
        if not host_is_allowed(request.host, app.config["ALLOWED_HOSTS"]):
            abort(400, description=REFUSED_HOST)

    # Every page but the embed page refuses all framing whatever the setting, so a site
    # allowed to frame the player cannot frame (and overlay) the rest of the service.
    framed = app.config["FRAME_ANCESTORS"].strip() or "'none'"
    policies = {False: content_security_policy("'none'"), True: content_security_policy(framed)}

    @app.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        may_frame = request.endpoint in FRAMED_ENDPOINTS and framed != "'none'"
        headers["Content-Security-Policy"] = policies[may_frame]
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if not may_frame:
            # For browsers too old to know frame-ancestors.
            headers["X-Frame-Options"] = "DENY"
        if request.endpoint in SHARED_ENDPOINTS:
            add_cors(response)
        return response


def add_cors(response: Response) -> None:
    """Let any origin read the response, without credentials, incl. a Range preflight."""
    headers = response.headers
    # No credentials are ever involved, so a literal * is safe and keeps caches simple.
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        headers["Access-Control-Allow-Headers"] = "Range, If-None-Match, If-Modified-Since"
        headers["Access-Control-Max-Age"] = "86400"
