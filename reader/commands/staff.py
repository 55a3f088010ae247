"""What the staff commands share: the service's instance folder, its stores and its audit log."""

from __future__ import annotations

import time

from reader.admin.audit import record_command
from reader.admin.people import People
from reader.admin.tokens import Tokens
from reader.app import create_app


def instance() -> str:
    """Return the service's instance folder (the accounts, tokens and audit log live there)."""
    return create_app().instance_path


def tokens() -> Tokens:
    """Return the content API's token store."""
    return Tokens(instance())


def people() -> People:
    """Return the store of the people who sign in to the admin pages."""
    return People(instance())


def audit(action: str, target: str, result: str) -> None:
    """Log a change made on the command line."""
    record_command(instance(), action, target, result)


def when(seconds: float) -> str:
    """Say a moment in UTC, to the minute."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))
