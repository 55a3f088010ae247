"""Parse and check a document in a child process, so the web process never loads the parser.

One child is kept warm, so that a check does not wait for the parser's imports: it reads
requests on stdin, a JSON line `{"slug", "content_dir", "length"}` then the page's bytes, and
answers each with one JSON line. It leaves when the web process closes its stdin.
Usage (by the service only): python -m reader.admin.validate --serve
"""

from __future__ import annotations

import atexit
import json
import select
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from reader.errors import ReaderError

TIMEOUT = 60.0


@dataclass
class Verdict:
    """What the check said: problems make the document unusable, findings are for an editor."""

    problems: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


class _Checker:
    """The warm child process, used by one request at a time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._child: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self._child is None or self._child.poll() is not None:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "reader.admin.validate", "--serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._child

    def warm_up(self) -> None:
        """Start the child now, so that the first PUT does not wait for its imports."""
        with self._lock:
            self._start()

    def check(self, source: bytes, slug: str, content_dir: Path) -> Verdict:
        """Send one document to the child and return its verdict."""
        header = {"slug": slug, "content_dir": str(content_dir), "length": len(source)}
        with self._lock:
            child = self._start()
            try:
                child.stdin.write(json.dumps(header).encode() + b"\n" + source)
                child.stdin.flush()
                ready, _, _ = select.select([child.stdout], [], [], TIMEOUT)
                line = child.stdout.readline() if ready else b""
            except OSError:
                line = b""
            if not line:
                self._stop(child)
                return Verdict([f"the document could not be read in {TIMEOUT:g} s"])
        answer = json.loads(line)
        return Verdict(answer["problems"], answer["findings"])

    def close(self) -> None:
        """Let the child go: it leaves when its stdin closes."""
        with self._lock:
            if self._child is not None:
                self._child.stdin.close()
                self._child.wait(timeout=10)
                self._child.stdout.close()
                self._child = None

    def _stop(self, child: subprocess.Popen) -> None:
        child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout):
            stream.close()
        self._child = None


_checker = _Checker()
warm_up = _checker.warm_up
atexit.register(_checker.close)


def check(source: bytes, slug: str, content_dir: Path) -> Verdict:
    """Parse and check `source` in the warm child process and return its verdict."""
    return _checker.check(source, slug, content_dir)


def verdict_of(source: bytes, slug: str, content_dir: Path) -> Verdict:
    """Parse and check a document here (in the child) and say what is wrong with it."""
    # Here, in the child only: the web process, which imports this module, never loads the parser.
    from reader.admin.preview import inspect_document

    verdict = Verdict()
    try:
        verdict.findings = inspect_document(source, slug, content_dir)["findings"]
    except ReaderError as error:
        verdict.problems = [str(error)]
    except RecursionError:
        verdict.problems = ["the HTML is nested too deeply to read"]
    except Exception as error:
        verdict.problems = [f"the HTML could not be read ({type(error).__name__}: {error})"]
    return verdict


def serve(stdin, stdout) -> None:
    """Answer requests until stdin closes."""
    while header := stdin.readline():
        request = json.loads(header)
        source = stdin.read(request["length"])
        verdict = verdict_of(source, request["slug"], Path(request["content_dir"]))
        answer = {"problems": verdict.problems, "findings": verdict.findings}
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    if sys.argv[1:] != ["--serve"]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    serve(sys.stdin.buffer, sys.stdout.buffer)
