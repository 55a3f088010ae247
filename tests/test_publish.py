"""Atomic publishing, the per-document lock, and sweeping what no manifest uses."""

from __future__ import annotations

import errno
import json
import os

import pytest

from reader import manifest as mf
from reader import published_index
from reader.errors import PublishError
from reader.pipeline.publish import (
    RETIRED_GRACE_SECONDS,
    atomic_write,
    document_lock,
    retire_unreferenced,
    sweep_temp,
    update_index,
)


def test_atomic_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_a_full_disk_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old")

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(PublishError, match=r"disk is full.*intact"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_ctrl_c_during_a_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_two_builds_of_one_document_never_interleave(tmp_path):
    with (
        document_lock(tmp_path, timeout=1),
        pytest.raises(PublishError, match="another build"),
        document_lock(tmp_path, timeout=0.1),
    ):
        pass
    with document_lock(tmp_path, timeout=0.1):
        pass


def test_an_index_write_sweeps_the_temp_file_of_one_killed_midway(tmp_path):
    killed = tmp_path / ".tmp-9f8e7d6c5b4a-index.json"
    killed.write_bytes(b'{"version": 1, "docu')
    other = tmp_path / ".tmp-1234-.espeak-version.json"  # not the index lock's to remove
    other.write_bytes(b"{")
    entry = mf.IndexEntry("a", "A", "en-GB", sections=1, words=2, built_at="2026-12-01T00:00:00Z")
    update_index(tmp_path, entry)
    assert not killed.exists() and other.exists()
    assert [e.slug for e in mf.read_index(tmp_path).documents] == ["a"]


def test_an_index_change_reads_the_index_itself_under_its_lock(tmp_path, monkeypatch):
    # On a shared build folder (NFS), a file's stat may come from the attribute cache and miss
    # another machine's write: a cache keyed on it would hand back the index before that write.
    def entry(slug):
        return mf.IndexEntry(
            slug, slug, "en-GB", sections=1, words=2, built_at="2026-12-01T00:00:00Z"
        )

    update_index(tmp_path, entry("a"))
    stale = mf.read_index(tmp_path)
    update_index(tmp_path, entry("b"))  # another machine's write, which stat did not show
    monkeypatch.setattr(published_index, "read_cached", lambda path, load: stale)
    update_index(tmp_path, entry("c"))
    assert [e.slug for e in mf.read_index(tmp_path).documents] == ["a", "b", "c"]


def test_temp_leftovers_are_swept(tmp_path):
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / ".tmp-1a2b-abc.mp3").write_bytes(b"half")
    (tmp_path / ".tmp-3c4d-manifest.json").write_bytes(b"{")
    (tmp_path / "audio" / "abc.mp3").write_bytes(b"whole")
    assert sweep_temp(tmp_path) == 2
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["abc.mp3"]


def test_unused_audio_is_kept_for_a_grace_period_then_deleted(tmp_path):
    audio = tmp_path / "audio"
    audio.mkdir()
    for name in ("old.mp3", "new.mp3"):
        (audio / name).write_bytes(b"x")
    assert retire_unreferenced(audio, {"new.mp3"}, now=1000.0) == []
    ledger = json.loads((tmp_path / "retired.json").read_text())
    assert ledger == {"old.mp3": 1000.0}
    assert retire_unreferenced(audio, {"new.mp3"}, now=1000.0 + RETIRED_GRACE_SECONDS - 1) == []
    assert (audio / "old.mp3").exists()
    deleted = retire_unreferenced(audio, {"new.mp3"}, now=1000.0 + RETIRED_GRACE_SECONDS)
    assert deleted == ["old.mp3"]
    assert sorted(p.name for p in audio.iterdir()) == ["new.mp3"]


def test_audio_used_again_leaves_the_ledger(tmp_path):
    audio = tmp_path / "audio"
    audio.mkdir()
    (audio / "a.mp3").write_bytes(b"x")
    retire_unreferenced(audio, set(), now=1.0)
    retire_unreferenced(audio, {"a.mp3"}, now=2.0)
    assert json.loads((tmp_path / "retired.json").read_text()) == {}


def test_audio_no_manifest_used_is_deleted_at_once(tmp_path):
    audio = tmp_path / "audio"
    audio.mkdir()
    for name in ("current.mp3", "replaced.mp3", "retired.mp3", "orphan.mp3"):
        (audio / name).write_bytes(b"x")
    (tmp_path / "retired.json").write_text(json.dumps({"retired.mp3": 500.0}))
    deleted = retire_unreferenced(audio, {"current.mp3"}, {"current.mp3", "replaced.mp3"}, 1000.0)
    assert deleted == ["orphan.mp3"]
    assert json.loads((tmp_path / "retired.json").read_text()) == {
        "replaced.mp3": 1000.0,
        "retired.mp3": 500.0,
    }


def test_an_unknown_previous_manifest_gives_every_unused_file_the_grace(tmp_path):
    audio = tmp_path / "audio"
    audio.mkdir()
    (audio / "maybe.mp3").write_bytes(b"x")
    assert retire_unreferenced(audio, set(), None, now=1.0) == []
    assert (audio / "maybe.mp3").exists()
