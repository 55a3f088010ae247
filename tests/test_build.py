"""Incremental, atomic builds: what is published, what is reused, what survives failures."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from reader import manifest as mf
from reader.errors import PublishError
from reader.pipeline import parse, publish
from reader.pipeline.build import build_documents
from reader.pipeline.publish import document_lock
from tests.support.content import FAKE, NETS, REPO, SMALL, rebuild_without, write_document


def read_manifest(out_dir: Path, slug: str) -> dict:
    return json.loads(mf.manifest_path(out_dir, slug).read_text())


def test_the_nets_document_is_published_with_every_heading_as_a_section(published):
    manifest = json.loads(mf.manifest_path(published.out_dir, NETS).read_text())
    assert manifest["version"] == 1
    assert manifest["document"]["slug"] == NETS
    assert manifest["document"]["title"] == "Neuroendocrine tumours (NETs)"
    assert manifest["document"]["lang"] == "en-GB"
    assert manifest["voice"] == {
        "engine": "fake-1",
        "voice": "gmw/en",
        "rate": 160,
        "description": "Test tones",
    }
    source = (REPO / "content" / f"{NETS}.html").read_text()
    headings = [s["heading"] for s in manifest["sections"]]
    assert len(headings) == 1 + source.count("<h2") + source.count("<h3")
    assert "Ultrasound scan" in headings and "Types of NETs" in headings
    for section in manifest["sections"]:
        audio = mf.document_dir(published.out_dir, NETS) / section["audio"]
        assert audio.stat().st_size == section["bytes"]
        assert section["sentences"][0]["text"] == section["heading"]
        ends = [s["end"] for s in section["sentences"]]
        assert ends == sorted(ends) and ends[-1] <= section["duration"]


def test_no_spoken_text_says_registered_or_slash(published):
    manifest = json.loads(mf.manifest_path(published.out_dir, NETS).read_text())
    spoken = " ".join(s["spoken"] for sec in manifest["sections"] for s in sec["sentences"])
    assert "registered" not in spoken.lower() and "slash" not in spoken.lower()
    assert "®" not in spoken and "/" not in spoken


def test_mp3_is_at_most_15_percent_of_the_wav(published):
    manifest = json.loads(mf.manifest_path(published.out_dir, NETS).read_text())
    mp3 = sum(s["bytes"] for s in manifest["sections"])
    wav = sum(44 + s["duration"] * 22050 * 2 for s in manifest["sections"])
    assert mp3 <= 0.15 * wav


def test_a_build_folder_it_cannot_write_into_is_refused_before_any_document(tmp_path, monkeypatch):
    write_document(tmp_path / "content", "tiny", SMALL)
    (tmp_path / "build").mkdir()
    # A read-only mount, as root cannot be refused by permissions: os.access says EROFS.
    monkeypatch.setattr("os.access", lambda path, mode: False)
    with pytest.raises(PublishError, match=r"cannot write into the build folder .*build"):
        build_documents(tmp_path / "content", tmp_path / "build", options=FAKE)
    assert list((tmp_path / "build").iterdir()) == []


def test_a_rebuild_without_changes_reuses_everything_and_rewrites_nothing(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    build_documents(tmp_path / "content", tmp_path / "build", options=FAKE)
    before = mf.manifest_path(tmp_path / "build", "small").read_bytes()
    result = build_documents(tmp_path / "content", tmp_path / "build", options=FAKE).results[0]
    assert (result.built, result.reused) == (0, 4)
    assert mf.manifest_path(tmp_path / "build", "small").read_bytes() == before


def test_an_edit_rebuilds_only_its_section(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    old = read_manifest(out, "small")
    write_document(content, "small", SMALL.replace("The detail.", "The new detail."))
    result = build_documents(content, out, options=FAKE).results[0]
    assert (result.built, result.reused) == (1, 3)
    new = read_manifest(out, "small")
    changed = [a["id"] for a, b in zip(old["sections"], new["sections"], strict=True) if a != b]
    assert changed == ["detail"]
    # The old file stays for visitors still listening to the old manifest.
    old_audio = mf.document_dir(out, "small") / old["sections"][-1]["audio"]
    assert old_audio.is_file()


def test_force_rebuilds_everything(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    build_documents(tmp_path / "content", tmp_path / "build", options=FAKE)
    forced = replace(FAKE, force=True)
    result = build_documents(tmp_path / "content", tmp_path / "build", options=forced).results[0]
    assert (result.built, result.reused) == (4, 0)


def test_a_lexicon_change_rebuilds_the_sections_it_touches(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    (content / "lexicon.tsv").write_text("detail\tdee tail\n", encoding="utf-8")
    result = build_documents(content, out, options=FAKE).results[0]
    assert (result.built, result.reused) == (1, 3)
    assert read_manifest(out, "small")["sections"][-1]["sentences"][1]["spoken"] == "The dee tail."


def test_one_bad_document_does_not_stop_the_others(tmp_path):
    content = tmp_path / "content"
    write_document(content, "good", SMALL)
    write_document(content, "no-title", "<p>No heading at all.</p>")
    (content / "bad-utf8.html").write_bytes(b"<h1>Caf\xe9</h1><p>Text.</p>")
    summary = build_documents(content, tmp_path / "build", options=FAKE)
    errors = {r.slug: r.error for r in summary.failed}
    assert set(errors) == {"no-title", "bad-utf8"}
    assert "h1" in errors["no-title"]
    assert "UTF-8" in errors["bad-utf8"]
    assert mf.manifest_path(tmp_path / "build", "good").is_file()
    assert not mf.document_dir(tmp_path / "build", "no-title").joinpath("manifest.json").exists()


def test_a_file_name_that_is_not_a_slug_is_refused(tmp_path):
    write_document(tmp_path / "content", "Bad Name", SMALL)
    result = build_documents(tmp_path / "content", tmp_path / "build", options=FAKE).results[0]
    assert "not a valid document name" in result.error


def test_a_huge_document_is_refused_with_its_limit(tmp_path):
    body = "<p>" + "Words in a very long paragraph. " * 100_000 + "</p>"
    write_document(tmp_path / "content", "huge", f"<h1>Huge</h1><h2>Part</h2>{body}")
    result = build_documents(tmp_path / "content", tmp_path / "build", options=FAKE).results[0]
    assert result.error and "limit" in result.error


def test_an_unknown_voice_lists_the_installed_ones(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    options = replace(FAKE, voice="gmw/en-xx")
    result = build_documents(tmp_path / "content", tmp_path / "build", options=options).results[0]
    assert "'gmw/en-xx' is not installed" in result.error
    assert "gmw/en-us" in result.error


def test_a_full_disk_keeps_the_published_version(tmp_path, monkeypatch):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    before = mf.manifest_path(out, "small").read_bytes()
    write_document(content, "small", SMALL.replace("The detail.", "A changed detail."))

    def full_disk(path, data):
        raise PublishError(f"the disk is full: cannot write {path}")

    monkeypatch.setattr(publish, "atomic_write", full_disk)
    result = build_documents(content, out, options=FAKE).results[0]
    assert "disk is full" in result.error
    assert mf.manifest_path(out, "small").read_bytes() == before
    for section in json.loads(before)["sections"]:
        assert (mf.document_dir(out, "small") / section["audio"]).is_file()


KILL_DURING_PUBLISH = """
import os, signal, sys
from reader.pipeline import parse, publish
from reader.pipeline.build import BuildOptions, build_documents
real = publish.atomic_write
def write_then_die(path, data):
    if path.name == "manifest.json":
        os.kill(os.getpid(), signal.SIGKILL)  # killed between the audio and the manifest
    real(path, data)
publish.atomic_write = write_then_die
build_documents(sys.argv[1], sys.argv[2], options=BuildOptions(engine="fake", jobs=1))
"""


def test_a_build_killed_mid_way_leaves_the_previous_version_intact(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    before = mf.manifest_path(out, "small").read_bytes()
    write_document(content, "small", SMALL.replace("One sentence.", "One new sentence."))
    (mf.document_dir(out, "small") / "audio" / ".tmp-dead-abc.mp3").write_bytes(b"half")
    killed = subprocess.run(
        [sys.executable, "-c", KILL_DURING_PUBLISH, str(content), str(out)], cwd=REPO
    )
    assert killed.returncode == -signal.SIGKILL
    assert mf.manifest_path(out, "small").read_bytes() == before
    for section in json.loads(before)["sections"]:
        assert (mf.document_dir(out, "small") / section["audio"]).is_file()
    # The next build sweeps the leftovers and publishes. The edited section is synthesised
    # again: its audio reached the disk, but its timings were never published.
    result = build_documents(content, out, options=FAKE).results[0]
    assert result.error is None and (result.built, result.reused) == (1, 3)
    assert not list(mf.document_dir(out, "small").rglob(".tmp-*"))


def test_two_builds_of_one_document_never_interleave(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    options = replace(FAKE, lock_timeout=0.2)
    with document_lock(mf.document_dir(tmp_path / "build", "small"), timeout=1):
        result = build_documents(tmp_path / "content", tmp_path / "build", options=options)
    assert "another build of small is still running" in result.results[0].error


@pytest.mark.parametrize(
    "damaged", ["{not json", '{"version": 1}', '{"version": 1, "sections": [1]}']
)
def test_an_unreadable_or_damaged_manifest_is_rebuilt(tmp_path, damaged):
    write_document(tmp_path / "content", "small", SMALL)
    build_documents(tmp_path / "content", tmp_path / "build", options=FAKE)
    mf.manifest_path(tmp_path / "build", "small").write_text(damaged)
    result = build_documents(tmp_path / "content", tmp_path / "build", options=FAKE).results[0]
    assert result.error is None and result.built == 4
    assert read_manifest(tmp_path / "build", "small")["version"] == 1


def test_worker_processes_publish_the_same_manifest(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    one = build_documents(tmp_path / "content", tmp_path / "one", options=FAKE)
    two = build_documents(tmp_path / "content", tmp_path / "two", options=replace(FAKE, jobs=3))
    assert not one.failed and not two.failed
    strip = lambda m: {k: v for k, v in m.items() if k != "built_at"}  # noqa: E731
    assert strip(read_manifest(tmp_path / "one", "small")) == strip(
        read_manifest(tmp_path / "two", "small")
    )


def test_a_published_version_missing_a_file_is_rebuilt(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    first = build_documents(content, out, options=FAKE).results[0]
    manifest = json.loads(mf.manifest_path(out, "small").read_bytes())
    (mf.document_dir(out, "small") / manifest["sections"][1]["audio"]).unlink()
    again = build_documents(content, out, options=FAKE).results[0]
    assert (first.built, again.built, again.reused) == (4, 1, 3)
    (mf.document_dir(out, "small") / manifest["download"]["audio"]).unlink()
    assert build_documents(content, out, options=FAKE).results[0].error is None
    assert (mf.document_dir(out, "small") / manifest["download"]["audio"]).is_file()


# ---------------------------------------------------------------- one published version


NO_VOICE = replace(FAKE, voice="gmw/en-xx")
"""Options whose audio always fails: the voice is not installed."""


def _page(out: Path, slug: str) -> str:
    manifest = mf.load_manifest(out, slug)
    return (mf.document_dir(out, slug) / manifest.page).read_text("utf-8")


def test_the_build_publishes_the_page_with_the_manifest(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    manifest = mf.load_manifest(out, "small")
    assert manifest.page.startswith("pages/") and manifest.has_audio
    assert '<h2 id="first-part">First part</h2>' in _page(out, "small")
    index = mf.read_index(out)
    assert [e.slug for e in index.documents] == ["small"]
    assert index.documents[0] == mf.IndexEntry.of(manifest)
    assert index.documents[0].duration == manifest.duration > 0


def test_a_no_change_rebuild_rewrites_nothing(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    files = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.suffix != ".lock"}
    build_documents(content, out, options=FAKE)
    assert {p: p.stat().st_mtime_ns for p in files} == files


def test_a_new_document_whose_audio_fails_is_published_as_text(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    result = build_documents(content, out, options=NO_VOICE).results[0]
    assert "'gmw/en-xx' is not installed" in result.error
    assert "published as text; its audio is being prepared" in result.error
    manifest = mf.load_manifest(out, "small")
    assert not manifest.has_audio and manifest.voice is None
    assert [s.id for s in manifest.sections] == [
        "small-page",
        "first-part",
        "second-part",
        "detail",
    ]
    assert "An introduction." in _page(out, "small")
    assert mf.read_index(out).documents[0].duration is None
    # The next build that can make audio publishes it.
    assert build_documents(content, out, options=FAKE).results[0].error is None
    assert mf.load_manifest(out, "small").has_audio


def test_an_existing_document_keeps_its_version_when_audio_fails(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    before = mf.manifest_path(out, "small").read_bytes()
    page = _page(out, "small")
    write_document(content, "small", SMALL.replace("The detail.", "A changed detail."))
    result = build_documents(content, out, options=NO_VOICE).results[0]
    assert "'gmw/en-xx' is not installed" in result.error
    assert "published as text" not in result.error
    assert mf.manifest_path(out, "small").read_bytes() == before
    assert _page(out, "small") == page and "A changed detail." not in page
    # The new page was written while the workers spoke; the failure took it away again.
    folder = mf.document_dir(out, "small")
    published = json.loads(before)
    assert [f"pages/{p.name}" for p in (folder / "pages").iterdir()] == [published["page"]]
    named = {s["audio"] for s in published["sections"]} | {published["download"]["audio"]}
    assert {f"audio/{p.name}" for p in (folder / "audio").iterdir()} == named


def test_a_manifest_from_before_pages_is_republished_without_new_audio(tmp_path):
    out, data, result = rebuild_without(tmp_path, "page")
    assert (result.built, result.reused) == (0, 4)
    again = json.loads(mf.manifest_path(out, "small").read_bytes())
    assert again["page"] and [s["audio"] for s in again["sections"]] == [
        s["audio"] for s in data["sections"]
    ]


def test_an_edit_publishes_a_new_page_and_keeps_the_one_before(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    first = mf.load_manifest(out, "small").page
    for text in ("A changed detail.", "Another detail."):
        write_document(content, "small", SMALL.replace("The detail.", text))
        build_documents(content, out, options=FAKE)
    pages = sorted(p.name for p in (mf.document_dir(out, "small") / mf.PAGES_DIR).iterdir())
    assert len(pages) == 2 and first.removeprefix("pages/") not in pages
    assert "Another detail." in _page(out, "small")


POOLED = replace(FAKE, jobs=2)


def test_the_next_document_is_read_while_the_workers_say_this_one(tmp_path, monkeypatch):
    content = tmp_path / "content"
    for slug in ("a", "b", "c"):
        write_document(content, slug, SMALL.replace("Small page", f"Page {slug}"))
    events = []
    real_parse, real_publish = parse.parse_document, publish.publish_version

    def parse_document(source, slug):
        events.append(f"parse {slug}")
        return real_parse(source, slug)

    def publish_version(out_dir, manifest, *rest):
        events.append(f"publish {manifest.document.slug}")
        return real_publish(out_dir, manifest, *rest)

    monkeypatch.setattr(parse, "parse_document", parse_document)
    monkeypatch.setattr(publish, "publish_version", publish_version)
    summary = build_documents(content, tmp_path / "build", options=POOLED)
    assert not summary.failed and [r.built for r in summary.results] == [4, 4, 4]
    # Each document's sections are queued before the one before it is published.
    assert events == ["parse a", "parse b", "publish a", "parse c", "publish b", "publish c"]


def test_a_document_whose_audio_fails_does_not_stop_the_one_queued_behind_it(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "a", SMALL.replace('lang="en-GB"', 'lang="ja"'))
    write_document(content, "b", SMALL)
    summary = build_documents(content, out, options=POOLED)
    assert [r.slug for r in summary.failed] == ["a"]
    assert "no installed voice speaks 'ja'" in summary.failed[0].error
    assert not mf.load_manifest(out, "a").has_audio
    assert mf.load_manifest(out, "b").has_audio


def test_a_slug_named_twice_is_built_once(tmp_path):
    write_document(tmp_path / "content", "small", SMALL)
    summary = build_documents(tmp_path / "content", tmp_path / "build", ["small", "small"], POOLED)
    assert [(r.slug, r.built) for r in summary.results] == [("small", 4)]
