"""Turn an unexpected exception in one document into one clear line and a log file."""

from __future__ import annotations

import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from reader import names
from reader.manifest import is_valid_slug

LOG_DIR_NAME = ".logs"
"""Logs sit in the build folder, e.g. build/.logs; no slug starts with a dot, so none clash."""
_MAX_DETAIL = 160


def log_dir(out_dir: Path) -> Path:
    """Return the folder for the logs of builds that publish into `out_dir`."""
    return Path(out_dir) / LOG_DIR_NAME


def unexpected_failure(folder: Path, slug: str, error: BaseException) -> str:
    """Write the traceback of `error` to a log file; return one line that names that file."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    # A bad name may not be safe as part of a file name.
    name = f"{names.key(slug) if is_valid_slug(slug) else 'document'}-{stamp}.log"
    text = "".join(traceback.format_exception(error))
    path = _write_log(Path(folder), name, text)
    detail = " ".join(str(error).split())[:_MAX_DETAIL]
    summary = type(error).__name__ + (f": {detail}" if detail else "")
    where = f"the details are in {path}" if path else "no log could be written"
    return f"unexpected error ({summary}); this document was skipped, {where}"


def _write_log(folder: Path, name: str, text: str) -> Path | None:
    # A build folder we cannot write (a full disk, read-only) must not hide the error itself.
    for place in (folder, Path(tempfile.gettempdir()) / "voice-reader-logs"):
        try:
            place.mkdir(parents=True, exist_ok=True)
            path = place / name
            path.write_text(text, "utf-8")
        except OSError:
            continue
        return path
    return None
