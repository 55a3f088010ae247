"""`reader build` once its arguments are read: build, show progress, report, return the exit code.

Both ways into the command run this: reader/entry.py for a plain build, without importing
click, and reader/cli.py for every other option.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reader.errors import ReaderError
from reader.pipeline.build import BuildOptions, build_documents


def run_build(
    content_dir: Path, out_dir: Path, slugs: list[str] | None, options: BuildOptions
) -> int:
    """Build, print each warning and error and the summary; return 1 if a document failed."""
    try:
        with _ProgressBars() as progress:
            summary = build_documents(content_dir, out_dir, slugs, options, progress)
    except ReaderError as error:
        # Raised before any document is read (the build folder cannot be written), so
        # nothing was built: said once, the way click says the command's other errors.
        print(f"Error: {error}", file=sys.stderr, flush=True)
        return 1
    for result in summary.results:
        for warning in result.warnings:
            print(f"warning: {result.slug}: {warning}", file=sys.stderr, flush=True)
        if result.error:
            print(f"error: {result.slug}: {result.error}", file=sys.stderr, flush=True)
    print(summary.text(), f"Published to {Path(out_dir).resolve()}", sep="\n", flush=True)
    return 1 if summary.failed else 0


class _ProgressBars:
    """Show one progress bar per document on a terminal, and nothing otherwise."""

    def __init__(self):
        self._bar = None
        self._slug = None

    def __enter__(self):
        return self if sys.stderr.isatty() else None

    def __call__(self, slug: str, done: int, total: int) -> None:
        if slug != self._slug:
            # Imported here: only a person at a terminal sees the bars, and click costs a
            # CMS hook's build 20 ms.
            import click

            self._close()
            self._slug = slug
            self._bar = click.progressbar(length=total, label=slug, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(1)

    def _close(self) -> None:
        if self._bar:
            self._bar.__exit__(None, None, None)

    def __exit__(self, *exc) -> None:
        self._close()
