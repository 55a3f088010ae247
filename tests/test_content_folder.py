"""The content folder: one name check for every command, and no links out of the folder."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.content import read_content, require_slug
from reader.errors import ContentError
from reader.pipeline.build import build_documents
from reader.pipeline.lexicon import load_lexicon
from reader.web.catalogue import Catalogue
from tests.support.content import FAKE, SMALL, write_document

NAME_MESSAGE = "'Upper Case Name' is not a valid document name"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def outside(tmp_path):
    """Return a secret file outside the content folder, and the folder."""
    secret = tmp_path / "secret.html"
    secret.write_text(SMALL.replace("An introduction.", "Secret words."), "utf-8")
    content = tmp_path / "content"
    write_document(content, "small", SMALL)
    return secret, content


@pytest.mark.parametrize("command", ["build", "check"])
def test_build_and_check_refuse_a_bad_name_the_same_way(tmp_path, command):
    write_document(tmp_path / "content", "Upper Case Name", SMALL)
    args = [command, "Upper Case Name", "--engine", "fake", "--content", str(tmp_path / "content")]
    if command == "build":
        args += ["--out", str(tmp_path / "build")]
    result = run(*args)
    assert result.exit_code == 1
    assert NAME_MESSAGE in result.output
    assert "ok" not in result.output.split()


def test_check_of_every_document_refuses_a_file_with_a_bad_name(tmp_path):
    write_document(tmp_path / "content", "Upper Case Name", SMALL)
    result = run("check", "--engine", "fake", "--content", str(tmp_path / "content"))
    assert result.exit_code == 1
    assert NAME_MESSAGE in result.output


def test_require_slug_accepts_names_only():
    for good in ("neuroendocrine-tumours", "conditions/fever", "flu_jab", "café-info", "a--b"):
        require_slug(good)
    for bad in ("Upper Case Name", "../etc", "a//b", "", "x" * 201):
        with pytest.raises(ContentError, match="not a valid document name"):
            require_slug(bad)


def test_a_link_inside_the_folder_is_read(outside):
    _, content = outside
    (content / "alias.html").symlink_to(content / "small.html")
    assert read_content(content, content / "alias.html") == (content / "small.html").read_bytes()


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_document_linked_to_outside_the_folder_is_refused(tmp_path, outside, command):
    secret, content = outside
    (content / "linked.html").symlink_to(secret)
    (content / "passwd.html").symlink_to("/etc/passwd")
    args = [command, "--engine", "fake", "--content", str(content)]
    if command == "build":
        args += ["--out", str(tmp_path / "build")]
    result = run(*args)
    assert result.exit_code == 1
    for slug in ("linked", "passwd"):
        [line] = [line for line in result.output.splitlines() if f"{slug}.html is a link" in line]
        assert "outside the content folder" in line
    assert "root:" not in result.output and "Secret" not in result.output
    assert not (tmp_path / "build" / "linked").exists()
    assert not (tmp_path / "build" / "passwd").exists()


def test_a_lexicon_linked_to_outside_the_folder_is_refused(outside):
    secret, content = outside
    (content / "lexicon.tsv").symlink_to(secret)
    with pytest.raises(ContentError, match=r"lexicon\.tsv is a link .* outside the content"):
        load_lexicon(content, "small")


def test_the_service_does_not_show_a_document_linked_to_outside(tmp_path, outside):
    secret, content = outside
    (content / "linked.html").symlink_to(secret)
    # The service shows only what the build published, and the build refuses the link.
    summary = build_documents(content, tmp_path / "build", options=FAKE)
    assert [r.slug for r in summary.failed] == ["linked"]
    catalogue = Catalogue(tmp_path / "build", content)
    assert catalogue.entry("small") is not None
    assert catalogue.entry("linked") is None
