"""The dashboard's rows: one description of each document's columns, searched, sorted and paged.

The page and its live updates both render a row from `describe`, through one template macro,
so no column can show something the other does not.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from math import ceil

STATE_WORDS = {
    "ready": "Ready",
    "stale": "Out of date: its text, pronunciation, voice or engine changed since it was built",
    "missing": "Not built",
    "queued": "Queued for building",
    "building": "Being built",
    "failed": "The last build failed",
    "unpublished": "Unpublished: the page answers 410 Gone",
}
STATE_ORDER = ("failed", "building", "queued", "stale", "missing", "unpublished", "ready")
"""The order of "State, problems first": what needs someone's attention comes first."""
PAGE_SIZE = 25
"""Documents on one page of the dashboard."""
MAX_QUERY = 100
"""Characters of a search that are used; the rest is ignored."""
SORTS = {
    "title": "Title, A to Z",
    "-title": "Title, Z to A",
    "name": "Page name, A to Z",
    "-name": "Page name, Z to A",
    "-built": "Last build, newest first",
    "built": "Last build, oldest first",
    "state": "State, problems first",
    "-state": "State, ready first",
}
"""The dashboard's orders by their `sort` parameter; a leading "-" reverses one."""
_PAGE_NUMBER = re.compile(r"-?[0-9]{1,12}")


class BadListing(ValueError):
    """A search, sort or page the dashboard cannot show, said in one sentence for staff."""


@dataclass(frozen=True)
class Field:
    """One column of a document's row: its label and what it says."""

    key: str
    label: str
    text: str
    items: tuple[str, ...] = ()
    """Things to list under the text (the check's findings), folded away."""


@dataclass
class Listing:
    """One page of the dashboard: its rows and where they stand among all of them."""

    rows: list[dict]
    total: int
    """Documents in all."""
    matching: int
    """Documents that match the search."""
    page: int
    pages: int
    query: str
    sort: str
    first: int = 0
    """The number of the page's first row among the matching ones, from 1 (0 when none)."""
    numbers: list[int | None] = field(default_factory=list)
    """The pages the page navigation links to, None for a gap."""


def when(seconds: float | None) -> str:
    """Say a moment as staff read it, in UTC."""
    return time.strftime("%d %b %Y %H:%M UTC", time.gmtime(seconds)) if seconds else ""


def duration(seconds: float) -> str:
    """Say a listening time in minutes and seconds."""
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{rest} seconds"
    return f"{minutes} minute{'s' * (minutes != 1)} {rest} second{'s' * (rest != 1)}"


def last_words(job: dict | None) -> str:
    """Say how a document's last job went."""
    if job is None:
        return "None yet"
    if job["state"] == "queued":
        return f"Queued {when(job['created'])}"
    if job["state"] == "building":
        return f"Started {when(job['started'])}"
    if job["state"] == "ready":
        result = job["result"] or {}
        if job["kind"] == "retire":
            return f"Unpublished {when(job['finished'])}"
        return (
            f"Succeeded {when(job['finished'])}: {result.get('built', 0)} sections built, "
            f"{result.get('reused', 0)} reused"
        )
    return f"{job['state'].capitalize()} {when(job['finished'] or job['started'])}: {job['error']}"


def _state(doc: dict) -> str:
    state, published = doc["state"], doc["published"]
    if state == "ready" and published and not published["current"]:
        return "stale"
    if state == "failed" and not published and doc["last_build"] is None:
        return "missing"
    return state


def _check(doc: dict, state: str) -> Field:
    findings = tuple(doc["findings"])
    if findings:
        count = len(findings)
        return Field("check", "Check", f"{count} finding{'s' * (count != 1)} to look at", findings)
    if state == "unpublished":
        return Field("check", "Check", "Not checked: the document is unpublished")
    last = doc["last_build"]
    if last and last["state"] == "ready" and last["kind"] != "retire":
        return Field("check", "Check", "No findings")
    return Field("check", "Check", "Checked when the document is built")


SENDING = frozenset({"put", "publish", "publish again"})
"""Audit actions that send a document a new version: the newest says whether it was refused."""


def refusals(entries: list[dict]) -> dict[str, dict]:
    """Map each document whose newest version sent was refused to that audit entry.

    `entries` are newest first. A refused PUT reaches only the CMS's own log otherwise; here
    staff see it beside the version still published.
    """
    found: dict[str, dict] = {}
    seen: set[str] = set()
    for entry in entries:
        slug = entry.get("document")
        if entry.get("action") not in SENDING or not slug or slug in seen:
            continue
        seen.add(slug)
        if entry.get("outcome") == "refused":
            found[slug] = entry
    return found


def _refused(entry: dict) -> Field:
    moment = entry.get("when", "").replace("T", " ").replace("Z", " UTC")
    reason = entry.get("result", "").removeprefix("refused: ")
    who = entry.get("who") or "someone"
    return Field("refused", "Last version sent", f"Refused {moment} (sent by {who}): {reason}")


def describe(doc: dict, refused: dict | None = None) -> dict:
    """Describe a document's row from its state (status.describe): every column, and sort keys.

    `refused` is the audit entry of its newest version sent, when that was refused.
    """
    state = _state(doc)
    words = STATE_WORDS[state]
    progress = doc["progress"]
    if state == "building" and progress and progress["total"]:
        words += f": {progress['done']} of {progress['total']} sections"
    published = doc["published"]
    fields = [Field("audio", "Audio", words)]
    if doc["error"]:
        fields.append(Field("error", "Error", doc["error"]))
    if refused is not None:
        fields.append(_refused(refused))
    audio = published and published["audio"]
    fields += [
        Field("duration", "Listening time", duration(published["duration"]) if audio else ""),
        Field("sections", "Sections", str(published["sections"]) if published else ""),
        Field("last", "Last build", last_words(doc["last_build"])),
        _check(doc, state),
    ]
    fields = [f if f.text else Field(f.key, f.label, "Not known yet") for f in fields]
    last = doc["last_build"]
    built = (last["finished"] or last["started"] or last["created"]) if last else 0.0
    return {
        "slug": doc["slug"],
        "title": doc["title"],
        "lang": doc["lang"],
        "state": state,
        "state_words": words,
        "busy": state in ("queued", "building"),
        "unpublished": state == "unpublished",
        "fields": fields,
        "built": built or 0.0,
    }


def live_summary(rows: list[dict]) -> str:
    """Say what is going on in one sentence, for the polite live region."""
    building = [r["title"] for r in rows if r["state"] == "building"]
    queued = [r["title"] for r in rows if r["state"] == "queued"]
    parts = []
    if building:
        parts.append("Being built: " + ", ".join(building) + ".")
    if queued:
        parts.append("Queued: " + ", ".join(queued) + ".")
    return " ".join(parts) or "No builds are running."


def _sort_key(key: str):
    if key == "title":
        return lambda row: (row["title"].casefold(), row["slug"])
    if key == "name":
        return lambda row: row["slug"]
    if key == "built":
        return lambda row: (row["built"], row["slug"])
    return lambda row: (STATE_ORDER.index(row["state"]), row["title"].casefold(), row["slug"])


def _numbers(page: int, pages: int) -> list[int | None]:
    """Pick the page numbers to link: the first, the last, and two either side of this one."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - out[-1] > 1:
            out.append(None)
        out.append(number)
    return out


def listing(rows: list[dict], args) -> Listing:
    """Search, sort and page the rows as the request's `q`, `sort` and `page` ask.

    A page past the end shows the last one, and one before the start the first; anything
    that is not a sort or a page number raises BadListing.
    """
    query = " ".join(args.get("q", "").split())[:MAX_QUERY]
    sort = args.get("sort", "title") or "title"
    if sort not in SORTS:
        raise BadListing("Sort the documents by title, page name, last build or state.")
    wanted = args.get("page", "1").strip() or "1"
    if not _PAGE_NUMBER.fullmatch(wanted):
        raise BadListing("Give the page as a whole number, such as 2.")
    folded = query.casefold()
    found = [r for r in rows if folded in r["title"].casefold() or folded in r["slug"]]
    found.sort(key=_sort_key(sort.lstrip("-")), reverse=sort.startswith("-"))
    pages = max(1, ceil(len(found) / PAGE_SIZE))
    page = min(max(int(wanted), 1), pages)
    start = (page - 1) * PAGE_SIZE
    shown = found[start : start + PAGE_SIZE]
    return Listing(
        rows=shown,
        total=len(rows),
        matching=len(found),
        page=page,
        pages=pages,
        query=query,
        sort=sort,
        first=start + 1 if shown else 0,
        numbers=_numbers(page, pages),
    )
