"""The `reader` command's entry point: a plain build runs without loading the whole CLI.

A CMS hook may run `reader build` after every save, and most runs find nothing to do. Click,
the typed manifest and the pipeline take about 100 ms to import, several times what deciding
takes, so a plain `reader build [SLUG...] [--content DIR] [--out DIR]` is first checked with
reader/pipeline/freshness.py. A plain build that has work to do runs here too, without click
(20 ms of a one-section edit). Anything else, and anything the full command reports as an
error (a missing folder, no documents), goes to that command: reader/cli.py.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

_FOLDER_OPTIONS = {"--content": "CONTENT_DIR", "--out": "BUILD_DIR"}


def main() -> None:
    """Run the `reader` command."""
    try:
        _run(sys.argv[1:])
    finally:
        # The process exits next. Its last garbage collection would walk every object the
        # command made, the parse trees and manifests of a build among them, only for the
        # OS to take the memory back: 50 ms of a one-section edit. Frozen objects are still
        # freed by their reference counts, so files and workers close as they always do.
        gc.freeze()


def _run(args: list[str]) -> None:
    """Run a plain build here, and anything else through the full command."""
    if (build := _plain_build_of(args)) is not None:
        try:
            sys.exit(_build(*build))
        except KeyboardInterrupt:
            # What click says: the workers are gone, and every unfinished document keeps
            # its previous version.
            print("\nAborted!", file=sys.stderr)
            sys.exit(1)
        except BrokenPipeError:
            # The reader of our output went away (`reader build | head -1`): nothing to say.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
    from reader.cli import main as cli

    cli()


def _plain_build_of(args: list[str]) -> tuple[Path, Path, list[str]] | None:
    """Return a plain build's folders and documents; None for the full command to handle."""
    if args[:1] != ["build"] or (plain := _plain_build(args[1:])) is None:
        return None
    from reader.content import discover
    from reader.web.config import setting

    slugs, folders = plain
    content_dir, out_dir = (
        Path(folders.get(o) or setting(key)) for o, key in _FOLDER_OPTIONS.items()
    )
    if not content_dir.is_dir() or (out_dir.exists() and not out_dir.is_dir()):
        return None
    slugs = list(dict.fromkeys(slugs)) or discover(content_dir)
    return (content_dir, out_dir, slugs) if slugs else None


def _build(content_dir: Path, out_dir: Path, slugs: list[str]) -> int:
    """Build with the default options; answer at once if every document is current."""
    from time import perf_counter

    started = perf_counter()
    from reader.pipeline.freshness import DEFAULT_RATE, nothing_to_build, summary_line
    from reader.web.config import setting

    engine, voice = setting("ENGINE"), setting("VOICE") or None
    current = nothing_to_build(content_dir, out_dir, slugs, engine, DEFAULT_RATE, voice)
    if current is not None:
        reused = sum(sections for _, sections, _ in current)
        minutes = sum(seconds for _, _, seconds in current) / 60
        line = summary_line(len(current), 0, 0, reused, minutes, perf_counter() - started)
        print(line, f"Published to {out_dir.resolve()}", sep="\n")
        return 0
    from reader.build_command import run_build
    from reader.pipeline.build import BuildOptions

    return run_build(content_dir, out_dir, slugs, BuildOptions(engine=engine, voice=voice))


def _plain_build(args: list[str]) -> tuple[list[str], dict[str, str]] | None:
    """Split `[SLUG...] [--content DIR] [--out DIR]`; None for anything else (--help, --force)."""
    slugs: list[str] = []
    folders: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name in _FOLDER_OPTIONS and name not in folders:
            folders[name] = value if equals else next(rest, "")
            if not folders[name]:
                return None
        elif arg.startswith("-"):
            return None
        else:
            slugs.append(arg)
    return slugs, folders
