"""Conditional and Range requests as RFC 9110 orders them, for files with a strong ETag."""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.http import parse_date, parse_etags

_RANGE_SPEC = re.compile(r"(\d*)-(\d*)")
WHOLE = None
"""The answer is the whole file, 200 (no Range, or one this server ignores)."""
UNSATISFIABLE = "unsatisfiable"
"""The answer is 416: no range of the set overlaps the file."""


@dataclass(frozen=True)
class Validators:
    """What identifies the bytes being served: a strong ETag and a modification time."""

    etag: str
    """Unquoted strong entity tag."""
    modified: int
    """Last modification, in whole seconds since the epoch (HTTP dates have no fractions)."""


def precondition_status(headers, method: str, current: Validators) -> int | None:
    """Return 412 or 304 when a precondition says so (RFC 9110 13.2.2), else None."""
    if_match = headers.get("If-Match")
    if if_match is not None:
        # If-Match compares strongly; "*" matches any current file.
        if not parse_etags(if_match).contains(current.etag):
            return 412
    else:
        since = _date(headers.get("If-Unmodified-Since"))
        if since is not None and current.modified > since:
            return 412
    reading = method in ("GET", "HEAD")
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        # If-None-Match compares weakly, and is evaluated before any Range.
        if parse_etags(if_none_match).contains_weak(current.etag):
            return 304 if reading else 412
    elif reading:
        since = _date(headers.get("If-Modified-Since"))
        if since is not None and current.modified <= since:
            return 304
    return None


def wanted_range(headers, method: str, length: int, current: Validators):
    """Return (first, last) inclusive for a 206, WHOLE for a 200, or UNSATISFIABLE for a 416."""
    header = headers.get("Range")
    # Range is defined for GET only; HEAD and the rest ignore it.
    if header is None or method != "GET":
        return WHOLE
    if_range = headers.get("If-Range")
    if if_range is not None and not _if_range_holds(if_range.strip(), current):
        return WHOLE
    ranges = parse_byte_ranges(header)
    if ranges is None:
        return WHOLE
    wanted = satisfiable(ranges, length)
    if not wanted:
        return UNSATISFIABLE
    if len(wanted) > 1:
        # RFC 9110 lets a server answer several ranges with the whole file; players ask one.
        return WHOLE
    return wanted[0]


def parse_byte_ranges(header: str) -> list[tuple[int | None, int | None]] | None:
    """Parse `bytes=…` into (first, last) pairs; None for a unit or syntax to be ignored."""
    unit, equals, specs = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    ranges = []
    for spec in specs.split(","):
        spec = spec.strip()
        if not spec:
            continue  # empty list elements are allowed
        match = _RANGE_SPEC.fullmatch(spec)
        if match is None or not (match[1] or match[2]):
            return None
        first = int(match[1]) if match[1] else None
        last = int(match[2]) if match[2] else None
        if first is not None and last is not None and last < first:
            return None
        ranges.append((first, last))
    return ranges or None


def satisfiable(ranges: list[tuple[int | None, int | None]], length: int) -> list[tuple[int, int]]:
    """Return the ranges that overlap a file of `length` bytes, clipped to it."""
    found = []
    for first, last in ranges:
        if first is None:
            # A suffix: the last N bytes, or the whole file when N is larger than it.
            if last and length:
                found.append((max(0, length - last), length - 1))
        elif first < length:
            found.append((first, length - 1 if last is None else min(last, length - 1)))
    return found


def _if_range_holds(value: str, current: Validators) -> bool:
    # If-Range needs a strong match: a weak tag never holds, a date must be the exact one.
    if value.startswith("W/"):
        return False
    if value.startswith('"'):
        return value == f'"{current.etag}"'
    return _date(value) == current.modified


def _date(value: str | None) -> int | None:
    parsed = parse_date(value) if value else None
    return None if parsed is None else int(parsed.timestamp())
