"""Audio that no manifest ever used is deleted at once; published audio keeps its grace."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reader import manifest as mf
from reader.errors import PublishError
from reader.pipeline import publish
from reader.pipeline.build import build_documents
from reader.pipeline.publish import RETIRED_NAME
from tests.support.content import FAKE, REPO, SMALL, write_document
from tests.test_build import KILL_DURING_PUBLISH

EDITED = SMALL.replace("One sentence.", "One new sentence.").replace("detail.", "new detail.")


def audio_files(out: Path) -> set[str]:
    return {p.name for p in (mf.document_dir(out, "small") / mf.AUDIO_DIR).glob("*.mp3")}


def published_names(out: Path) -> set[str]:
    return mf.load_manifest(out, "small").audio_names


def ledger(out: Path) -> dict:
    return json.loads((mf.document_dir(out, "small") / RETIRED_NAME).read_text())


def kill_a_build(content: Path, out: Path) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", KILL_DURING_PUBLISH, str(content), str(out)], cwd=REPO
    )
    assert killed.returncode == -signal.SIGKILL


def test_audio_of_a_killed_build_goes_at_once_and_published_audio_keeps_its_grace(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    first = published_names(out)
    write_document(content, "small", EDITED)
    kill_a_build(content, out)
    never_published = audio_files(out) - first
    assert len(never_published) >= 3  # two sections and the download
    # Edited again, so that the next build cannot use what the killed one left.
    write_document(content, "small", EDITED.replace("new detail.", "newer detail."))
    result = build_documents(content, out, options=FAKE).results[0]
    assert result.error is None
    second = published_names(out)
    assert audio_files(out) == second | first
    # What the killed build left and this one did not use again is gone, with no grace.
    assert never_published - second
    assert not (never_published - second) & audio_files(out)
    assert set(ledger(out)) == first - second


def test_audio_of_a_killed_first_build_goes_at_once(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    kill_a_build(content, out)
    left = audio_files(out)
    assert left
    assert not mf.manifest_path(out, "small").exists()
    write_document(content, "small", EDITED)
    build_documents(content, out, options=FAKE)
    assert left - published_names(out)
    assert audio_files(out) == published_names(out)
    assert ledger(out) == {}


@pytest.mark.parametrize("full_at", ["manifest", "download", "second section"])
def test_a_full_disk_leaves_no_audio_that_no_manifest_uses(tmp_path, monkeypatch, full_at):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    before = mf.manifest_path(out, "small").read_bytes()
    first = published_names(out)
    write_document(content, "small", EDITED)
    real = publish.atomic_write
    sections_written = []

    def fill_up(path: Path, data: bytes) -> None:
        if path.name == "manifest.json":
            full = full_at == "manifest"
        elif path.suffix != ".mp3":
            full = False
        elif data[:3] == b"ID3":  # the whole-page download starts with its ID3 tag
            full = full_at == "download"
        else:
            sections_written.append(path.name)
            full = full_at == "second section" and len(sections_written) == 2
        if full:
            raise PublishError(f"the disk is full: cannot write {path}")
        real(path, data)

    pages_before = {p.name for p in (mf.document_dir(out, "small") / mf.PAGES_DIR).iterdir()}
    # The download is written on a thread beside the manifest's JSON, by publish's writer.
    monkeypatch.setattr(publish, "atomic_write", fill_up)
    result = build_documents(content, out, options=FAKE).results[0]
    assert "disk is full" in result.error
    assert sections_written
    assert mf.manifest_path(out, "small").read_bytes() == before
    assert audio_files(out) == first
    # The new page, written while the workers spoke, is gone again, and no temp file stays.
    folder = mf.document_dir(out, "small")
    assert {p.name for p in (folder / mf.PAGES_DIR).iterdir()} == pages_before
    assert not list(folder.rglob(".tmp-*"))


def test_a_failure_after_the_manifest_keeps_its_audio(tmp_path, monkeypatch):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)

    def ledger_fails(*args, **kwargs):
        raise PublishError("the disk is full: cannot write retired.json")

    monkeypatch.setattr(publish, "retire_unreferenced", ledger_fails)
    result = build_documents(content, out, options=FAKE).results[0]
    assert "disk is full" in result.error
    assert audio_files(out) == published_names(out)
