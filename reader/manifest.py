"""The manifest: the one contract between the pipeline, the service and the widget."""

from __future__ import annotations

import json
import re
from pathlib import Path

VERSION = 1
MANIFEST_NAME = "manifest.json"
AUDIO_DIR = "audio"
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_MAX_LENGTH = 100
_SLUG_RE = re.compile(SLUG_PATTERN)


class ManifestError(ValueError):
    """A manifest is missing, unreadable or not of a version this code understands."""


def is_valid_slug(slug: str) -> bool:
    """Return whether `slug` is a document slug: lowercase words joined by hyphens."""
    return len(slug) <= SLUG_MAX_LENGTH and _SLUG_RE.fullmatch(slug) is not None


def document_dir(out_dir: Path, slug: str) -> Path:
    """Return the folder that holds one document's published files."""
    if not is_valid_slug(slug):
        raise ManifestError(f"not a document slug: {slug!r}")
    return Path(out_dir) / slug


def manifest_path(out_dir: Path, slug: str) -> Path:
    """Return the path of a document's published manifest."""
    return document_dir(out_dir, slug) / MANIFEST_NAME


def load_manifest(out_dir: Path, slug: str) -> dict | None:
    """Read a document's manifest; None when nothing is published yet."""
    path = manifest_path(out_dir, slug)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise ManifestError(f"{path}: cannot read the manifest: {error}") from error
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ManifestError(f"{path}: not a version {VERSION} manifest")
    return data


def published_slugs(out_dir: Path) -> list[str]:
    """List the slugs that have a published manifest, sorted."""
    root = Path(out_dir)
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if is_valid_slug(p.name) and (p / MANIFEST_NAME).is_file()
    )


def dumps(manifest: dict) -> bytes:
    """Serialise a manifest the one way it is always written."""
    return json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def total_duration(manifest: dict) -> float:
    """Return the listening time of a manifest in seconds."""
    return sum(section["duration"] for section in manifest["sections"])
