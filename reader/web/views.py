"""The service's routes: index, document and embed pages, manifests, audio, widget, health."""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.globals import request_ctx
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, ValidationError

from reader.manifest import (
    AUDIO_DIR,
    AUDIO_NAME_PATTERN,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    UNPUBLISHED_NAME,
    document_dir,
)
from reader.model import Document
from reader.web import delivery
from reader.web.catalogue import Audio, Catalogue, Entry
from reader.web.widget import FILES as WIDGET_FILES
from reader.web.widget import Widget, WidgetFiles

log = logging.getLogger(__name__)
bp = Blueprint("reader", __name__)

# Document.html comes from the sanitiser, which always writes attributes in double
# quotes, so a heading and its id can be found without parsing the page again.
_HEADING = re.compile(r'<h([1-3])\b[^>]*?\sid="([^"]+)"[^>]*>.*?</h\1\s*>', re.S | re.I)
PREPARING = "Audio for this page is being prepared."


class SlugConverter(BaseConverter):
    """Match a document slug, and nothing longer than a slug may be."""

    regex = SLUG_PATTERN

    def to_python(self, value: str) -> str:
        """Reject over-long slugs as not found."""
        if len(value) > SLUG_MAX_LENGTH:
            raise ValidationError
        return value


class AudioNameConverter(BaseConverter):
    """Match the content hash that names an audio file."""

    regex = AUDIO_NAME_PATTERN


@bp.record_once
def _register_converters(state) -> None:
    state.app.url_map.converters.update(slug=SlugConverter, audio_name=AudioNameConverter)


def catalogue() -> Catalogue:
    """Return the current app's catalogue."""
    return current_app.extensions["reader.web.catalogue"]


def current_widget() -> Widget | None:
    """Return the current app's widget files, None when they are not installed."""
    return current_app.extensions["reader.web.widget"].current()


def init_app(app: Flask) -> None:
    """Give `app` a catalogue of its content and build folders, and friendly error pages."""
    app.extensions["reader.web.catalogue"] = Catalogue(
        app.config["CONTENT_DIR"], app.config["BUILD_DIR"]
    )
    app.extensions["reader.web.widget"] = WidgetFiles(app.config["STATIC_DIR"])
    for code in (400, 404, 405, 410, 500):
        app.register_error_handler(code, _error_page)


def _error_page(error: HTTPException):
    code = getattr(error, "code", 500) or 500
    if request.path.startswith("/api/") or request.path == "/healthz":
        return jsonify(error=getattr(error, "description", "error")), code
    if request_ctx.url_adapter is None:
        # The Host header was refused (TRUSTED_HOSTS), so no URL can be built for a page.
        return f"{code} {getattr(error, 'name', 'Error')}", code, {"Content-Type": "text/plain"}
    return render_template("error.html", code=code, error=error), code


# ---------------------------------------------------------------- words for time


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def duration_words(seconds: float) -> str:
    """Say a section's length in words, e.g. "1 minute 20 seconds"."""
    total = max(1, round(seconds))
    minutes, rest = divmod(total, 60)
    parts = [_plural(minutes, "minute")] if minutes else []
    if rest:
        parts.append(_plural(rest, "second"))
    return " ".join(parts)


def listening_words(seconds: float) -> str:
    """Say a listening time to the minute, e.g. "11 minutes"."""
    if seconds < 30:
        return "less than a minute"
    hours, minutes = divmod(round(seconds / 60), 60)
    parts = [_plural(hours, "hour")] if hours else []
    if minutes:
        parts.append(_plural(minutes, "minute"))
    return " ".join(parts)


def _listening(entry: Entry, words_per_minute: int) -> str:
    if entry.audio is not None:
        words = listening_words(entry.audio.total)
    else:
        seconds = estimated_seconds(entry.document, words_per_minute)
        words = listening_words(seconds) if seconds < 30 else "about " + listening_words(seconds)
    return words[0].upper() + words[1:]


def estimated_seconds(document: Document, words_per_minute: int) -> float:
    """Estimate how long a document takes to read aloud."""
    words = sum(len(b.text.split()) for s in document.sections for b in s.blocks)
    return words * 60 / max(1, words_per_minute)


# ---------------------------------------------------------------- the page body


def page_body(document: Document, audio: Audio | None) -> Markup:
    """Return the document HTML with the player after the h1 and a listen link per section."""
    html = document.html
    parts: list[str] = []
    position = 0
    placed = False
    for match in _HEADING.finditer(html):
        parts.append(html[position : match.end()])
        position = match.end()
        if match[1] == "1" and not placed:
            parts.append("\n" + _player(document, audio))
            placed = True
        if audio is not None and match[2] in audio.files:
            parts.append("\n" + _listen_link(document.slug, match[2], audio))
    parts.append(html[position:])
    if not placed:
        parts.insert(0, _player(document, audio))
    return Markup("".join(parts))


def _player(document: Document, audio: Audio | None) -> Markup:
    if audio is None:
        return Markup(render_template("_preparing.html", message=PREPARING))
    url = url_for("reader.manifest", slug=document.slug)
    return Markup(render_template("_player.html", manifest_url=url))


def _listen_link(slug: str, section_id: str, audio: Audio) -> Markup:
    return Markup(
        render_template(
            "_listen.html",
            href=url_for("reader.audio", slug=slug, name=audio.files[section_id]),
            section_id=section_id,
            duration=duration_words(audio.durations[section_id]),
        )
    )


def public_manifest(slug: str, audio: Audio, audio_url) -> bytes:
    """Serialise the manifest with each `audio` replaced by `audio_url(slug, name)`."""
    data = audio.manifest.to_dict()
    for section, entry in zip(audio.manifest.sections, data["sections"], strict=True):
        entry["audio"] = audio_url(slug, section.audio_name)
    if audio.manifest.download is not None:
        data["download"]["audio"] = audio_url(slug, audio.manifest.download.audio_name)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _widget_files() -> tuple[str, ...]:
    static_dir = Path(current_app.config["STATIC_DIR"])
    # A page that asked for a missing script would log an error in every visitor's
    # console, so the widget is only referenced once it is installed. The script fetches
    # its own stylesheet into its shadow root, so the page never links it.
    return tuple(n for n in ("voice-reader.js",) if (static_dir / n).is_file())


# ---------------------------------------------------------------- routes


@bp.get("/")
def index():
    """List the documents with their sections, listening time and audio status."""
    cat = catalogue()
    entries = cat.entries()
    key = (tuple((e.slug, e.key) for e in entries), request.script_root)

    def render() -> bytes:
        wpm = current_app.config["WORDS_PER_MINUTE"]
        rows = [{"entry": e, "listening": _listening(e, wpm)} for e in entries]
        return render_template("index.html", rows=rows).encode("utf-8")

    return delivery.send_generated(cat.rendered("/", key, render), "text/html")


def _entry_or_404(cat: Catalogue, slug: str) -> Entry:
    entry = cat.entry(slug)
    if entry is None:
        # Unpublished through the content API: gone on purpose, not a wrong address.
        gone = (document_dir(cat.build_dir, slug) / UNPUBLISHED_NAME).is_file()
        abort(410 if gone else 404)
    return entry


@bp.get("/documents/<slug:slug>")
def document(slug: str):
    """Show a document: its text, and its audio when that is current."""
    cat = catalogue()
    entry = _entry_or_404(cat, slug)
    widget = _widget_files()

    def render() -> bytes:
        return render_template(
            "document.html",
            document=entry.document,
            lang=entry.document.lang,
            body=page_body(entry.document, entry.audio),
            widget=widget,
        ).encode("utf-8")

    key = (entry.key, request.script_root, widget)
    return delivery.send_generated(cat.rendered(f"page:{slug}", key, render), "text/html")


@bp.get("/embed/<slug:slug>")
def embed(slug: str):
    """Show only the player of a document, for other sites to frame (FRAME_ANCESTORS)."""
    cat = catalogue()
    entry = _entry_or_404(cat, slug)
    # Without current audio there is nothing to play: the page says so and links the full page.
    current = current_widget() if entry.audio is not None else None

    def render() -> bytes:
        return render_template(
            "embed.html",
            document=entry.document,
            lang=entry.document.lang,
            widget=current,
            preparing=PREPARING,
        ).encode("utf-8")

    key = (entry.key, request.script_root, current and current.version)
    return delivery.send_generated(cat.rendered(f"embed:{slug}", key, render), "text/html")


@bp.get("/static/v/<version>/<name>")
def widget_file(version: str, name: str):
    """Serve a file of the current widget at its versioned URL, cached for a year."""
    current = current_widget()
    if current is None or version != current.version or name not in current.files:
        # An old version is gone: a page pinned to it by SRI must not get other bytes.
        abort(404)
    return delivery.send_generated(current.files[name], WIDGET_FILES[name], immutable=True)


@bp.get("/api/documents/<slug:slug>/manifest.json")
def manifest(slug: str):
    """Serve the current manifest with absolute audio URLs."""
    cat = catalogue()
    entry = cat.entry(slug)
    if entry is None or entry.audio is None:
        # Stale audio speaks old text, which on a health page may be wrong: hide it.
        abort(404, description="No current audio for this document yet.")

    def make() -> bytes:
        return public_manifest(
            slug,
            entry.audio,
            lambda s, n: url_for("reader.audio", slug=s, name=n, _external=True),
        )

    generated = cat.rendered(f"manifest:{slug}", (entry.key, request.url_root), make)
    return delivery.send_generated(generated, "application/json")


@bp.get("/audio/<slug:slug>/<audio_name:name>.mp3")
def audio(slug: str, name: str):
    """Send one section's audio file."""
    return delivery.send_audio(document_dir(catalogue().build_dir, slug) / AUDIO_DIR, name)


@bp.get("/favicon.ico")
def favicon():
    """Answer browsers' automatic icon request with nothing, rather than a logged 404."""
    response = current_app.response_class(status=204)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/healthz")
def healthz():
    """Report whether the service can read its content and build folders."""
    cat = catalogue()
    build_ok = cat.build_dir.is_dir() and os.access(cat.build_dir, os.R_OK | os.X_OK)
    content_ok = cat.content_dir.is_dir() and os.access(cat.content_dir, os.R_OK | os.X_OK)
    ok = build_ok and content_ok
    response = jsonify(ok=ok, build_dir_readable=build_ok, content_dir_readable=content_ok)
    response.status_code = 200 if ok else 503
    response.cache_control.no_store = True
    return response
