"""`reader say`: any text through the build's speech text, voice and rate, to an audio file."""

from __future__ import annotations

from pathlib import Path

import click

from reader.commands.options import content_option, engine_option, rate_option, voice_option
from reader.errors import ReaderError
from reader.pipeline.engines import make_engine
from reader.pipeline.lexicon import load_lexicon
from reader.pipeline.phonemes import pronunciation
from reader.pipeline.say import check_output, voice_of_document, write_audio
from reader.pipeline.say import say as speak


@click.command()
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
    "--document",
    "slug",
    metavar="NAME",
    help="Also use this document's own lexicon and voice, e.g. conditions/fever "
    "(its lexicon: content/conditions~fever.lexicon.tsv).",
)
@rate_option
@engine_option
def say(text, lang, voice, out_file, content_dir, slug, rate, engine) -> None:
    """Say TEXT exactly as a build would, write the audio and print what was said."""
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
