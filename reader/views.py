"""The service's routes: index, document pages, manifests, audio and health."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
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

from reader import delivery
from reader.errors import ContentError
from reader.manifest import (
    AUDIO_DIR,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    ManifestError,
    document_dir,
    is_valid_slug,
    load_manifest,
    manifest_path,
)
from reader.model import Document

log = logging.getLogger(__name__)
bp = Blueprint("reader", __name__)

AUDIO_NAME_PATTERN = r"[0-9a-f]{8,64}"
_AUDIO_REF = re.compile(rf"{AUDIO_DIR}/({AUDIO_NAME_PATTERN})\.mp3")
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


# ---------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Audio:
    """A document's published audio, checked to be complete and usable."""

    source_sha256: str
    manifest: dict
    files: dict[str, str]
    """Section id → audio file name (the hash, without `.mp3`)."""
    durations: dict[str, float]
    """Section id → seconds."""

    @property
    def total(self) -> float:
        """Return the listening time in seconds."""
        return sum(self.durations.values())


@dataclass(frozen=True)
class Entry:
    """A content document as it is now, with its audio if that is current."""

    slug: str
    document: Document
    audio: Audio | None
    """The current audio; None when it is missing, broken or stale."""
    key: tuple
    """Changes whenever the page this entry renders to would change."""


def _stat_key(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Catalogue:
    """Find, parse and cache content documents and their published audio."""

    def __init__(self, content_dir: Path, build_dir: Path):
        self.content_dir = Path(content_dir)
        self.build_dir = Path(build_dir)
        # One entry per slug, replaced when the file changes, so the caches stay
        # as small as the content folder whatever visitors ask for.
        self._documents: dict[str, tuple[tuple, Document | None]] = {}
        self._audio: dict[str, tuple[tuple, Audio | None]] = {}
        self._rendered: dict[str, tuple[tuple, delivery.Generated]] = {}

    def slugs(self) -> list[str]:
        """List the slugs of the content documents, sorted."""
        try:
            paths = list(self.content_dir.glob("*.html"))
        except OSError:
            return []
        return sorted(p.stem for p in paths if is_valid_slug(p.stem) and p.is_file())

    def entry(self, slug: str) -> Entry | None:
        """Return a usable document with its current audio, or None if there is no such document."""
        if not is_valid_slug(slug):
            return None
        path = self.content_dir / f"{slug}.html"
        document_key = _stat_key(path)
        if document_key is None:
            return None
        cached = self._documents.get(slug)
        if cached is None or cached[0] != document_key:
            cached = (document_key, self._parse(path, slug))
            self._documents[slug] = cached
        document = cached[1]
        if document is None:
            return None
        audio_key = _stat_key(manifest_path(self.build_dir, slug))
        audio = self._current_audio(slug, audio_key, document)
        return Entry(slug, document, audio, (document_key, audio_key if audio else None))

    def _parse(self, path: Path, slug: str) -> Document | None:
        from reader.parse import parse_document

        try:
            return parse_document(path.read_bytes(), slug)
        except (OSError, ContentError) as error:
            log.warning("%s: cannot be shown: %s", path, error)
        except Exception:
            # One document the parser chokes on must not take the index down with it.
            log.exception("%s: the parser failed", path)
        return None

    def _current_audio(self, slug: str, key: tuple | None, document: Document) -> Audio | None:
        if key is None:
            return None
        cached = self._audio.get(slug)
        if cached is None or cached[0] != key:
            cached = (key, self._read_audio(slug))
            self._audio[slug] = cached
        audio = cached[1]
        if audio is None or audio.source_sha256 != document.source_sha256:
            return None
        return audio

    def _read_audio(self, slug: str) -> Audio | None:
        try:
            manifest = load_manifest(self.build_dir, slug)
            if manifest is None:
                return None
            return self._check(slug, manifest)
        except (ManifestError, KeyError, TypeError, ValueError) as error:
            # A broken manifest must cost visitors the audio, never the page.
            log.warning("%s: manifest not usable, serving text only: %s", slug, error)
            return None

    def _check(self, slug: str, manifest: dict) -> Audio:
        source_sha256 = manifest["document"]["source_sha256"]
        if not isinstance(source_sha256, str):
            raise ValueError("document.source_sha256 is not a string")
        audio_dir = document_dir(self.build_dir, slug) / AUDIO_DIR
        files: dict[str, str] = {}
        durations: dict[str, float] = {}
        for section in manifest["sections"]:
            match = _AUDIO_REF.fullmatch(section["audio"])
            duration = section["duration"]
            if match is None or not isinstance(section["id"], str):
                raise ValueError(f"section {section.get('id')!r}: bad audio {section['audio']!r}")
            if not isinstance(duration, int | float) or duration < 0:
                raise ValueError(f"section {section['id']!r}: bad duration {duration!r}")
            if not (audio_dir / f"{match[1]}.mp3").is_file():
                raise ValueError(f"section {section['id']!r}: {section['audio']} is missing")
            files[section["id"]] = match[1]
            durations[section["id"]] = float(duration)
        if not files:
            raise ValueError("no sections")
        return Audio(source_sha256, manifest, files, durations)

    def entries(self) -> list[Entry]:
        """Return every usable document with its current audio, sorted by title."""
        entries = [entry for entry in map(self.entry, self.slugs()) if entry is not None]
        return sorted(entries, key=lambda e: e.document.title.casefold())

    def rendered(self, name: str, key: tuple, make) -> delivery.Generated:
        """Return what `make()` gives, made once per `key` for the cache slot `name`."""
        hit = self._rendered.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = delivery.Generated.of(make())
        # A plain assignment is atomic: two threads racing here both store a correct value.
        self._rendered[name] = (key, value)
        return value


def catalogue() -> Catalogue:
    """Return the current app's catalogue."""
    return current_app.extensions["reader.catalogue"]


def init_app(app: Flask) -> None:
    """Give `app` a catalogue of its content and build folders, and friendly error pages."""
    app.extensions["reader.catalogue"] = Catalogue(
        app.config["CONTENT_DIR"], app.config["BUILD_DIR"]
    )
    for code in (400, 404, 405, 500):
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
    manifest = dict(audio.manifest)
    manifest["sections"] = [
        {**section, "audio": audio_url(slug, audio.files[section["id"]])}
        for section in audio.manifest["sections"]
    ]
    return json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _widget_files() -> tuple[str, ...]:
    static_dir = Path(current_app.config["STATIC_DIR"])
    # A page that asked for a missing script would log an error in every visitor's
    # console, so the widget is only referenced once it is installed.
    return tuple(n for n in ("voice-reader.css", "voice-reader.js") if (static_dir / n).is_file())


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


@bp.get("/documents/<slug:slug>")
def document(slug: str):
    """Show a document: its text, and its audio when that is current."""
    cat = catalogue()
    entry = cat.entry(slug)
    if entry is None:
        abort(404)
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
