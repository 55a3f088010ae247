"""Test the typed manifest: reading, checking, writing and its version."""

from __future__ import annotations

import copy
import json

import pytest

from reader import manifest as mf


def _data(published) -> dict:
    return json.loads(mf.manifest_path(published.out_dir, "neuroendocrine-tumours").read_bytes())


def test_a_built_manifest_reads_back_to_the_same_json(published):
    data = _data(published)
    manifest = mf.Manifest.from_dict(data)
    assert manifest.version == mf.VERSION == data["version"]
    assert manifest.document.slug == "neuroendocrine-tumours"
    assert isinstance(manifest.sections[0].sentences[0], mf.Sentence)
    assert manifest.to_dict() == data
    assert json.loads(mf.dumps(manifest)) == data


def test_a_manifest_is_written_as_compact_json_that_reads_back_the_same(published):
    manifest = mf.load_manifest(published.out_dir, "neuroendocrine-tumours")
    assert any(s.words for section in manifest.sections for s in section.sentences)
    text_only = mf.Manifest(
        document=manifest.document,
        built_at=manifest.built_at,
        sections=tuple(mf.Section(s.id, s.heading, s.level) for s in manifest.sections),
    )
    for value in (manifest, text_only, mf.read_index(published.out_dir), mf.Index(())):
        written = mf.dumps(value)
        compact = json.dumps(value.to_dict(), ensure_ascii=False, separators=(",", ":"))
        assert written == compact.encode("utf-8")
        assert type(value).from_dict(json.loads(written)) == value


def test_optional_fields_are_left_out_while_none(published):
    data = _data(published)
    del data["document"]["words"]
    manifest = mf.Manifest.from_dict(data)
    assert manifest.document.words is None
    assert "words" not in manifest.to_dict()["document"]


def test_unknown_keys_are_ignored(published):
    data = _data(published)
    data["from_a_newer_build"] = {"x": 1}
    assert "from_a_newer_build" not in mf.Manifest.from_dict(data).to_dict()


def _damaged(data: dict, path: str, value) -> dict:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("version", 2, "not a version 1 manifest"),
        ("document", KeyError, "manifest.document: missing"),
        ("document.slug", "Bad Slug", "manifest.document: not a document name: 'Bad Slug'"),
        ("sections", [], "manifest: no sections"),
        ("sections.0.duration", "long", "manifest.sections[0].duration: expected a number"),
        ("sections.0.level", 4, "manifest.sections[0]: level must be 1, 2 or 3, not 4"),
        ("sections.0.level", True, "manifest.sections[0].level: expected a whole number"),
        ("sections.1.audio", "../../etc/passwd", "manifest.sections[1]: bad audio path"),
        ("sections.1.audio", None, "manifest.sections[1]: sentences without audio"),
        ("sections.0.sentences.0.end", -1, "manifest.sections[0].sentences[0]: bad timing"),
        ("sections.0.sentences.0.text", 3, "sentences[0].text: expected str, got 3"),
        ("voice", KeyError, "manifest: audio without a voice"),
    ],
)
def test_from_dict_says_where_a_manifest_is_wrong(published, path, value, message):
    with pytest.raises(mf.ManifestError) as caught:
        mf.Manifest.from_dict(_damaged(_data(published), path, value))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("version", 2, "not a version 1 manifest"),
        ("document", KeyError, "manifest.document: missing"),
        ("sections", [], "manifest: no sections"),
        ("sections.0.duration", "long", "manifest.sections[0].duration: expected a number"),
        ("sections.0.level", 4, "manifest.sections[0]: level must be 1, 2 or 3, not 4"),
        ("sections.1.audio", "../../etc/passwd", "manifest.sections[1]: bad audio path"),
        ("sections.1.audio", None, "manifest: some sections have audio and some do not"),
        ("page", "../secret.html", "manifest: bad page path"),
        ("voice", KeyError, "manifest: audio without a voice"),
    ],
)
def test_an_outline_checks_everything_but_the_sentences(published, path, value, message):
    with pytest.raises(mf.ManifestError) as caught:
        mf.Outline.from_dict(_damaged(_data(published), path, value))
    assert message in str(caught.value)


def test_an_outline_is_the_manifest_without_its_sentences(published):
    data = _data(published)
    whole, outline = mf.Manifest.from_dict(data), mf.Outline.from_dict(data)
    assert isinstance(whole, mf.Outline) and not isinstance(outline, mf.Manifest)
    assert outline.document == whole.document and outline.download == whole.download
    assert outline.audio_names == whole.audio_names and outline.duration == whole.duration
    for part, section in zip(outline.sections, whole.sections, strict=True):
        assert not hasattr(part, "sentences")
        assert (part.id, part.heading, part.audio) == (section.id, section.heading, section.audio)
    # What only the widget reads is left unread, so damage there is the manifest's alone.
    damaged = _damaged(data, "sections.0.sentences.0.end", -1)
    assert mf.Outline.from_dict(damaged) == outline
    with pytest.raises(mf.ManifestError, match="bad timing"):
        mf.Manifest.from_dict(damaged)


def test_a_list_is_not_a_manifest():
    with pytest.raises(mf.ManifestError, match="manifest: expected an object"):
        mf.Manifest.from_dict([])


def test_read_manifest_names_the_file(tmp_path):
    path = tmp_path / "manifest.json"
    assert mf.read_manifest(path) is None
    path.write_text("{not json")
    with pytest.raises(mf.ManifestError, match=r"manifest\.json: cannot read the manifest"):
        mf.read_manifest(path)
    path.write_text('{"version": 1}')
    with pytest.raises(mf.ManifestError, match=r"manifest\.json: manifest\.document: missing"):
        mf.read_manifest(path)


def test_the_build_checks_what_it_writes():
    with pytest.raises(mf.ManifestError, match="level must be 1, 2 or 3"):
        mf.Section(id="x", heading="X", level=7)
