"""The admin's Listening page: plays and how far listeners got, per document and section; CSV."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, current_app, render_template, request
from werkzeug.wrappers import Response

from reader.admin import views
from reader.listening_store import (
    QUARTILES,
    RANGES,
    ListeningStore,
    first_day,
    summarise,
    today,
)
from reader.manifest import ManifestError, manifest_path, read_index, read_outline

bp = Blueprint("listening_admin", __name__, url_prefix="/admin", template_folder="templates")
# Editors and admins alike: any signed-in person may see the figures.
bp.before_request(views.require_sign_in)
bp.after_request(views.private)
DEFAULT_DAYS = 30
CSV_COLUMNS = ("document", "section", "day", "event", "count")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula (CSV injection)."""


def _store() -> ListeningStore:
    # The same file the public beacon writes; read even when figures are off, so that turning
    # them off hides nothing already counted.
    counting = current_app.extensions.get("reader.listening")
    return counting or ListeningStore(current_app.instance_path)


def _days():
    """Return the period asked for (`?days=7|30|90`), or a 400 page for anything else."""
    raw = request.args.get("days", str(DEFAULT_DAYS))
    if raw not in {str(days) for days in RANGES}:
        wanted = ", ".join(map(str, RANGES))
        return None, views.message(400, f"Choose a period of {wanted} days.", "No such period")
    return int(raw), None


def _titles() -> dict[str, str]:
    try:
        index = read_index(current_app.config["BUILD_DIR"])
    except ManifestError:
        return {}
    return {entry.slug: entry.title for entry in index.documents} if index else {}


def _period(days: int) -> dict:
    return {"days": days, "since": first_day(days), "until": today(), "ranges": RANGES}


@bp.get("/listening")
def figures():
    """Show each document's plays and the share of them that reached each quarter."""
    days, refused = _days()
    if refused:
        return refused
    period = _period(days)
    documents = summarise(_store().counts(period["since"]), lambda row: row.document)
    documents.sort(key=lambda figures: (-figures.plays, figures.name))
    return render_template(
        "admin_listening.html",
        rows=documents,
        titles=_titles(),
        quartiles=QUARTILES,
        document=None,
        **period,
    )


@bp.get("/listening/<name:document>")
def document_figures(document: str):
    """Show one document's figures section by section, in reading order."""
    days, refused = _days()
    if refused:
        return refused
    period = _period(days)
    counts = _store().counts(period["since"], document=document)
    try:
        outline = read_outline(manifest_path(current_app.config["BUILD_DIR"], document))
    except ManifestError:
        outline = None
    headings = {s.id: s.heading for s in outline.sections} if outline else {}
    order = list(headings)
    sections = summarise(counts, lambda row: row.section)
    # Reading order for the sections the page still has; those it lost since, after them.
    sections.sort(key=lambda s: (order.index(s.name) if s.name in order else len(order), s.name))
    if not counts and outline is None:
        return views.message(404, f"Nothing is known of a document called {document}.", "Not found")
    return render_template(
        "admin_listening.html",
        rows=sections,
        headings=headings,
        title=outline.document.title if outline else document,
        quartiles=QUARTILES,
        document=document,
        **period,
    )


def _cell(value) -> str:
    """Return a CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@bp.get("/listening.csv")
def export():
    """Send the period's counts as CSV: one row per document, section, day and event."""
    days, refused = _days()
    if refused:
        return refused
    period = _period(days)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in _store().counts(period["since"]):
        writer.writerow([_cell(value) for value in row])
    name = f"listening-{period['since']}-to-{period['until']}.csv"
    return Response(
        out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
