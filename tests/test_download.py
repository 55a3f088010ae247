"""The whole-page download: sections joined frame by frame, with ID3 chapters, rebuilt lazily."""

from __future__ import annotations

import io
import itertools
import json
from urllib.parse import urljoin

import lameenc
import pytest
from mutagen.id3 import ID3, CTOCFlags

from reader import create_app
from reader import manifest as mf
from reader.errors import PublishError
from reader.pipeline.build import build_documents
from reader.pipeline.download import Chapter, join_sections, mp3_frames, tables_of_contents
from reader.pipeline.encode import encode_mp3
from reader.pipeline.fake_engine import FakeEngine
from reader.pipeline.publish import RETIRED_NAME
from reader.web.export import export_site
from tests.audio import decode_mp3
from tests.support.content import FAKE, NETS, SMALL, rebuild_without, write_document


def chapters_of(path) -> list[tuple[str, str, int, int]]:
    """Read back the chapters of an MP3 in table-of-contents order, through nested tables."""
    tags = ID3(path)
    tables = {toc.element_id: toc for toc in tags.getall("CTOC")}
    (top,) = [toc for toc in tables.values() if toc.flags & CTOCFlags.TOP_LEVEL]
    chapters = {chap.element_id: chap for chap in tags.getall("CHAP")}

    def walk(toc) -> list[str]:
        assert toc.flags & CTOCFlags.ORDERED and len(toc.child_element_ids) <= 255
        found = []
        for child in toc.child_element_ids:
            found += walk(tables[child]) if child in tables else [child]
        return found

    return [
        (
            element_id,
            str(chapters[element_id].sub_frames["TIT2"]),
            chapters[element_id].start_time,
            chapters[element_id].end_time,
        )
        for element_id in walk(top)
    ]


def test_the_download_plays_as_long_as_its_sections_and_has_a_chapter_each(published):
    manifest = mf.load_manifest(published.out_dir, NETS)
    folder = mf.document_dir(published.out_dir, NETS)
    download = folder / manifest.download.audio
    assert download.stat().st_size == manifest.download.bytes
    samples = len(decode_mp3(download.read_bytes()))
    sections = [len(decode_mp3((folder / s.audio).read_bytes())) for s in manifest.sections]
    # Frame-accurate: the joined file decodes to exactly the sections' samples, and each
    # section plays at most one MP3 frame (26 ms) past its manifest duration.
    assert samples == sum(sections)
    assert manifest.download.duration == pytest.approx(samples / 22050, abs=0.001)
    listed = sum(s.duration for s in manifest.sections)
    assert listed <= samples / 22050 <= listed + len(sections) * 576 / 22050
    chapters = chapters_of(download)
    assert [(c[0], c[1]) for c in chapters] == [(s.id, s.heading) for s in manifest.sections]
    assert chapters[0][2] == 0 and chapters[-1][3] == round(samples / 22050 * 1000)
    for before, after in itertools.pairwise(chapters):
        assert before[3] == after[2]
    assert str(ID3(download)["TIT2"]) == manifest.document.title


def test_the_download_is_named_relative_to_the_manifest(published):
    data = json.loads(mf.manifest_path(published.out_dir, NETS).read_text())
    assert set(data["download"]) == {"audio", "bytes", "duration"}
    assert (
        data["download"]["audio"].startswith("audio/") and "/" not in data["download"]["audio"][6:]
    )


def test_the_download_is_rebuilt_only_when_a_section_changes(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "small", SMALL)
    build_documents(content, out, options=FAKE)
    first = mf.load_manifest(out, "small").download
    path = mf.document_dir(out, "small") / first.audio
    written = path.stat().st_mtime_ns
    # A lexicon entry for a word the page does not use: a new build, the same sections.
    (content / "lexicon.tsv").write_text("zyzzyva\tziz iva\n", encoding="utf-8")
    result = build_documents(content, out, options=FAKE).results[0]
    assert (result.built, result.reused) == (0, 4)
    assert mf.load_manifest(out, "small").download == first
    assert path.stat().st_mtime_ns == written

    write_document(content, "small", SMALL.replace("The detail.", "The new detail."))
    result = build_documents(content, out, options=FAKE).results[0]
    assert (result.built, result.reused) == (1, 3)
    second = mf.load_manifest(out, "small").download
    assert second.audio != first.audio
    # The old download is retired like old section audio: kept for a grace period.
    retired = json.loads((mf.document_dir(out, "small") / RETIRED_NAME).read_text())
    assert path.name in retired and path.is_file()


def test_a_manifest_from_before_downloads_gets_one_without_new_audio(tmp_path):
    out, _, result = rebuild_without(tmp_path, "download")
    assert (result.built, result.reused) == (0, 4)
    assert mf.load_manifest(out, "small").download is not None


def test_frames_are_counted_exactly():
    pcm = FakeEngine(160).synthesise("A short sentence of speech.", "gmw/en")
    mp3 = encode_mp3(pcm)
    frames = mp3_frames(mp3)
    assert frames.sample_rate == 22050 and frames.samples_per_frame == 576
    assert frames.count * 576 == len(decode_mp3(mp3))


def test_frames_of_changing_bitrate_are_counted_exactly():
    # The walk decodes a header once and reuses it while headers repeat; a new bitrate is
    # a new header, decoded afresh.
    pcm = FakeEngine(160).synthesise("A short sentence of speech, and a longer one.", "gmw/en")
    mp3 = _lame(pcm, in_sample_rate=22050, vbr=4, vbr_quality=2)
    assert mp3_frames(mp3).count * 576 == len(decode_mp3(mp3))


def test_damage_after_good_frames_names_its_byte():
    mp3 = encode_mp3(FakeEngine(160).synthesise("A short sentence of speech.", "gmw/en"))
    damaged = mp3[:1000] + b"-" * 8 + mp3[1000:]
    with pytest.raises(PublishError, match=r"not an MPEG audio frame at byte \d+"):
        mp3_frames(damaged)


@pytest.mark.parametrize("damage", [b"ID3\x03\x00", b"\x00" * 10, b""])
def test_a_section_that_is_not_plain_mp3_frames_is_a_clear_error(damage):
    mp3 = encode_mp3(FakeEngine(160).synthesise("Speech.", "gmw/en"))
    with pytest.raises(PublishError, match=r"MPEG audio frame|no audio frames"):
        join_sections("Title", [Chapter("a", "A", mp3), Chapter("b", "B", damage)])


def test_sections_encoded_differently_are_not_joined():
    pcm = FakeEngine(160).synthesise("Speech.", "gmw/en")
    at_24khz = _lame(pcm, bit_rate=48, in_sample_rate=24000)
    assert mp3_frames(at_24khz).sample_rate == 24000
    with pytest.raises(PublishError, match="section 'b' is encoded differently"):
        join_sections("Title", [Chapter("a", "A", encode_mp3(pcm)), Chapter("b", "B", at_24khz)])


def test_the_service_and_the_export_serve_the_download(published, tmp_path, monkeypatch):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {"TESTING": True, "CONTENT_DIR": published.content_dir, "BUILD_DIR": published.out_dir}
    )
    manifest_url = f"http://localhost/api/documents/{NETS}/manifest.json"
    client = app.test_client()
    download = client.get(manifest_url).get_json()["download"]
    response = client.get(urljoin(manifest_url, download["audio"]))
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert len(response.data) == download["bytes"]
    response.close()

    export_site(app, tmp_path / "site")
    exported = json.loads((tmp_path / "site/api/documents" / NETS / "manifest.json").read_text())
    name = exported["download"]["audio"].rsplit("/", 1)[1]
    exported_audio = tmp_path / "site/api/documents" / NETS / "audio" / name
    assert exported_audio.stat().st_size == download["bytes"]


def _lame(pcm: bytes, **settings) -> bytes:
    """Encode mono PCM with lameenc settings other than encode.py's (set_<name>(value))."""
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    for name, value in settings.items():
        getattr(encoder, f"set_{name}")(value)
    return bytes(encoder.encode(pcm)) + bytes(encoder.flush())


def test_a_document_of_3000_sections_builds_plays_and_downloads(tmp_path, monkeypatch):
    # A CTOC counts its children in one byte: 3,000 chapters need nested tables.
    count = 3000
    body = "".join(f"<h2>Part {n}</h2><p>Text {n}.</p>" for n in range(1, count))
    html = f'<html lang="en-GB"><body><main><h1>A to Z</h1><p>Intro.</p>{body}</main></body></html>'
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "a-to-z", html)
    summary = build_documents(content, out, options=FAKE)
    assert not summary.failed, summary.failed
    manifest = mf.load_manifest(out, "a-to-z")
    assert len(manifest.sections) == count
    download = mf.document_dir(out, "a-to-z") / manifest.download.audio
    chapters = chapters_of(download)
    assert [(c[0], c[1]) for c in chapters] == [(s.id, s.heading) for s in manifest.sections]
    for before, after in itertools.pairwise(chapters):
        assert before[3] == after[2]
    assert chapters[-1][3] == round(manifest.download.duration * 1000)
    tables = ID3(download).getall("CTOC")
    assert len(tables) == 1 + 12  # the top table and ceil(3000 / 255) groups
    assert str(ID3(download)["TIT2"]) == "A to Z"

    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    client = create_app({"TESTING": True, "CONTENT_DIR": content, "BUILD_DIR": out}).test_client()
    page = client.get("/documents/a-to-z").get_data(as_text=True)
    assert page.count('class="vr-listen"') == count and "Part 2999" in page
    served = client.get("/api/documents/a-to-z/manifest.json").get_json()
    assert len(served["sections"]) == count
    with client.get(f"/api/documents/a-to-z/{manifest.download.audio}") as response:
        assert response.status_code == 200 and len(response.data) == manifest.download.bytes


def test_chapter_ids_never_take_a_table_of_contents_id():
    mp3 = encode_mp3(FakeEngine(160).synthesise("Speech.", "gmw/en"))
    tagged, _ = join_sections("T", [Chapter("toc", "A", mp3), Chapter("toc-1", "B", mp3)])
    path_ids = [c.element_id for c in ID3(io.BytesIO(tagged)).getall("CHAP")]
    assert path_ids == ["section-1", "section-2"]


@pytest.fixture(scope="module")
def speech() -> bytes:
    """Return one short section's MP3, to be every chapter of a long download."""
    return encode_mp3(FakeEngine(160).synthesise("Speech.", "gmw/en"))


@pytest.mark.parametrize(
    ("count", "groups"),
    [
        (255, None),
        (256, [("toc-1", "Sections 1 to 255", 255), ("toc-2", "Sections 256 to 256", 1)]),
    ],
    ids=["255 chapters", "256 chapters"],
)
def test_255_chapters_take_one_table_and_256_a_table_of_two_ordered_tables(speech, count, groups):
    ids = [f"part-{n}" for n in range(1, count + 1)]
    tagged, duration = join_sections("Long", [Chapter(i, f"Part {i}", speech) for i in ids])
    tags = ID3(io.BytesIO(tagged))
    tables = {toc.element_id: toc for toc in tags.getall("CTOC")}
    top = tables.pop("toc")
    assert top.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    if groups is None:
        assert tables == {} and top.child_element_ids == ids
    else:
        assert top.child_element_ids == [name for name, _, _ in groups]
        for name, title, size in groups:
            assert tables[name].flags == CTOCFlags.ORDERED  # ordered, and not a second top
            assert str(tables[name].sub_frames["TIT2"]) == title
            assert len(tables[name].child_element_ids) == size

    # Read back in table order: every chapter once, in order, each starting where the last
    # ended, from 0 to the end of the file.
    chapters = chapters_of(io.BytesIO(tagged))
    assert [(c[0], c[1]) for c in chapters] == [(i, f"Part {i}") for i in ids]
    assert chapters[0][2] == 0 and chapters[-1][3] == round(duration * 1000)
    assert all(start < end for _, _, start, end in chapters)
    for before, after in itertools.pairwise(chapters):
        assert before[3] == after[2]


def test_the_largest_download_has_255_tables_of_255_and_one_more_section_is_refused(speech):
    largest = [f"s{n}" for n in range(255 * 255)]
    tags = ID3()
    for table in tables_of_contents("Largest", largest):
        tags.add(table)
    written = io.BytesIO()
    tags.save(written, v1=0, v2_version=3, padding=lambda info: 0)
    written.seek(0)
    tables = {toc.element_id: toc for toc in ID3(written).getall("CTOC")}
    top = tables.pop("toc")
    assert top.child_element_ids == [f"toc-{n}" for n in range(1, 256)] and len(tables) == 255
    listed = [i for name in top.child_element_ids for i in tables[name].child_element_ids]
    assert listed == largest
    assert {len(toc.child_element_ids) for toc in tables.values()} == {255}

    # One more cannot be listed (a CTOC counts its children in one byte): a clear error,
    # before any audio is walked.
    chapters = [Chapter(i, i, speech) for i in [*largest, "one-more"]]
    with pytest.raises(PublishError, match=r"^a download holds at most 65025 sections, not 65026"):
        join_sections("Too long", chapters)
