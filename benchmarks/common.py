"""What several benchmarks need: a free port, the CPU time of commands, and their prerequisites."""

from __future__ import annotations

import importlib.util
import resource
import shutil
import socket
import sys
from pathlib import Path
from typing import NoReturn


def free_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_cpu() -> float:
    """Return the user and system CPU seconds of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def needs(what: str, install: str) -> NoReturn:
    """Say in one line what this benchmark lacks and how to install it, then exit 2."""
    print(f"{Path(sys.argv[0]).name} needs {what}: {install}", file=sys.stderr)
    raise SystemExit(2)


def need_modules(install: str, *modules: str) -> None:
    """Exit 2 with one line, before any work, if one of `modules` cannot be imported."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            needs(f"the Python module {module}", install)


def need_command(command: str, install: str) -> None:
    """Exit 2 with one line, before any work, if `command` is not on the PATH."""
    if shutil.which(command) is None:
        needs(f"the {command} command", install)
