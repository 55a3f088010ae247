"""`reader build`: build the audio of documents, show progress, and say what was done."""

from __future__ import annotations

import math
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
    changed = len(slugs)
    if not force:
        current = _current_documents(content_dir, out_dir, slugs, options)
        if len(current) == len(slugs):
            _sweep_leftovers(out_dir, slugs)
            reused = sum(len(published.sections) for published in current)
            minutes = sum(published.duration for published in current) / 60
            seconds = time.perf_counter() - started
            click.echo(summary_line(len(current), 0, 0, reused, minutes, seconds))
            click.echo(f"Published to {Path(out_dir).resolve()}")
            return
        changed -= len(current)
    try:
        code = run_build(content_dir, out_dir, slugs, options, changed)
    except BrokenPipeError:
        # The reader of our output went away (`reader build | head -1`): nothing to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    if code:
        sys.exit(code)


def _current_documents(
    content_dir: Path, out_dir: Path, slugs: list[str], options: BuildOptions
) -> list:
    """Return the published version of each document that is current.

    A document that changed, or any error, is not current: the build then builds or reports
    it. The count of the others is what the build's time estimate waits for.
    """
    current = []
    for slug in slugs:
        try:
            source = read_source(content_dir, out_dir, slug, options)
            published = is_current(out_dir, slug, source.key)
        except (ReaderError, OSError):
            published = None
        if published is not None:
            current.append(published)
    return current


def _sweep_leftovers(out_dir: Path, slugs: list[str]) -> None:
    """Sweep what a killed build left in each document's folder."""
    for slug in slugs:
        publish.sweep_leftovers(out_dir, slug)


def run_build(
    content_dir: Path,
    out_dir: Path,
    slugs: list[str] | None,
    options: BuildOptions,
    changed: int = 1,
) -> int:
    """Build, print each warning and error and the summary; return 1 if a document failed.

    `changed` is how many documents are expected to need audio, for the time estimate.
    """
    # Imported only when a document needs building: the parser, the speech-text rules and
    # the workers would otherwise be most of a build with nothing to do.
    from reader.pipeline.build import build_documents

    try:
        with _Progress(changed, sys.stderr.isatty()) as progress:
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


ESTIMATE_AFTER = 3
"""Sections to finish before the first estimate: the first one also paid for starting up."""
LINE_EVERY = 10.0
"""Seconds between two plain progress lines, so a log gets a few lines, not one a section."""


class _Progress:
    """Show a build's progress with one time estimate for the whole build.

    The rate is the seconds per section since the first section finished (the first also
    paid for starting the workers and their engine). Sections left are those of the documents
    begun, and, for each changed document not begun yet, the mean of the begun ones. On a
    terminal each document has a bar that shows the estimate; otherwise a plain line says it
    once it is first known, then at most every LINE_EVERY seconds, and once more when done.
    """

    def __init__(self, documents: int, terminal: bool, clock=time.monotonic):
        self._documents = documents
        self._terminal = terminal
        self._clock = clock
        self._first: float | None = None
        self._totals: dict[str, int] = {}
        self._done: dict[str, int] = {}
        self._said: float | None = None
        self._bar = None

    def __enter__(self):
        return self

    def __call__(self, slug: str, done: int, total: int) -> None:
        now = self._clock()
        if self._first is None:
            self._first = now
        if self._terminal and slug not in self._totals:
            self._close_bar()
            self._bar = click.progressbar(
                length=total,
                label=slug,
                file=sys.stderr,
                show_eta=False,
                item_show_func=lambda text: text,
            )
            self._bar.__enter__()
        self._totals[slug], self._done[slug] = total, done
        left = self.seconds_left(now)
        if self._terminal:
            self._bar.update(1, f"about {_duration(left)} left in all" if left else None)
        elif left is not None and (self._said is None or now - self._said >= LINE_EVERY):
            self._said = now
            click.echo(f"… {self._counts()}, about {_duration(left)} left", err=True)

    def seconds_left(self, now: float) -> float | None:
        """Return the seconds the build should still take, or None until it can be told."""
        done, total = self._sections()
        if done < ESTIMATE_AFTER:
            return None
        return (now - self._first) / (done - 1) * (total - done)

    def _sections(self) -> tuple[int, int]:
        """Return the sections done, and those done and to do (partly estimated)."""
        known = sum(self._totals.values())
        waiting = max(0, self._documents - len(self._totals))
        return sum(self._done.values()), known + round(known / len(self._totals) * waiting)

    def _counts(self) -> str:
        done, total = self._sections()
        exact = len(self._totals) >= self._documents
        return f"{done} of {'' if exact else 'about '}{total} sections"

    def _close_bar(self) -> None:
        if self._bar:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __exit__(self, kind, *exc) -> None:
        self._close_bar()
        if kind is None and not self._terminal and self._done:
            done = sum(self._done.values())
            # The summary line that follows says how long the build took, to the hundredth.
            click.echo(f"… {done} of {done} sections, done", err=True)


def _duration(seconds: float) -> str:
    """Say a duration the way a person would round it: "40 s", "3 min"."""
    if seconds < 90:
        return f"{max(1, math.ceil(seconds))} s"
    return f"{round(seconds / 60)} min"
