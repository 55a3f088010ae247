"""Options that several commands share."""

from __future__ import annotations

from pathlib import Path

import click

from reader import config
from reader.pipeline.engines import DEFAULT_ENGINE, ENGINES
from reader.pipeline.freshness import DEFAULT_RATE

FOLDER = click.Path(file_okay=False, path_type=Path)
# Shown as NAMES: a document's name may be a path (conditions/fever), not only a slug.
slugs_argument = click.argument("slugs", nargs=-1, metavar="[NAMES]...")
content_option = click.option(
    "--content",
    "content_dir",
    default=lambda: config.setting("CONTENT_DIR"),
    show_default="READER_CONTENT_DIR, else content",
    type=FOLDER,
    help="Folder of documents.",
)
voice_option = click.option(
    "--voice",
    default=lambda: config.setting("VOICE") or None,
    show_default="READER_VOICE",
    help="Voice for the documents' language, e.g. gmw/en (eSpeak NG) or en_US-joe-medium "
    "(piper); `reader voices` lists them.",
)
rate_option = click.option(
    "--rate",
    type=click.IntRange(80, 450),
    default=DEFAULT_RATE,
    show_default=True,
    help="Speaking rate in words per minute.",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    default=lambda: config.setting("ENGINE"),
    show_default=f"READER_ENGINE, else {DEFAULT_ENGINE}",
    help="Speech engine: " + " ".join(f"'{e.name}': {e.help}" for e in ENGINES.values()),
)
