"""The `reader` command: build audio, check content, serve and export the site."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reader.build_command import run_build
from reader.content import discover
from reader.errors import ReaderError
from reader.pipeline.build import DEFAULT_RATE, BuildOptions
from reader.pipeline.engines import DEFAULT_ENGINE, ENGINES, default_workers
from reader.web import config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="voice-reader")
def main() -> None:
    """Pre-generate and serve accessible audio for health-information pages."""


FOLDER = click.Path(file_okay=False, path_type=Path)
slugs_argument = click.argument("slugs", nargs=-1)
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


@main.command()
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
    """Build audio for SLUGS (default: every document in the content folder)."""
    if not content_dir.is_dir():
        raise click.ClickException(f"no content folder at {content_dir}")
    if not slugs and not discover(content_dir):
        raise click.ClickException(f"no documents (*.html) in {content_dir}")
    options = BuildOptions(engine=engine, rate=rate, voice=voice, force=force, jobs=jobs)
    if code := run_build(content_dir, out_dir, list(slugs) or None, options):
        sys.exit(code)


@main.command()
@slugs_argument
@content_option
@voice_option
@engine_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the findings as JSON (for the admin page)."
)
def check(slugs, content_dir, voice, engine, as_json) -> None:
    """Lint documents and say what will be heard: risky words, symbols, missing voices."""
    import json
    from dataclasses import asdict

    from reader.content import document_path, read_content
    from reader.pipeline.check import Finding, find_all
    from reader.pipeline.engines import make_engine
    from reader.pipeline.failure import log_dir, unexpected_failure
    from reader.pipeline.hearing import PROBLEM
    from reader.pipeline.lexicon import load_lexicon
    from reader.pipeline.parse import parse_document
    from reader.pipeline.render import voice_defaults
    from reader.pipeline.speech import spoken_sections
    from reader.pipeline.voices import missing_voices, phoneme_voices

    problems = 0
    speaker = None
    report = {}
    for slug in slugs or discover(content_dir):
        try:
            source = read_content(content_dir, document_path(content_dir, slug))
            document = parse_document(source, slug)
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


@main.command()
@click.argument("text")
@click.option("--lang", default="en-GB", show_default=True, help="Language of the text.")
@voice_option
@click.option(
    "--out",
    "out_file",
    default="say.mp3",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Audio file to write: .mp3 (as published) or .wav.",
)
@content_option
@click.option(
    "--document", "slug", help="Also use this document's own lexicon (content/SLUG.lexicon.tsv)."
)
@rate_option
@engine_option
def say(text, lang, voice, out_file, content_dir, slug, rate, engine) -> None:
    """Say TEXT exactly as a build would, write the audio and print what was said."""
    from reader.pipeline.engines import make_engine
    from reader.pipeline.lexicon import load_lexicon
    from reader.pipeline.phonemes import pronunciation
    from reader.pipeline.say import check_output, voice_of_document, write_audio
    from reader.pipeline.say import say as speak

    try:
        check_output(out_file)
        lexicon = load_lexicon(content_dir, slug or "")
        source = click.get_current_context().get_parameter_source("voice")
        if slug and source is not click.core.ParameterSource.COMMANDLINE:
            # As a build reads it: the voice the document names wins over the site's.
            voice = voice_of_document(content_dir, slug) or voice
        utterance = speak(text, lang, lexicon, make_engine(engine, rate), voice)
        write_audio(utterance, out_file)
        for sentence, sounds in zip(utterance.sentences, utterance.phoneme_voices, strict=True):
            click.echo(f"said:   {sentence.spoken}")
            click.echo(f"sounds: {pronunciation(sentence.spoken, sounds)}")
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    voices = ", ".join(sorted(set(utterance.voices)))
    click.echo(
        f"voice {voices} at {rate} words a minute; wrote {out_file} ({utterance.seconds:.1f} s)"
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the voices as JSON.")
def voices(as_json) -> None:
    """List every voice this site can use: engine, language, sample rate, quality, licence."""
    import json

    from reader.pipeline.engines import make_engine
    from reader.pipeline.voice_catalogue import piper_available, usable_voices

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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-worker", is_flag=True, help="Do not start the build worker beside it.")
def serve(host, port, no_worker) -> None:
    """Serve the site with waitress and run the build worker beside it (see docs/service.md)."""
    import contextlib
    import signal

    from reader.admin import validate
    from reader.admin.worker import beside
    from reader.web.wsgi_server import serve as run_server

    validate.warm_up()  # the content API's checker, so the first PUT does not wait for it
    # SIGTERM (systemd, docker stop) unwinds like Ctrl-C, so the worker is stopped with it.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        with contextlib.nullcontext() if no_worker else beside():
            run_server(host=host, port=port)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.option("--parent", type=int, hidden=True, help="Stop when this process has gone.")
def worker(parent) -> None:
    """Run queued builds, previews and clips one at a time, at low priority."""
    import logging

    from reader.admin.worker import lower_priority

    if parent:
        # Started beside `reader serve`: yield at once, as the imports and the app below are
        # most of a second of CPU. With one other busy CPU, the service's first `/` after a
        # start took 2-5 times as long while its worker started at full priority.
        lower_priority()
    from reader.admin import work
    from reader.admin.queue import queue_for
    from reader.admin.worker import context_for, serve_forever
    from reader.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        app = create_app()
        queue = queue_for(app)
    except (ReaderError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    work.context = context_for(app, queue)
    click.echo(f"reader worker: running the queue of {app.instance_path}", err=True)
    serve_forever(queue, parent)


@main.group()
def token() -> None:
    """Make, list and revoke the bearer tokens of the content API."""


def _tokens():
    from reader.admin.tokens import Tokens
    from reader.web.app import create_app

    return Tokens(create_app().instance_path)


@token.command(name="create")
@click.argument("name")
def token_create(name) -> None:
    """Make a token called NAME and print it (only once: just its hash is kept)."""
    try:
        value = _tokens().create(name)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    click.echo(value)
    click.echo("Keep it now: it is not stored and cannot be shown again.", err=True)


@token.command(name="list")
def token_list() -> None:
    """List the tokens: name, when made, and whether revoked."""
    import time

    def when(seconds):
        return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))

    try:
        found = _tokens().list()
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    for entry in found:
        state = f"revoked {when(entry['revoked'])}" if entry["revoked"] else "active"
        click.echo(f"{entry['name']}\tcreated {when(entry['created'])}\t{state}")
    if not found:
        click.echo("no tokens yet: reader token create NAME", err=True)


@token.command(name="revoke")
@click.argument("name")
def token_revoke(name) -> None:
    """Revoke the token called NAME: it gets 401 from now on."""
    try:
        _tokens().revoke(name)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"revoked {name}")


@main.command(name="export")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-url", help="Absolute URL the export will be hosted at, e.g. https://x.org/.")
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of documents (default: READER_CONTENT_DIR or content).",
)
@click.option(
    "--build",
    "build_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the build published into (default: READER_BUILD_DIR or build).",
)
def export_command(out_dir, base_url, content_dir, build_dir) -> None:
    """Write the whole site into OUT_DIR as static files for any web host."""
    from reader.web.app import create_app
    from reader.web.export import export_site

    overrides = {}
    if content_dir is not None:
        overrides["CONTENT_DIR"] = content_dir
    if build_dir is not None:
        overrides["BUILD_DIR"] = build_dir
    try:
        summary = export_site(create_app(overrides), out_dir, base_url)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Exported {summary.pages} pages, {summary.manifests} manifests and "
        f"{summary.audio_files} audio files to {out_dir.resolve()}"
    )


@main.command(name="embed-snippet")
@click.argument("slug")
@click.option(
    "--base-url",
    help="Public address of this service, e.g. https://reader.example.org "
    "(default: reader serve's http://127.0.0.1:5000).",
)
def embed_snippet_command(slug, base_url) -> None:
    """Print the HTML that embeds SLUG's player on another site (script with SRI + element)."""
    from reader.web.app import create_app
    from reader.web.embed import DEFAULT_BASE_URL, embed_snippet

    if base_url is None:
        click.echo(f"note: using {DEFAULT_BASE_URL}; pass --base-url for the public one", err=True)
    try:
        text = embed_snippet(create_app(), slug, base_url or DEFAULT_BASE_URL)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    click.echo(text, nl=False)


@main.command(name="admin-password")
def admin_password_command() -> None:
    """Ask for an admin password and print its hash for READER_ADMIN_PASSWORD_HASH."""
    from werkzeug.security import generate_password_hash

    from reader.admin.auth import MIN_PASSWORD_LENGTH

    password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    click.echo(generate_password_hash(password))
