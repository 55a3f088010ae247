"""The global lexicon (content/lexicon.tsv) as staff edit it on the admin page."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from reader import names
from reader.errors import ContentError, ReaderError
from reader.files import atomic_write

MAX_DOCUMENTS_SCANNED = 10_000
_lock = threading.Lock()


class LexiconProblem(ReaderError):
    """An entry cannot be saved, or the lexicon file cannot be read."""


class AlreadyThere(LexiconProblem):
    """A new entry's word is already in the lexicon: `entry` is the one there."""

    def __init__(self, message: str, entry):
        super().__init__(message)
        self.entry = entry


def _lexicon():
    # Here: the lexicon's file format belongs to the pipeline, which the web process loads
    # only when a pronunciation page is used (test_the_api_never_loads_the_pipeline).
    from reader.pipeline import lexicon

    return lexicon


def key(entry) -> str:
    """Return the form key of an entry: its language and its written word."""
    return f"{entry.lang}:{entry.written}"


def load(path: Path) -> list:
    """Return the entries of the lexicon file, in file order ([] when there is none)."""
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise LexiconProblem(f"cannot read {path.name}: {error}") from None
    try:
        return _lexicon().parse_tsv(text, path.name)
    except ContentError as error:
        raise LexiconProblem(str(error)) from None


def matches(entry, query: str) -> bool:
    """Say whether an entry matches a search (in its written or spoken word, or its note)."""
    query = query.casefold()
    return not query or any(query in text.casefold() for text in (entry.written, entry.spoken))


def _line_number(entry) -> int:
    return int(entry.origin.rsplit(" line ", 1)[1])


def _rewrite(path: Path, changes: dict[int, str | None], added: str | None = None) -> None:
    """Change the file line by line, so comments, blank lines and order stay as staff left them."""
    try:
        lines = path.read_text("utf-8-sig").splitlines()
    except FileNotFoundError:
        lines = ["written\tspoken\tlang\twhy"]
    out = []
    for number, line in enumerate(lines, start=1):
        if number not in changes:
            out.append(line)
        elif changes[number] is not None:
            out.append(changes[number])
    if added is not None:
        out.append(added)
    atomic_write(path, ("\n".join(out) + "\n").encode("utf-8"))


def save(path, written, spoken, lang, why, replacing: str, content_dir: Path):
    """Add an entry, or replace the one keyed `replacing`; return (word, documents using it)."""
    written, spoken, lang, why = (v.strip() for v in (written, spoken, lang, why))
    lexicon = _lexicon()
    try:
        entry = lexicon.make_entry(written, spoken, lang, why)
        line = lexicon.tsv_line(entry)
    except ContentError as error:
        raise LexiconProblem(str(error)) from None
    with _lock:
        entries = {key(e): e for e in load(path)}
        old = entries.get(replacing) if replacing else None
        if replacing and old is None:
            raise LexiconProblem("that entry is no longer in the lexicon; add it again")
        clash = entries.get(key(entry))
        if clash is not None and clash is not old:
            raise AlreadyThere(f"“{written}” is already in the lexicon: change that entry", clash)
        if old is not None:
            _rewrite(path, {_line_number(old): line})
        else:
            _rewrite(path, {}, added=line)
    words = {written} | ({old.written} if old else set())
    return written, documents_using(content_dir, words)


def remove(path: Path, entry_key: str, content_dir: Path):
    """Remove the entry keyed `entry_key`; return (word, documents that used it)."""
    with _lock:
        gone = next((e for e in load(path) if key(e) == entry_key), None)
        if gone is None:
            raise LexiconProblem("that entry is no longer in the lexicon")
        _rewrite(path, {_line_number(gone): None})
    return gone.written, documents_using(content_dir, {gone.written})


def documents_using(content_dir: Path, words: set[str]) -> list[str]:
    """List the documents whose source has one of `words` (their build re-says only those)."""
    # As the lexicon matches: case-sensitive, and a lower-case word also capitalised.
    variants = words | {w[0].upper() + w[1:] for w in words if w[:1].islower()}
    patterns = [re.compile(rf"(?<!\w){re.escape(w)}(?!\w)") for w in variants]
    found = []
    for path in sorted(Path(content_dir).glob("*.html"))[:MAX_DOCUMENTS_SCANNED]:
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError:
            continue
        name = names.from_key(path.stem)
        if name and any(p.search(text) for p in patterns):
            found.append(name)
    return found
