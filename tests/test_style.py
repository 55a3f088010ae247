"""The code stays as ruff wants it: linted and formatted."""

from __future__ import annotations

import subprocess
import sys

from tests.support.content import REPO


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True
    )


def test_ruff_finds_nothing_to_lint():
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_finds_nothing_to_reformat():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout
