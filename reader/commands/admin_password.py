"""`reader admin-password`: the hash of an admin password, for READER_ADMIN_PASSWORD_HASH."""

from __future__ import annotations

import click
from werkzeug.security import generate_password_hash

from reader.admin.people import MIN_PASSWORD_LENGTH


@click.command(name="admin-password")
def admin_password_command() -> None:
    """Print a password hash for READER_ADMIN_PASSWORD_HASH (older setups; see reader user)."""
    password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    click.echo(generate_password_hash(password))
