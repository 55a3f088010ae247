"""Document names: paths such as conditions/fever, their rules, and their flat key on disk.

A name is one or more segments joined by "/". Each segment holds lower-case letters (any
script), digits, "-" and "_", as a CMS's page slugs do, normalised to NFC. On disk a name is
one flat key, its segments joined by KEY_SEPARATOR, which no name can hold: two names never
share a file, and no name reaches a build folder's own files (audio, pages, manifest.json).
A name without "/" (every name before paths) is its own key, so old sites keep their files.

Free of imports beyond the standard library, so that any module can name documents.
"""

from __future__ import annotations

import unicodedata

SEPARATOR = "/"
KEY_SEPARATOR = "~"
"""Joins a name's segments in its files' names: punctuation, so no segment ever holds it."""
MAX_BYTES = 200
"""A name's longest, in UTF-8: its key, with a temp file's prefix and a lexicon's suffix,
stays within the 255 bytes a file name may have."""
MAX_DEPTH = 10
"""The most segments a name may have: deeper than any CMS's page tree goes."""
PUNCTUATION = "-_"
RULE = "A name is lower-case letters, digits, - and _, with / between parts, e.g. conditions/fever."
"""The rules in one sentence, for forms and help."""


def normalise(name: str) -> str:
    """Return `name` in NFC, the one form a name is stored and compared in."""
    return unicodedata.normalize("NFC", name)


def problem(name: object) -> str | None:
    """Say what is wrong with a document name, in one sentence; None when it is a name.

    The name is judged as given: call `normalise` first on what a person or a CMS sent.
    """
    if not isinstance(name, str):
        return "a document name must be text"
    if not name:
        return "'' is not a valid document name: it is empty"
    reason = _reason(name)
    if reason is None:
        return None
    shown = repr(name) if len(name) <= 80 else repr(name[:80]) + "…"
    return f"{shown} is not a valid document name: {reason}"


def _reason(name: str) -> str | None:
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        return "it holds a control character; use letters, digits, - and _"
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        return (
            f"it is too long; a name has at most {MAX_BYTES} bytes in UTF-8 (this one has "
            f"{size}; a letter outside A to Z takes 2 to 4)"
        )
    if name.startswith(SEPARATOR) or name.endswith(SEPARATOR):
        return f"it starts or ends with /; write it as {name.strip(SEPARATOR)!r}"
    segments = name.split(SEPARATOR)
    if len(segments) > MAX_DEPTH:
        return f"it is {len(segments)} levels deep; a name has at most {MAX_DEPTH}"
    if name != normalise(name):
        return f"it is not in Unicode NFC; send it as {normalise(name)!r}"
    for segment in segments:
        found = _segment_reason(name, segment)
        if found:
            return found
    return None


def _segment_reason(name: str, segment: str) -> str | None:
    if not segment:
        return "it has an empty part (//); each part between / needs a letter or digit"
    if segment in (".", ".."):
        return f"it has a {segment!r} part; a name cannot step up or stay in place"
    if segment.startswith("-"):
        # It would read as an option on the command line (reader build -x).
        return "a part starts with -; start each part with a letter, a digit or _"
    for ch in segment:
        if ch.isspace():
            return f"it holds a space; join words with -, e.g. {'-'.join(name.lower().split())!r}"
        if not (ch.isalpha() or ch.isdecimal() or ch in PUNCTUATION):
            return f"it holds {ch!r}; use letters, digits, - and _, and / between parts"
    if segment != segment.lower():
        return f"names are lower case, e.g. {normalise(name.lower())!r}"
    return None


def is_valid(name: object) -> bool:
    """Say whether `name` is a document name, in NFC."""
    return problem(name) is None


def key(name: str) -> str:
    """Return the flat key that names a document's files (its build folder, its source)."""
    if not is_valid(name):
        raise ValueError(f"not a document name: {name!r}")
    return name.replace(SEPARATOR, KEY_SEPARATOR)


def from_key(found: str) -> str | None:
    """Return the document name a file's key stands for; None for any other file."""
    name = found.replace(KEY_SEPARATOR, SEPARATOR)
    return name if is_valid(name) else None
