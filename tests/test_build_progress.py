"""`reader build` tells how far it is and about how long is left, for the whole build."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.commands.build import LINE_EVERY, _Progress
from tests.support.content import REPO, SMALL, write_document

ESTIMATE = re.compile(r"… (\d+) of (about )?(\d+) sections, about (\d+) (s|min) left")
DONE = re.compile(r"… (\d+) of (\d+) sections, done$")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_estimate_is_the_measured_rate_times_the_sections_left(capsys):
    clock = Clock()
    with _Progress(1, terminal=False, clock=clock) as progress:
        # The first section also paid for starting up: the rate is measured after it.
        clock.now += 5.0
        for done in range(1, 31):
            progress("page", done, 30)
            clock.now += 1.0
    lines = capsys.readouterr().err.splitlines()
    # Said when first known (3 done: 2 s for 2 sections, 27 to go), then every LINE_EVERY s.
    assert lines[0] == "… 3 of 30 sections, about 27 s left"
    assert LINE_EVERY == 10.0
    assert lines[1:3] == [
        "… 13 of 30 sections, about 17 s left",
        "… 23 of 30 sections, about 7 s left",
    ]
    assert len(lines) == 4
    assert lines[-1] == "… 30 of 30 sections, done"


def test_documents_not_begun_count_as_the_mean_of_those_begun(capsys):
    clock = Clock()
    with _Progress(3, terminal=False, clock=clock) as progress:
        for done in range(1, 4):
            progress("first", done, 10)
            clock.now += 2.0
        # 2 s a section; 10 sections here, and about 10 in each of the two others.
        assert capsys.readouterr().err == "… 3 of about 30 sections, about 54 s left\n"
        for done in range(4, 11):
            progress("first", done, 10)
        progress("second", 1, 4)
        progress("third", 1, 6)
        # Every document has begun: the count is exact.
        assert progress._counts() == "12 of 20 sections"


def test_a_build_that_fails_or_is_stopped_does_not_say_done(capsys):
    clock = Clock()
    with pytest.raises(KeyboardInterrupt), _Progress(1, terminal=False, clock=clock) as progress:
        progress("page", 1, 5)
        raise KeyboardInterrupt
    assert "done" not in capsys.readouterr().err


def test_a_piped_build_logs_its_estimate_and_says_when_it_is_done(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    nets = (REPO / "content" / "neuroendocrine-tumours.html").read_text()
    write_document(content, "nets", nets)
    write_document(content, "small", SMALL)
    args = ["build", "--engine", "fake", "--jobs", "1", "--content", str(content)]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    estimates = [ESTIMATE.fullmatch(line) for line in lines[:-1]]
    assert estimates and all(estimates), lines
    # A few lines, not one a section: the first as soon as the rate is known.
    assert len(estimates) < 10
    first = estimates[0]
    assert int(first[1]) == 3 and int(first[4]) >= 1
    done = DONE.fullmatch(lines[-1])
    assert done and done[1] == done[2], lines[-1]
    assert "2 documents built" in result.stdout
    # Nothing to do: no progress at all.
    again = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert again.exit_code == 0 and again.stderr == ""
