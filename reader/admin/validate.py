"""Parse and check a document in a child process, so the web process never loads the parser.

Usage: python -m reader.admin.validate SLUG CONTENT_DIR < page.html
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 60.0
# Each check is a Python process with the parser loaded: two at a time keep a burst of PUTs
# from crowding out the service.
_slots = threading.BoundedSemaphore(2)


@dataclass
class Verdict:
    """What the check said: problems make the document unusable, findings are for an editor."""

    problems: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def check(source: bytes, slug: str, content_dir: Path) -> Verdict:
    """Parse and check `source` in a child process and return its verdict."""
    command = [sys.executable, "-m", "reader.admin.validate", slug, str(content_dir)]
    with _slots:
        try:
            done = subprocess.run(command, input=source, capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return Verdict([f"the document took longer than {TIMEOUT:g} s to read"])
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        return Verdict(["the document could not be read (the checker stopped unexpectedly)"])
    return Verdict(answer["problems"], answer["findings"])


def main(argv: list[str]) -> int:
    """Read a document on stdin and print its verdict as JSON."""
    from reader.admin.preview import inspect_document
    from reader.errors import ReaderError

    slug, content_dir = argv
    source = sys.stdin.buffer.read()
    verdict = Verdict()
    try:
        verdict.findings = inspect_document(source, slug, Path(content_dir))["findings"]
    except ReaderError as error:
        verdict.problems = [str(error)]
    except RecursionError:
        verdict.problems = ["the HTML is nested too deeply to read"]
    except Exception as error:
        verdict.problems = [f"the HTML could not be read ({type(error).__name__}: {error})"]
    print(json.dumps({"problems": verdict.problems, "findings": verdict.findings}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
