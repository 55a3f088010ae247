"""`reader build`: build the audio of documents, show progress, and say what was done."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from reader import config
from reader.commands.options import (
    FOLDER,
    content_option,
    engine_option,
    rate_option,
    slugs_argument,
    voice_option,
)
from reader.content import discover
from reader.errors import ReaderError
from reader.pipeline import publish
from reader.pipeline.engines import default_workers
from reader.pipeline.freshness import BuildOptions, is_current, read_source, summary_line


@click.command()
@slugs_argument
@content_option
@click.option(
    "--out",
    "out_dir",
    default=lambda: config.setting("BUILD_DIR"),
    show_default="READER_BUILD_DIR, else build",
    type=FOLDER,
    help="Folder to publish into.",
)
@click.option("--force", is_flag=True, help="Rebuild every section, even unchanged ones.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=default_workers,
    show_default=True,
    help="Worker processes (more than cores: the engine idles between sentences).",
)
@rate_option
@voice_option
@engine_option
def build(slugs, content_dir, out_dir, force, jobs, rate, voice, engine) -> None:
    """Build audio for NAMES (default: every document in the content folder)."""
    started = time.perf_counter()
    if not content_dir.is_dir():
        raise click.ClickException(f"no content folder at {content_dir}")
    slugs = list(dict.fromkeys(slugs)) or discover(content_dir)
    if not slugs:
        raise click.ClickException(f"no documents (*.html) in {content_dir}")
    options = BuildOptions(engine=engine, rate=rate, voice=voice, force=force, jobs=jobs)
    if not force and (current := _all_current(content_dir, out_dir, slugs, options)):
        reused = sum(len(published.sections) for published in current)
        minutes = sum(published.duration for published in current) / 60
        seconds = time.perf_counter() - started
        click.echo(summary_line(len(current), 0, 0, reused, minutes, seconds))
        click.echo(f"Published to {Path(out_dir).resolve()}")
        return
    try:
        code = run_build(content_dir, out_dir, slugs, options)
    except BrokenPipeError:
        # The reader of our output went away (`reader build | head -1`): nothing to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    if code:
        sys.exit(code)


def _all_current(content_dir: Path, out_dir: Path, slugs: list[str], options: BuildOptions):
    """Return every document's published version if all are current, else None.

    Leftovers of a killed build are swept from each. None means "build": a document that
    changed, or any error, which the build then reports.
    """
    current = []
    try:
        for slug in slugs:
            source = read_source(content_dir, out_dir, slug, options)
            if (published := is_current(out_dir, slug, source.key)) is None:
                return None
            current.append(published)
    except (ReaderError, OSError):
        return None
    for slug in slugs:
        publish.sweep_leftovers(out_dir, slug)
    return current


def run_build(
    content_dir: Path, out_dir: Path, slugs: list[str] | None, options: BuildOptions
) -> int:
    """Build, print each warning and error and the summary; return 1 if a document failed."""
    # Imported only when a document needs building: the parser, the speech-text rules and
    # the workers would otherwise be most of a build with nothing to do.
    from reader.pipeline.build import build_documents

    try:
        with _ProgressBars() as progress:
            summary = build_documents(content_dir, out_dir, slugs, options, progress)
    except ReaderError as error:
        # Raised before any document is read (the build folder cannot be written), so
        # nothing was built: said once, the way click says the command's other errors.
        click.echo(f"Error: {error}", err=True)
        return 1
    for result in summary.results:
        for warning in result.warnings:
            click.echo(f"warning: {result.slug}: {warning}", err=True)
        if result.error:
            click.echo(f"error: {result.slug}: {result.error}", err=True)
    click.echo(summary.text())
    click.echo(f"Published to {Path(out_dir).resolve()}")
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
