"""The append-only audit log: one JSON line per change, sign-in or build outcome.

Each entry says who (a person, or a token's owner or integration), how (`via`: a session, a
token or the command line), from which address, when, what (an action, the document or other
target) and the result. A build's outcome is written when its job ends, by the worker, with
the job's id: the entries that queued the job carry the same id, so the log can say whose
change it was.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from flask import current_app, g, has_request_context, request

from reader import manifest as mf
from reader import names

FILE_NAME = "audit.jsonl"
SECTIONS_FOLDER = "audit-sections"
"""Each document's section keys at its last audited build, to say which sections changed."""
COMMAND_LINE = "command line"
_lock = threading.Lock()
log = logging.getLogger(__name__)


def log_path(instance_path: str | Path) -> Path:
    """Return the path of the audit log."""
    return Path(instance_path) / FILE_NAME


def append(path: Path, entry: dict) -> None:
    """Append one entry; O_APPEND keeps each line whole even with several writers."""
    entry = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **entry}
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def set_actor(who: str, via: str) -> None:
    """Name who is acting in this request: a person, or a token's owner or integration."""
    g.audit_actor = (who, via)


def record(action: str, target: str = "", result: str = "", **fields) -> None:
    """Append an entry for the current request's actor and address."""
    who, via = g.get("audit_actor", ("", "not signed in"))
    entry = {
        "who": fields.pop("who", who),
        "via": via,
        "address": request.remote_addr if has_request_context() else "",
        "action": action,
        "target": target,
        "result": result,
        **{name: value for name, value in fields.items() if value is not None},
    }
    append(log_path(current_app.instance_path), entry)


def record_command(instance_path: str | Path, action: str, target: str, result: str) -> None:
    """Append an entry for a change made with the `reader` command on the server."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = f"uid {os.getuid()}"
    entry = {"who": who, "via": COMMAND_LINE, "address": "local", "action": action}
    append(log_path(instance_path), {**entry, "target": target, "result": result})


def record_outcome(
    instance_path: str | Path,
    build_dir: str | Path,
    job_id: str,
    kind: str,
    document: str,
    state: str,
    error: str | None,
) -> None:
    """Append how a finished build or unpublish went; the job layer calls this as a job ends.

    A build's outcome is "built" (with the sections whose speech changed, was added or was
    removed), "unchanged", or "failed" (with its error). Previews and clips change nothing
    and are not recorded. An audit failure is logged, never raised: the job has finished.
    """
    if kind not in ("build", "retire"):
        return
    try:
        entry = {"who": "worker", "via": "build queue", "address": "local", "job": job_id}
        entry.update(action=kind, target=document, document=document)
        if state != "ready":
            entry.update(outcome="failed", error=error or state, result=f"failed: {error}")
        elif kind == "retire":
            entry.update(outcome="unpublished", result="unpublished")
        else:
            manifest = mf.load_manifest(Path(build_dir), document)
            sections = _changed_sections(Path(instance_path), manifest, document)
            outcome = "built" if any(sections.values()) else "unchanged"
            entry.update(outcome=outcome, sections=sections, result=_say(outcome, sections))
            if manifest is not None and manifest.build_key:
                entry["version"] = manifest.build_key[:12]  # names the published version
        append(log_path(instance_path), entry)
    except (OSError, ValueError) as problem:  # a damaged manifest is a ValueError
        log.error("cannot write the audit log's outcome of job %s: %s", job_id, problem)


def _changed_sections(instance: Path, manifest, slug: str) -> dict[str, list[str]]:
    """Compare the published sections with those at the last audited build, and note them."""
    now = {s.id: s.key for s in manifest.sections} if manifest else {}
    keep = instance / SECTIONS_FOLDER / f"{names.key(slug)}.json"
    try:
        before = json.loads(keep.read_text("utf-8"))
    except (OSError, ValueError):
        before = None
    keep.parent.mkdir(parents=True, exist_ok=True)
    keep.write_text(json.dumps(now), "utf-8")
    if before is None:
        # Never audited before: every section is new to the log.
        return {"changed": [], "added": list(now), "removed": []}
    return {
        "changed": [i for i in now if i in before and before[i] != now[i]],
        "added": [i for i in now if i not in before],
        "removed": [i for i in before if i not in now],
    }


def _say(outcome: str, sections: dict[str, list[str]]) -> str:
    if outcome == "unchanged":
        return "built: nothing changed"
    counts = [f"{len(ids)} {kind}" for kind, ids in sections.items() if ids]
    return "built: " + ", ".join(counts) + " section(s)"


def _read(path: Path, count: int | None = None) -> list[dict]:
    """Return the entries, oldest first (the last `count` only, if given)."""
    try:
        with open(path, encoding="utf-8") as file:
            lines: Iterable[str] = deque(file, maxlen=count) if count else list(file)
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a full disk must not hide the others
    return entries


def latest(path: Path, count: int = 20) -> list[dict]:
    """Return the last `count` entries, newest first."""
    return list(reversed(_read(path, count)))


def search(path: Path, document: str = "", person: str = "", count: int = 200) -> list[dict]:
    """Return the newest `count` entries about `document` and by `person`, newest first.

    A build outcome counts as the change of everyone whose request queued that job.
    """
    entries = _read(path)
    asked: dict[str, set[str]] = {}
    for entry in entries:
        for job in [entry.get("job"), *entry.get("jobs", [])]:
            if job and entry.get("via") != "build queue":
                asked.setdefault(job, set()).add(entry.get("who", ""))
    found = []
    for entry in reversed(entries):
        people = asked.get(entry.get("job"), set()) if entry.get("via") == "build queue" else set()
        if entry.get("via") == "build queue":
            entry = {**entry, "for": sorted(people)}
        about = {entry.get("document"), *entry.get("documents", [])}
        if document and document not in about:
            continue
        if person and person != entry.get("who") and person not in people:
            continue
        found.append(entry)
        if len(found) >= count:
            break
    return found


def people_and_documents(path: Path) -> tuple[list[str], list[str]]:
    """Return every person and every document the log names, for its filters."""
    people, documents = set(), set()
    for entry in _read(path):
        if entry.get("via") not in ("build queue", "not signed in"):
            people.add(entry.get("who", ""))
        documents.update(d for d in [entry.get("document"), *entry.get("documents", [])] if d)
    return sorted(p for p in people if p), sorted(documents)
