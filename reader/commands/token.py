"""`reader token`: make, list and revoke the content API's bearer tokens."""

from __future__ import annotations

import time

import click

from reader.admin.tokens import Tokens
from reader.errors import ReaderError
from reader.web.app import create_app


@click.group()
def token() -> None:
    """Make, list and revoke the bearer tokens of the content API."""


def _tokens() -> Tokens:
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


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


@token.command(name="list")
def token_list() -> None:
    """List the tokens: name, when made, and whether revoked."""
    try:
        found = _tokens().list()
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    for entry in found:
        state = f"revoked {_when(entry['revoked'])}" if entry["revoked"] else "active"
        click.echo(f"{entry['name']}\tcreated {_when(entry['created'])}\t{state}")
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
