"""`reader voices`: every voice this site can use, with its engine, language and licence."""

from __future__ import annotations

import json

import click

from reader.errors import ReaderError
from reader.pipeline.engines import make_engine
from reader.pipeline.freshness import DEFAULT_RATE
from reader.pipeline.voice_catalogue import piper_available, usable_voices


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the voices as JSON.")
def voices(as_json) -> None:
    """List every voice this site can use: engine, language, sample rate, quality, licence."""
    try:
        rows = usable_voices(make_engine("pyttsx3", DEFAULT_RATE).voices())
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps([row._asdict() for row in rows], ensure_ascii=False, indent=1))
        return
    header = ("engine", "voice", "language", "rate", "quality", "licence", "description")
    table = [header, *((r[0], r[1], r[2], f"{r[3]} Hz", *r[4:]) for r in rows)]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]))
    if not piper_available():
        click.echo(
            'Piper voices need the natural extra: pip install "voice-reader[natural]"', err=True
        )
