"""Where a moved document went: the note its old build folder keeps, read by the pages.

An old address follows the move while the document it became is on the site. Once that
document is unpublished, its old addresses are gone (410) as its own are, and they follow the
move again when it is published again: publishing removes the unpublished mark they look for.

Free of Flask and of the pipeline: the service reads a note on every request for an old name.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from reader import names
from reader.files import atomic_write
from reader.manifest import UNPUBLISHED_NAME

MOVED_NAME = "moved.json"
"""Left in a moved document's old build folder: its addresses answer 301 to the new name."""


def moved_to(build_dir: Path, name: str) -> str | None:
    """Return the name a document moved to, None if it did not move (or was published again)."""
    if not names.is_valid(name):
        return None
    try:
        note = json.loads((Path(build_dir) / names.key(name) / MOVED_NAME).read_bytes())
    except (OSError, ValueError):
        return None
    target = note.get("to") if isinstance(note, dict) else None
    return target if names.is_valid(target) and target != name else None


def destination(build_dir: Path, name: str) -> str | None:
    """Return the name a moved document has now, after any later moves; None if it did not move."""
    current, seen = name, {name}
    while (target := moved_to(build_dir, current)) is not None:
        if target in seen:
            return None  # a loop: moves never make one (a move onto a name replaces its note)
        seen.add(target)
        current = target
    return None if current == name else current


def forwards(build_dir: Path, name: str) -> str | None:
    """Return the name a moved document's old addresses send visitors to, one move on.

    None if it did not move, or if the document it became is unpublished: then the old
    addresses are gone too, rather than a redirect to a page that answers 410.
    """
    target = moved_to(build_dir, name)
    if target is None:
        return None
    final = destination(build_dir, name)
    if final is None or (Path(build_dir) / names.key(final) / UNPUBLISHED_NAME).is_file():
        return None
    return target


def all_moves(build_dir: Path) -> dict[str, str]:
    """Return every moved document's old name and the name it forwards to, if it still does."""
    try:
        folders = list(Path(build_dir).iterdir())
    except OSError:
        return {}
    found = {}
    for folder in folders:
        name = names.from_key(folder.name)
        target = forwards(build_dir, name) if name else None
        if target is not None:
            found[name] = target
    return found


def note_move(folder: Path, target: str) -> None:
    """Write the note that sends a document's old addresses to `target`."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / MOVED_NAME, json.dumps({"to": target, "at": time.time()}).encode())
