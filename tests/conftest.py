"""Fixtures shared by every test: the repository's content and fake-engine builds of it."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from reader.build import BuildOptions, build_documents

REPO = Path(__file__).resolve().parents[1]
NETS = "neuroendocrine-tumours"
FAKE = BuildOptions(engine="fake", jobs=1)


def copy_content(target: Path) -> Path:
    """Copy the repository's content folder to `target` and return it."""
    shutil.copytree(REPO / "content", target)
    return target


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """Give a test its own copy of the content folder."""
    return copy_content(tmp_path / "content")


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> SimpleNamespace:
    """Build the shipped content once with the fake engine; tests must not change it."""
    root = tmp_path_factory.mktemp("published")
    content = copy_content(root / "content")
    out = root / "build"
    summary = build_documents(content, out, options=FAKE)
    assert not summary.failed, summary.failed
    return SimpleNamespace(content_dir=content, out_dir=out, summary=summary)
