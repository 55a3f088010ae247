"""`reader user`: the people who sign in to the admin pages, and their passwords."""

from __future__ import annotations

import click

from reader.admin.people import check_name, check_password
from reader.commands.staff import audit, people, tokens, when
from reader.errors import ReaderError


@click.group()
def user() -> None:
    """Add, list and remove the people who sign in to the admin pages, and reset passwords."""


def _new_password(prompt: str) -> str:
    password = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    try:
        return check_password(password)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error


@user.command(name="add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["editor", "admin"]),
    default="editor",
    show_default=True,
    help="editor: documents, previews, publishing, lexicon; admin: also people and tokens.",
)
def user_add(name, role) -> None:
    """Add a person called NAME; asks for their password twice, hidden."""
    try:
        store = people()
        check_name(name)
        if store.get(name) is not None:
            raise ReaderError(f"there is already a person called {name!r}")
        first = not store.anyone()
        store.add(name, role, _new_password(f"Password for {name}"))
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    audit("add person", name, f"ok, {role}")
    click.echo(f"added {name} ({role})")
    if first:
        click.echo("The admin page turns on when reader serve next starts.", err=True)


@user.command(name="list")
def user_list() -> None:
    """List everyone: name, role and when their password was set."""
    try:
        found = people().list()
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    for person in found:
        click.echo(f"{person.name}\t{person.role}\tpassword set {when(person.password_changed)}")
    if not found:
        click.echo("nobody yet: reader user add NAME --role admin", err=True)


@user.command(name="remove")
@click.argument("name")
def user_remove(name) -> None:
    """Remove NAME: their sessions end and their API tokens are revoked."""
    try:
        people().remove(name)
        revoked = tokens().revoke_owned_by(name)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    audit("remove person", name, "ok")
    for token_name in revoked:
        audit("revoke token", token_name, f"revoked: {name} was removed")
    owned = f"; revoked their tokens {', '.join(revoked)}" if revoked else ""
    click.echo(f"removed {name}{owned}")


@user.command(name="reset-password")
@click.argument("name")
def user_reset_password(name) -> None:
    """Give NAME a new password (asked twice, hidden); their sessions end."""
    try:
        store = people()
        if store.get(name) is None:
            raise ReaderError(f"there is nobody called {name!r}: reader user list")
        store.set_password(name, _new_password(f"New password for {name}"))
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
    audit("reset password", name, "ok")
    click.echo(f"new password set for {name}; their sessions have ended")
