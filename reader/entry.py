"""The `reader` command's entry point: a build with nothing to do answers before the CLI loads.

A CMS hook may run `reader build` after every save, and most runs find nothing to do. Click,
the typed manifest and the pipeline take about 100 ms to import, several times what deciding
takes, so a plain `reader build [SLUG...] [--content DIR] [--out DIR]` is first checked with
reader/pipeline/freshness.py. Anything else, and any document that is not current, goes to
the full command (reader/cli.py), which also reports every error.
"""

from __future__ import annotations

import sys
from pathlib import Path

_FOLDER_OPTIONS = {"--content": "CONTENT_DIR", "--out": "BUILD_DIR"}


def main() -> None:
    """Run the `reader` command."""
    if (lines := _nothing_to_build(sys.argv[1:])) is not None:
        print(*lines, sep="\n")
        return
    from reader.cli import main as cli

    cli()


def _nothing_to_build(args: list[str]) -> list[str] | None:
    """Return what `reader build` prints when these arguments find every document current."""
    if args[:1] != ["build"] or (plain := _plain_build(args[1:])) is None:
        return None
    from time import perf_counter

    started = perf_counter()
    from reader.content import discover
    from reader.pipeline.engines import DEFAULT_ENGINE
    from reader.pipeline.freshness import DEFAULT_RATE, nothing_to_build, summary_line
    from reader.web.config import setting

    slugs, folders = plain
    content_dir, out_dir = (
        Path(folders.get(o) or setting(key)) for o, key in _FOLDER_OPTIONS.items()
    )
    slugs = list(dict.fromkeys(slugs)) or (discover(content_dir) if content_dir.is_dir() else [])
    if not slugs:
        return None
    current = nothing_to_build(content_dir, out_dir, slugs, DEFAULT_ENGINE, DEFAULT_RATE, None)
    if current is None:
        return None
    reused = sum(sections for _, sections, _ in current)
    minutes = sum(seconds for _, _, seconds in current) / 60
    line = summary_line(len(current), 0, 0, reused, minutes, perf_counter() - started)
    return [line, f"Published to {out_dir.resolve()}"]


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
