"""The service's routes: index, document and embed pages, manifests, audio, widget, health."""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.globals import request_ctx
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, ValidationError

from reader import moves, names
from reader.manifest import (
    AUDIO_DIR,
    AUDIO_NAME_PATTERN,
    UNPUBLISHED_NAME,
    IndexEntry,
    Manifest,
    document_dir,
)
from reader.web import delivery
from reader.web.catalogue import Catalogue, Entry
from reader.web.listening import URL as BEACON_URL
from reader.web.listening import enabled as figures_enabled
from reader.web.widget import FILES as WIDGET_FILES
from reader.web.widget import Widget, WidgetFiles

log = logging.getLogger(__name__)
bp = Blueprint("reader", __name__)

# Document.html comes from the sanitiser, which always writes attributes in double
# quotes, so a heading and its id can be found without parsing the page again.
_HEADING = re.compile(r'<h([1-3])\b[^>]*?\sid="([^"]+)"[^>]*>.*?</h\1\s*>', re.S | re.I)
PREPARING = "Audio for this page is being prepared."
QUERY_MAX_LENGTH = 100
OTHERS = "Other"
"""The group of titles that do not start with a letter from A to Z."""


class NameConverter(BaseConverter):
    """Match a document name, a path such as conditions/fever, in its NFC form."""

    # No dot and no slash at either end: a name holds neither, so `<name>/manifest.json`
    # and `<name>/audio/<hash>.mp3` can never be read as a longer name.
    regex = r"[^/.](?:[^.]*[^/.])?"
    part_isolating = False

    def to_python(self, value: str) -> str:
        """Reject what is not a document name as not found."""
        name = names.normalise(value)
        if not names.is_valid(name):
            raise ValidationError
        return name


class AudioNameConverter(BaseConverter):
    """Match the content hash that names an audio file."""

    regex = AUDIO_NAME_PATTERN


@bp.record_once
def _register_converters(state) -> None:
    # "slug" too: the name routes had before names were paths.
    converters = {"name": NameConverter, "slug": NameConverter, "audio_name": AudioNameConverter}
    state.app.url_map.converters.update(converters)


def catalogue() -> Catalogue:
    """Return the current app's catalogue."""
    return current_app.extensions["reader.web.catalogue"]


def current_widget() -> Widget | None:
    """Return the current app's widget files, None when they are not installed."""
    return current_app.extensions["reader.web.widget"].current()


def init_app(app: Flask) -> None:
    """Give `app` a catalogue of its content and build folders, and friendly error pages."""
    app.extensions["reader.web.catalogue"] = Catalogue(
        app.config["BUILD_DIR"], app.config["CONTENT_DIR"]
    )
    app.extensions["reader.web.widget"] = WidgetFiles(app.config["STATIC_DIR"])
    for code in (400, 404, 405, 410, 500):
        app.register_error_handler(code, _error_page)
    app.before_request(_nfc_address)
    # Compiled now, while the service starts, so that no visitor waits for it: every template
    # of the public pages, the ones they extend or include too.
    for name in app.jinja_loader.list_templates():
        app.jinja_env.get_template(name)


def _nfc_address():
    """Send a visitor whose address is not in Unicode NFC to the one that is, with 301."""
    path = request.path
    if request.method in ("GET", "HEAD") and not path.isascii() and names.normalise(path) != path:
        # Names are stored in NFC: a page whose name was typed decomposed is the same page.
        target = request.script_root + quote(names.normalise(path), safe="/")
        query = request.query_string.decode("latin-1")
        return redirect(target + (f"?{query}" if query else ""), 301)
    return None


def _error_page(error: HTTPException):
    code = getattr(error, "code", 500) or 500
    if request_ctx.url_adapter is None:
        # The Host header was malformed, so no URL can be built, and it is not echoed back.
        return f"{code} {getattr(error, 'name', 'Error')}", code, {"Content-Type": "text/plain"}
    # A 404 or 410 is cacheable by heuristic, yet the page may be published (again) any moment.
    headers = {"Cache-Control": "no-cache"}
    if request.path.startswith("/api/") or request.path == "/healthz":
        return jsonify(error=getattr(error, "description", "error")), code, headers
    return render_template("error.html", code=code, error=error), code, headers


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


def listening(entry: IndexEntry, words_per_minute: int) -> str:
    """Say how long a document takes to hear: measured, or estimated while it is prepared."""
    if entry.duration is not None:
        words = listening_words(entry.duration)
    else:
        seconds = estimated_seconds(entry.words, words_per_minute)
        words = listening_words(seconds) if seconds < 30 else "about " + listening_words(seconds)
    return words[0].upper() + words[1:]


def estimated_seconds(words: int, words_per_minute: int) -> float:
    """Estimate how long `words` words take to read aloud."""
    return words * 60 / max(1, words_per_minute)


# ---------------------------------------------------------------- the page body


def page_body(entry: Entry) -> Markup:
    """Return the published HTML with the player after the h1 and a listen link per section."""
    html = entry.html
    sections = {s.id: s for s in entry.outline.sections} if entry.audio else {}
    listen = current_app.jinja_env.get_template("_listen.html").module.listen
    # Section audio paths are relative to the manifest, as the widget resolves them: the page
    # links the same URLs as the manifest, so the page and the player share one cached file.
    base = url_for("reader.manifest", slug=entry.slug).rpartition("/")[0]
    parts: list[str] = []
    position = 0
    placed = False
    for match in _HEADING.finditer(html):
        parts.append(html[position : match.end()])
        position = match.end()
        if match[1] == "1" and not placed:
            parts.append("\n" + _player(entry))
            placed = True
        if match[2] in sections:
            section = sections[match[2]]
            duration = duration_words(section.duration)
            parts.append("\n" + listen(f"{base}/{section.audio}", section.id, duration))
    parts.append(html[position:])
    if not placed:
        parts.insert(0, _player(entry))
    return Markup("".join(parts))


def _player(entry: Entry) -> Markup:
    if not entry.audio:
        return Markup(render_template("_preparing.html", message=PREPARING))
    url = url_for("reader.manifest", slug=entry.slug)
    return Markup(render_template("_player.html", manifest_url=url, download=_download(entry)))


def _download(entry: Entry) -> dict | None:
    """Return the whole-page MP3's link and label, "Download (MP3, 12 minutes, 4.4 MB)"."""
    download = entry.outline.download if entry.audio else None
    if download is None:
        return None
    size = f"{download.bytes / 1e6:.1f} MB"
    return {
        "href": url_for("reader.manifest_audio", slug=entry.slug, name=download.audio_name),
        "label": f"Download (MP3, {listening_words(download.duration)}, {size})",
    }


def public_manifest(manifest: Manifest, public_url: str = "", beacon: str = "") -> bytes:
    """Serialise a manifest for the widget: audio URLs relative to it, or under `public_url`.

    `beacon`, when given, is the listening figures' URL, put beside the audio (`listening`).
    """
    data = manifest.to_dict()
    if beacon:
        data["listening"] = beacon
    if public_url:
        # Taken from the settings, never from the request: a Host header cannot move it.
        name = quote(manifest.document.slug, safe="/")
        base = f"{public_url.rstrip('/')}/api/documents/{name}/"
        for section in data["sections"]:
            section["audio"] = base + section["audio"]
        if "download" in data:
            data["download"]["audio"] = base + data["download"]["audio"]
        if beacon:
            data["listening"] = base + beacon
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
    """List the published documents A to Z, or those whose title holds `?q=`."""
    cat = catalogue()
    version, entries = cat.index()
    query = " ".join(request.args.get("q", "").split())[:QUERY_MAX_LENGTH]
    key = (version, request.script_root)

    def render() -> bytes:
        wpm = current_app.config["WORDS_PER_MINUTE"]
        wanted = query.casefold()
        shown = [e for e in entries if wanted in e.title.casefold()]
        return render_template(
            "index.html",
            groups=groups(shown, wpm),
            query=query,
            shown=len(shown),
            total=len(entries),
        ).encode("utf-8")

    # Only the unfiltered page is kept: a filter is cheap to answer, and visitors' words
    # must not fill the cache.
    if query:
        return delivery.send_generated(delivery.Generated.of(render()), "text/html")
    return delivery.send_generated(cat.rendered("/", key, render), "text/html")


class Row(NamedTuple):
    """One document in the index."""

    entry: IndexEntry
    listening: str
    href: str


class Group(NamedTuple):
    """The documents whose titles start with one letter."""

    letter: str
    rows: list[Row]


def groups(entries, words_per_minute: int) -> list[Group]:
    """Group index entries by the first letter of their title, A to Z, others last."""
    # Rows are tuples with named fields, not dicts: a template looks for an attribute first,
    # which a tuple's field is and a dict's key is not.
    by_letter: dict[str, list[Row]] = {}
    # Quoted here, not by url_for: a thousand url_for calls cost more than the rest of the page.
    documents = f"{request.script_root}/documents/"
    for entry in sorted(entries, key=lambda e: e.title.casefold()):
        first = entry.title[:1].upper()
        letter = first if "A" <= first <= "Z" else OTHERS
        href = documents + (entry.slug if entry.slug.isascii() else quote(entry.slug, safe="/"))
        row = Row(entry, listening(entry, words_per_minute), href)
        by_letter.setdefault(letter, []).append(row)
    order = sorted(by_letter, key=lambda letter: (letter == OTHERS, letter))
    return [Group(letter, by_letter[letter]) for letter in order]


MOVED_MAX_AGE = 3600
"""Seconds a browser keeps a moved document's 301: the old name may be published again."""


def moved_response(location: str):
    """Return the 301 that sends a moved document's old address to its new one."""
    response = redirect(location, 301)
    # A 301 without a lifetime is cached for good, and the old name may be used again.
    response.cache_control.public = True
    response.cache_control.max_age = MOVED_MAX_AGE
    return response


def _entry_or_404(cat: Catalogue, slug: str, endpoint: str) -> Entry:
    """Return a document's published version; else 301 to where it moved, 410 or 404."""
    entry = cat.entry(slug)
    if entry is None:
        _moved_or_gone(cat, slug, endpoint)
    return entry


def _moved_or_gone(cat: Catalogue, slug: str, endpoint: str) -> None:
    """Redirect to the document's new name with 301 if it moved; else answer 410 or 404."""
    moved = moves.forwards(cat.build_dir, slug)
    if moved is not None:
        abort(moved_response(url_for(endpoint, slug=moved)))
    # Unpublished through the content API, or moved to a document unpublished since: gone on
    # purpose, not a wrong address.
    gone = (document_dir(cat.build_dir, slug) / UNPUBLISHED_NAME).is_file() or (
        moves.moved_to(cat.build_dir, slug) is not None
    )
    abort(410 if gone else 404)


@bp.get("/documents/<name:slug>")
def document(slug: str):
    """Show a document's published version: its text, and its player when audio is ready."""
    cat = catalogue()
    entry = _entry_or_404(cat, slug, "reader.document")
    widget = _widget_files()

    def render() -> bytes:
        return render_template(
            "document.html",
            entry=entry,
            lang=entry.lang,
            body=page_body(entry),
            widget=widget,
        ).encode("utf-8")

    key = (entry.key, request.script_root, widget)
    return delivery.send_generated(cat.rendered(f"page:{slug}", key, render), "text/html")


@bp.get("/embed/<name:slug>")
def embed(slug: str):
    """Show only the player of a document, for other sites to frame (FRAME_ANCESTORS)."""
    cat = catalogue()
    entry = _entry_or_404(cat, slug, "reader.embed")
    # Without audio there is nothing to play: the page says so and links the full page.
    current = current_widget() if entry.audio else None

    def render() -> bytes:
        return render_template(
            "embed.html",
            entry=entry,
            lang=entry.lang,
            widget=current,
            preparing=PREPARING,
            download=_download(entry),
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


@bp.get("/api/documents/<name:slug>/manifest.json")
def manifest(slug: str):
    """Serve the published manifest; its audio URLs are relative to it (or PUBLIC_URL)."""
    cat = catalogue()
    entry = cat.entry(slug)
    moved = moves.forwards(cat.build_dir, slug) if entry is None else None
    if moved is not None:
        return moved_response(url_for("reader.manifest", slug=moved))
    if entry is None or not entry.audio:
        abort(404, description="No audio for this document yet.")
    public_url = current_app.config["PUBLIC_URL"]
    # The widget sends figures only where the manifest names this counter, beside the audio.
    beacon = BEACON_URL if figures_enabled() else ""

    def make() -> bytes | None:
        whole = cat.manifest(entry)
        return None if whole is None else public_manifest(whole, public_url, beacon)

    generated = cat.rendered(f"manifest:{slug}", (entry.key, public_url, beacon), make)
    if generated is None:
        abort(404, description="No audio for this document yet.")
    return delivery.send_generated(generated, "application/json")


@bp.get("/audio/<name:slug>/<audio_name:name>.mp3")
@bp.get("/api/documents/<name:slug>/audio/<audio_name:name>.mp3", endpoint="manifest_audio")
def audio(slug: str, name: str):
    """Send one section's audio file (at its page link, and beside the manifest)."""
    build_dir = catalogue().build_dir
    moved = moves.moved_to(build_dir, slug)
    if moved is not None:
        # A visitor who loaded the manifest before the move is still listening.
        return moved_response(url_for(request.endpoint, slug=moved, name=name))
    return delivery.send_audio(document_dir(build_dir, slug) / AUDIO_DIR, name)


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
