"""`reader worker`: run the build queue's jobs one at a time, at low priority."""

from __future__ import annotations

import logging

import click

from reader.admin.supervisor import lower_priority
from reader.errors import ReaderError


@click.command()
@click.option("--parent", type=int, hidden=True, help="Stop when this process has gone.")
def worker(parent) -> None:
    """Run queued builds, previews and clips one at a time, at low priority."""
    if parent:
        # Started beside `reader serve`: yield at once, so that the imports and the app
        # below do not take the CPU from the service's first requests after a start.
        lower_priority()
    # Imported after lowering the priority, for the reason above.
    from reader.admin.queue import queue_for
    from reader.admin.worker import serve_forever, work_for
    from reader.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        app = create_app()
        queue = queue_for(app)
    except (ReaderError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"reader worker: running the queue of {app.instance_path}", err=True)
    serve_forever(queue, work_for(app), parent)
