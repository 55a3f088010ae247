"""The `reader` command: build audio, check content, serve and export the site.

Each subcommand lives in its own module under reader/commands/ and is imported only when it
is run, so `reader build` never loads the web service, nor `reader serve` the parser.
"""

from __future__ import annotations

from importlib import import_module

import click

COMMANDS = {
    "build": "reader.commands.build:build",
    "check": "reader.commands.check:check",
    "say": "reader.commands.say:say",
    "serve": "reader.commands.serve:serve",
    "export": "reader.commands.site:export_command",
    "embed-snippet": "reader.commands.site:embed_snippet_command",
    "worker": "reader.commands.worker:worker",
    "token": "reader.commands.token:token",
    "user": "reader.commands.user:user",
    "voices": "reader.commands.voices:voices",
    "admin-password": "reader.commands.admin_password:admin_password_command",
}
"""Each command's name, and where it is defined: "module:attribute"."""


class LazyGroup(click.Group):
    """A group whose commands are imported when they are run or listed, not before."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List every command's name, in order."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command called `cmd_name`; None if there is none."""
        if cmd_name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        return getattr(import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="voice-reader")
def main() -> None:
    """Pre-generate and serve accessible audio for health-information pages."""
