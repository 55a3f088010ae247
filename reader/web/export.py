"""Write the whole site as static files that any web server can host without Python."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask

from reader import moves
from reader.errors import ReaderError
from reader.files import folder_error
from reader.manifest import AUDIO_DIR, MANIFEST_NAME, Manifest, document_dir
from reader.web import views

MARKER = ".voice-reader-export"
"""Written into every export, so a later export only ever replaces an earlier export."""


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    pages: int
    manifests: int
    audio_files: int


def export_site(app: Flask, out_dir: Path, base_url: str | None = None) -> ExportSummary:
    """Render every page, manifest and audio file of `app` into `out_dir`, atomically."""
    out_dir = Path(out_dir).resolve()
    earlier = (out_dir / MARKER).is_file()
    if out_dir.exists() and not earlier and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ReaderError(f"{out_dir} exists and is not an earlier export: choose another")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        # Everything is written beside the target first and swapped in by renames, so a
        # failed export leaves the previous one untouched and never half an export.
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    except OSError as error:
        raise _cannot_write(out_dir, error) from None
    try:
        staging.chmod(0o755)
        summary = _write_site(app, staging, base_url)
        (staging / MARKER).write_text("Written by `reader export`; replaced by the next one.\n")
        _swap(staging, out_dir)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise _cannot_write(out_dir, error) from None
        raise
    return summary


def _cannot_write(out_dir: Path, error: OSError) -> ReaderError:
    """Say which export could not be written and why, in place of a traceback."""
    return ReaderError(f"cannot write the export into {out_dir}: {folder_error(error)}")


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rename(out_dir, retired / "site")
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _write_site(app: Flask, root: Path, base_url: str | None) -> ExportSummary:
    client = app.test_client()
    request_base = _request_base(base_url)

    def fetch(path: str, expect: int = 200) -> bytes:
        response = client.get(path, base_url=request_base)
        if response.status_code != expect:
            raise ReaderError(f"export: {path} answered {response.status_code}")
        return response.get_data()

    with app.app_context():
        cat = views.catalogue()
        published = [cat.entry(e.slug) for e in cat.index()[1]]
        widget = views.current_widget()
    public_url = base_url.rstrip("/") if base_url else ""
    pages = manifests = audio_files = 0
    served: dict[str, Manifest] = {}

    allowed = app.config["ALLOWED_HOSTS"]
    # The export asks for its pages at --base-url, whatever hosts the service answers to.
    app.config["ALLOWED_HOSTS"] = None
    try:
        _write(root / "index.html", fetch("/"))
        _write(root / "404.html", fetch("/documents/this-page-does-not-exist", expect=404))
        for entry in filter(None, published):
            # A name's segments are folders here, as they are in its address: names hold no
            # dot, so no document's files can be another's (index.html, manifest.json, audio).
            slug, address = entry.slug, quote(entry.slug, safe="/")
            _write(root / "documents" / slug / "index.html", fetch(f"/documents/{address}"))
            _write(root / "embed" / slug / "index.html", fetch(f"/embed/{address}"))
            pages += 1
            if not entry.audio:
                continue
            folder = root / "api" / "documents" / slug
            manifest = cat.manifest(entry)
            # As the service does, a manifest whose sentences cannot be read is left out:
            # the page and its section links still work.
            if manifest is not None:
                _write(folder / MANIFEST_NAME, views.public_manifest(manifest, public_url))
                served[slug] = manifest
                manifests += 1
            source = document_dir(app.config["BUILD_DIR"], slug) / AUDIO_DIR
            (folder / AUDIO_DIR).mkdir(parents=True, exist_ok=True)
            for name in sorted(entry.outline.audio_names):
                shutil.copyfile(source / name, folder / AUDIO_DIR / name)
                audio_files += 1
        for old, new in moves.all_moves(app.config["BUILD_DIR"]).items():
            for kind in ("documents", "embed"):
                _write(root / kind / old / "index.html", _moved_page(old, new))
            # An embed on another site that names the old document still plays: its
            # manifest is the new one's, naming the new name's audio from the export's root.
            final = served.get(moves.destination(app.config["BUILD_DIR"], old) or "")
            if final is not None:
                path = root / "api" / "documents" / old / MANIFEST_NAME
                _write(path, views.public_manifest(final, public_url or _up_to_root(path, root)))
    finally:
        app.config["ALLOWED_HOSTS"] = allowed
    static_dir = Path(app.config["STATIC_DIR"])
    if static_dir.is_dir():
        shutil.copytree(static_dir, root / "static")
    if widget is not None:
        # The versioned, immutable URLs that embed snippets pin with SRI.
        for name, generated in widget.files.items():
            _write(root / widget.path(name), generated.data)
    return ExportSummary(pages + 1, manifests, audio_files)


def _moved_page(old: str, new: str) -> bytes:
    """Return the page a static host serves at a moved document's old address: it sends on.

    A static host cannot answer 301, so the page refreshes to the new address at once; the
    address is relative, so it holds under any base URL.
    """
    # The old page is served as <old>/ (hosts redirect to the / form): up one level per part.
    target = escape("../" * len(old.split("/")) + quote(new, safe="/") + "/")
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'<link rel="canonical" href="{target}">\n<title>This page has moved</title>\n'
        f'</head>\n<body>\n<p>This page has moved to <a href="{target}">{escape(new)}</a>.</p>\n'
        "</body>\n</html>\n"
    ).encode()


def _up_to_root(path: Path, root: Path) -> str:
    """Return the relative URL from the file at `path` up to the export's root, e.g. "../..".

    A moved document's old manifest names its audio by this way up and the new name's
    folder: a static host cannot redirect, and so it holds under any base URL.
    """
    return "/".join([".."] * (len(path.relative_to(root).parts) - 1))


def _request_base(base_url: str | None) -> str:
    if not base_url:
        return "http://localhost/"
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ReaderError(f"--base-url must be an http(s) URL, not {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
