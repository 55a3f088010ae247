"""One document's unexpected failure fails that document only, in one line with a log file."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.pipeline import parse
from reader.pipeline.failure import unexpected_failure
from tests.support.content import SMALL, write_document

DEEP = 5_000
LOG_LINE = re.compile(r"unexpected error \(RuntimeError: parser bug\).*details are in (\S+\.log)")


def deep_document() -> str:
    nested = "<div><span>" * DEEP + "Deep text." + "</span></div>" * DEEP
    return SMALL.replace("<p>An introduction.</p>", nested)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def fake_build(root: Path):
    return run(
        *("build", "--engine", "fake", "--jobs", "1"),
        *("--content", str(root / "content"), "--out", str(root / "build")),
    )


@pytest.fixture
def broken_parser(monkeypatch):
    """Make the parser raise an unexpected error for the document named "broken"."""
    real = parse.parse_document

    def parse_document(source: bytes, slug: str):
        if slug == "broken":
            raise RuntimeError("parser bug")
        return real(source, slug)

    monkeypatch.setattr(parse, "parse_document", parse_document)


def test_a_deeply_nested_document_is_built_and_checked(tmp_path):
    write_document(tmp_path / "content", "deep", deep_document())
    write_document(tmp_path / "content", "small", SMALL)
    result = fake_build(tmp_path)
    assert result.exit_code == 0, result.output
    assert "2 documents built, 0 failed" in result.output
    assert (tmp_path / "build" / "deep" / "manifest.json").is_file()
    checked = run("check", "--engine", "fake", "--content", str(tmp_path / "content"))
    assert "Traceback" not in checked.output
    assert "RecursionError" not in checked.output


def test_an_unexpected_error_fails_one_document_and_builds_the_rest(tmp_path, broken_parser):
    for slug in ("a-first", "broken", "z-last"):
        write_document(tmp_path / "content", slug, SMALL)
    result = fake_build(tmp_path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "2 documents built, 1 failed" in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error: broken:")]
    assert len(lines) == 1
    log = Path(LOG_LINE.search(lines[0])[1])
    assert log.parent == tmp_path / "build" / ".logs"
    assert log.name.startswith("broken-")
    assert "Traceback" in log.read_text() and "parser bug" in log.read_text()
    for slug in ("a-first", "z-last"):
        assert (tmp_path / "build" / slug / "manifest.json").is_file()
    assert not (tmp_path / "build" / "broken" / "manifest.json").exists()


def test_an_unexpected_error_fails_one_documents_check(tmp_path, broken_parser, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_document(tmp_path / "content", "broken", SMALL)
    write_document(tmp_path / "content", "small", SMALL)
    result = run("check", "--engine", "fake", "--content", "content")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "small: ok" in result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("broken:")]
    log = Path(LOG_LINE.search(line)[1])
    assert log.resolve().parent == (tmp_path / "build" / ".logs").resolve()
    assert "parser bug" in log.read_text()


def test_a_log_folder_that_cannot_be_written_still_gives_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    line = unexpected_failure(blocked / ".logs", "x", ValueError("bad\nvalue"))
    assert "\n" not in line
    assert line.startswith("unexpected error (ValueError: bad value)")
    log = Path(re.search(r"details are in (\S+)", line)[1])
    assert log.is_relative_to(tmp_path / "temp")
    assert "ValueError" in log.read_text()
