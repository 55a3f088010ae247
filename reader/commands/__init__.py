"""The `reader` command's subcommands, one module each, loaded by reader/cli.py when named."""
