"""The append-only audit log: one JSON line per staff or CMS action (who, what, when, result)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from pathlib import Path

from flask import current_app

FILE_NAME = "audit.jsonl"
_lock = threading.Lock()


def log_path(instance_path: str | Path) -> Path:
    """Return the path of the audit log."""
    return Path(instance_path) / FILE_NAME


def append(path: Path, who: str, action: str, target: str, result: str) -> None:
    """Append one entry; O_APPEND keeps each line whole even with several writers."""
    entry = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "who": who,
        "action": action,
        "target": target,
        "result": result,
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def record(who: str, action: str, target: str, result: str) -> None:
    """Append an entry to the current app's audit log."""
    append(log_path(current_app.instance_path), who, action, target, result)


def latest(path: Path, count: int = 20) -> list[dict]:
    """Return the last `count` entries, newest first."""
    try:
        with open(path, encoding="utf-8") as file:
            lines = deque(file, maxlen=count)
    except FileNotFoundError:
        return []
    entries = []
    for line in reversed(lines):
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a full disk must not hide the others
    return entries
