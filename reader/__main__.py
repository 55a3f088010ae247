"""Run the `reader` command as `python -m reader`."""

from reader.cli import main

main()
