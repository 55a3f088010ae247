"""The commands' help and refusals call documents by their names, which may be paths."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reader.cli import main


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("build", "Usage: main build [OPTIONS] [NAMES]..."),
        ("check", "Usage: main check [OPTIONS] [NAMES]..."),
        ("embed-snippet", "Usage: main embed-snippet [OPTIONS] NAME"),
        ("say", "--document NAME"),
    ],
)
def test_help_says_names_not_slugs(command, usage):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert usage in result.output
    assert "slug" not in result.output.lower()


def test_the_list_of_commands_says_names():
    result = CliRunner().invoke(main, ["--help"])
    assert "Build audio for NAMES" in result.output
    assert "slug" not in result.output.lower()


def test_a_bad_name_on_the_command_line_is_refused_as_a_name(tmp_path):
    content = ["--content", str(tmp_path)]
    for args in (
        ["build", "Conditions/Fever", "--engine", "fake", "--out", str(tmp_path / "build")],
        ["say", "hello", "--document", "Conditions/Fever", "--out", str(tmp_path / "say.wav")],
    ):
        result = CliRunner().invoke(main, [*args, *content])
        assert result.exit_code == 1
        said = "'Conditions/Fever' is not a valid document name: names are lower case"
        assert said in result.output and "Traceback" not in result.output
