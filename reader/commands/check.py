"""`reader check`: lint documents and say what will be heard."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from reader import config
from reader.commands.options import content_option, engine_option, slugs_argument, voice_option
from reader.content import discover, document_path, read_content
from reader.errors import ReaderError
from reader.pipeline import parse
from reader.pipeline.check import Finding, find_all
from reader.pipeline.engines import make_engine
from reader.pipeline.failure import log_dir, unexpected_failure
from reader.pipeline.freshness import DEFAULT_RATE
from reader.pipeline.hearing import PROBLEM
from reader.pipeline.lexicon import load_lexicon
from reader.pipeline.piper_voices import phoneme_voices
from reader.pipeline.render import voice_defaults
from reader.pipeline.speech import spoken_sections
from reader.pipeline.voices import missing_voices


@click.command()
@slugs_argument
@content_option
@voice_option
@engine_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the findings as JSON (for the admin page)."
)
def check(slugs, content_dir, voice, engine, as_json) -> None:
    """Lint documents and say what will be heard: risky words, symbols, missing voices."""
    problems = 0
    speaker = None
    report = {}
    for slug in slugs or discover(content_dir):
        try:
            source = read_content(content_dir, document_path(content_dir, slug))
            document = parse.parse_document(source, slug)
            lexicon = load_lexicon(content_dir, slug)
            speaker = speaker or make_engine(engine, DEFAULT_RATE)
            installed = speaker.voices()
            chosen = document.voice or voice  # the page's own voice wins, as in a build
            languages = {
                lang
                for sec in spoken_sections(document, lexicon)
                for s in sec.sentences
                for lang in (s.lang, *(part.lang for part in s.parts))
            }
            heard = phoneme_voices(engine, document.lang, chosen, installed)
            found = find_all(document, lexicon, heard)
            defaults = voice_defaults(speaker)
            found += [
                Finding(PROBLEM, problem)
                for problem in missing_voices(languages, installed, document.lang, chosen, defaults)
            ]
        except (ReaderError, OSError) as error:
            found = [Finding(PROBLEM, str(error))]
        except Exception as error:
            # A bug met by one document fails that document's check only, in one line.
            found = [
                Finding(
                    PROBLEM,
                    unexpected_failure(log_dir(Path(config.setting("BUILD_DIR"))), slug, error),
                )
            ]
        problems += sum(finding.level == PROBLEM for finding in found)
        report[slug] = [asdict(finding) for finding in found]
        if not as_json:
            _print_findings(slug, found)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    if problems:
        sys.exit(1)


def _print_findings(slug: str, found) -> None:
    """Print problems first, then the words to listen to, each with its lexicon line."""
    problems = [finding for finding in found if finding.level == "problem"]
    listen = [finding for finding in found if finding.level != "problem"]
    for finding in [*problems, *listen]:
        where = f'section "{finding.section}": ' if finding.section else ""
        times = f" ({finding.count} times)" if finding.count > 1 else ""
        click.echo(f"{slug}: {finding.level}: {where}{finding.message}{times}")
        if finding.suggestion:
            lead = "fix with" if finding.level == "problem" else "if that is wrong"
            click.echo(f"    {lead}, add to the lexicon: {finding.suggestion}")
    if not problems:
        words = "word" if len(listen) == 1 else "words"
        note = f"; {len(listen)} {words} to listen to above" if listen else ""
        click.echo(f"{slug}: ok{note}")
