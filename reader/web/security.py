"""Security headers on every response, and CORS on the files other sites embed."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

# Endpoints whose responses another site's widget may fetch: manifests, audio, widget files.
SHARED_ENDPOINTS = frozenset({"reader.manifest", "reader.audio", "reader.widget_file", "static"})
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


def init_app(app: Flask) -> None:
    """Add the security and CORS headers to every response of `app`."""
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
