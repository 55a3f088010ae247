"""`reader serve`: the site with waitress, and the build worker beside it."""

from __future__ import annotations

import contextlib
import signal
import sys

import click

from reader.admin import validate
from reader.admin.supervisor import Supervisor
from reader.app import create_app
from reader.errors import ReaderError
from reader.web.wsgi_server import serve as run_server


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-worker", is_flag=True, help="Do not start the build worker beside it.")
def serve(host, port, no_worker) -> None:
    """Serve the site with waitress and run the build worker beside it (see docs/service.md)."""
    validate.warm_up()  # the content API's checker, so the first PUT does not wait for it
    # SIGTERM (systemd, docker stop) unwinds like Ctrl-C, so the worker is stopped with it.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        with contextlib.nullcontext() if no_worker else Supervisor():
            run_server(create_app(), host=host, port=port)
    except ReaderError as error:
        raise click.ClickException(str(error)) from error
