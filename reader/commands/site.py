"""`reader export` and `reader embed-snippet`: the site as static files, and its embed code."""

from __future__ import annotations

from pathlib import Path

import click

from reader.app import create_app
from reader.errors import ReaderError
from reader.web.embed import DEFAULT_BASE_URL, embed_snippet
from reader.web.export import export_site


@click.command(name="export")
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


@click.command(name="embed-snippet")
@click.argument("slug", metavar="NAME")
@click.option(
    "--base-url",
    help="Public address of this service, e.g. https://reader.example.org "
    "(default: reader serve's http://127.0.0.1:5000).",
)
def embed_snippet_command(slug, base_url) -> None:
    """Print the HTML that embeds NAME's player on another site (script with SRI + element)."""
    if base_url is None:
        click.echo(f"note: using {DEFAULT_BASE_URL}; pass --base-url for the public one", err=True)
    try:
        text = embed_snippet(create_app(), slug, base_url or DEFAULT_BASE_URL)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    click.echo(text, nl=False)
