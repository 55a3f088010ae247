"""Run a build command at low priority and record how it ended, for the admin page.

Usage: python -m reader.admin.job_runner RESULT_FILE LOG_FILE -- COMMAND…
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from reader.pipeline.publish import atomic_write

NICENESS = 10
# The closing line of `reader build` (BuildSummary.text) and its per-document errors.
_SUMMARY = re.compile(r"^\d+ documents? built, \d+ failed: .*$", re.M)
_ERROR = re.compile(r"^error: .*$", re.M | re.I)


def outcome(returncode: int, log_text: str) -> dict:
    """Describe a finished build from its exit code and its output."""
    summary = _SUMMARY.findall(log_text)
    return {
        "returncode": returncode,
        "finished": time.time(),
        "summary": summary[-1] if summary else "",
        "errors": _ERROR.findall(log_text)[-5:],
    }


def run(result_path: Path, log_path: Path, command: list[str]) -> int:
    """Run `command` niced, then write its outcome to `result_path` atomically."""
    # Synthesis is batch work: visitors of the same machine are served first.
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    try:
        returncode = subprocess.run(command, stdin=subprocess.DEVNULL, check=False).returncode
    except OSError as error:
        print(f"error: cannot start the build: {error}", flush=True)
        returncode = 127
    sys.stdout.flush()
    try:
        log_text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        log_text = ""
    result = outcome(returncode, log_text)
    atomic_write(result_path, json.dumps(result).encode("utf-8"))
    return returncode


def main(argv: list[str]) -> int:
    """Parse the command line and run the job."""
    if len(argv) < 4 or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    return run(Path(argv[0]), Path(argv[1]), argv[3:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
