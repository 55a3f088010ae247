"""Run the `reader` command as `python -m reader`."""

from reader.entry import main

main()
