"""Content for tests: the shipped documents, a small one, and the fake-engine build options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from reader import manifest as mf
from reader.pipeline.build import BuildOptions, DocumentResult, build_documents

REPO = Path(__file__).resolve().parents[2]
NETS = "neuroendocrine-tumours"
FAKE = BuildOptions(engine="fake", jobs=1)
# A small document with every heading level, for builds that must be quick.
SMALL = """<!doctype html><html lang="en-GB"><head><title>Small</title></head><body><main>
<h1>Small page</h1><p>An introduction.</p>
<h2>First part</h2><p>One sentence. Two sentences.</p>
<h2>Second part</h2><ul><li>An item</li><li>Another item</li></ul>
<h3>Detail</h3><p>The detail.</p>
</main></body></html>"""

NAMING = {"reader.pipeline", "reader.pipeline.engines", "reader.pipeline.freshness"}
"""The pipeline's modules that the service may load: they name a version, and build nothing."""


def copy_content(target: Path) -> Path:
    """Copy the repository's content folder to `target` and return it."""
    shutil.copytree(REPO / "content", target)
    return target


def write_document(content_dir: Path, slug: str, html: str) -> Path:
    """Write a content document and return its path."""
    content_dir.mkdir(parents=True, exist_ok=True)
    path = content_dir / f"{slug}.html"
    path.write_text(html, encoding="utf-8")
    return path


def rebuild_without(tmp_path: Path, field: str) -> tuple[Path, dict, DocumentResult]:
    """Build SMALL, drop `field` from its manifest as an older build would have, and rebuild.

    Returns the build folder, the manifest as it was before the rebuild, and what it did.
    """
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    path = mf.manifest_path(out, "small")
    data = json.loads(path.read_bytes())
    del data[field]
    path.write_text(json.dumps(data))
    return out, data, build_documents(content, out, options=FAKE).results[0]
