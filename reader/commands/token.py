"""`reader token`: make, list and revoke the content API's bearer tokens."""

from __future__ import annotations

import click

from reader.commands.staff import audit, people, tokens, when
from reader.errors import ReaderError


@click.group()
def token() -> None:
    """Make, list and revoke the bearer tokens of the content API."""


@token.command(name="create")
@click.argument("name")
@click.option(
    "--owner", metavar="PERSON", help="The person it belongs to (default: none, an integration)."
)
def token_create(name, owner) -> None:
    """Make a token called NAME and print it (only once: just its hash is kept)."""
    try:
        if owner is not None and people().get(owner) is None:
            raise ReaderError(f"there is nobody called {owner!r}: reader user list")
        store = tokens()
        value = store.create(name, owner)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    audit("create token", name, f"ok, owner {owner or '(an integration)'}")
    click.echo(value)
    click.echo("Keep it now: it is not stored and cannot be shown again.", err=True)
    # On stderr, so that TOKEN=$(reader token create NAME) still captures the token alone.
    click.echo(f"Callback signing secret: {store.signing_secret(name)}", err=True)


@token.command(name="list")
def token_list() -> None:
    """List the tokens: name, owner, when made, and whether revoked."""
    try:
        found = tokens().list()
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    for entry in found:
        state = f"revoked {when(entry['revoked'])}" if entry["revoked"] else "active"
        owner = f"owner {entry['owner']}" if entry["owner"] else "integration"
        click.echo(f"{entry['name']}\t{owner}\tcreated {when(entry['created'])}\t{state}")
    if not found:
        click.echo("no tokens yet: reader token create NAME", err=True)


@token.command(name="revoke")
@click.argument("name")
def token_revoke(name) -> None:
    """Revoke the token called NAME: it gets 401 from now on."""
    try:
        tokens().revoke(name)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    audit("revoke token", name, "ok")
    click.echo(f"revoked {name}")
