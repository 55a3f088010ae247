"""Content for tests: the shipped documents, a small one, and the fake-engine build options."""

from __future__ import annotations

import shutil
from pathlib import Path

from reader.pipeline.build import BuildOptions

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
