"""The build folder's index.json: which documents are published, changed under one lock.

Apart from the pipeline, so that the web process (a move through the content API) can change
it without loading the pipeline.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock

from reader import manifest as mf
from reader.files import TEMP_PREFIX, atomic_write, read_cached

INDEX_LOCK_NAME = ".index.lock"


def index_temps(out_dir: Path) -> list[Path]:
    """List the index's temp files: only the index lock's holder writes one."""
    return list(Path(out_dir).glob(f"{TEMP_PREFIX}*-{mf.INDEX_NAME}"))


def update_index(out_dir: Path, entry: mf.IndexEntry) -> None:
    """Put `entry` into the build folder's index, unless it is there already."""
    _change_index(Path(out_dir), entry.slug, entry)


def remove_from_index(out_dir: Path, slug: str) -> None:
    """Take an unpublished document out of the build folder's index."""
    _change_index(Path(out_dir), slug, None)


def rename_in_index(out_dir: Path, old: str, entry: mf.IndexEntry | None) -> None:
    """Take a moved document's old name out of the index and put its new entry in, at once."""
    _change_index(Path(out_dir), old, None, entry)


def _change_index(
    out_dir: Path, slug: str, entry: mf.IndexEntry | None, also: mf.IndexEntry | None = None
) -> None:
    found, documents = _indexed(out_dir)
    if (
        found
        and documents.get(slug) == entry
        and (also is None or documents.get(also.slug) == also)
    ):
        return
    with FileLock(out_dir / INDEX_LOCK_NAME, timeout=60):
        # Only this lock's holder writes the index, so a temp file of it is a killed build's.
        for temp in index_temps(out_dir):
            temp.unlink(missing_ok=True)
        # Read again under the lock: another document's build may have written it meanwhile.
        _, documents = _indexed(out_dir, fresh=True)
        documents.pop(slug, None)
        if also is not None:
            documents[also.slug] = also
        if entry is not None:
            documents[slug] = entry
        index = mf.Index(tuple(documents[name] for name in sorted(documents)))
        atomic_write(out_dir / mf.INDEX_NAME, mf.dumps(index))


def _indexed(out_dir: Path, fresh: bool = False) -> tuple[bool, dict[str, mf.IndexEntry]]:
    """Return whether the index file is there and usable, and its entries by slug.

    `fresh` reads the file itself, as a change under the index lock must: the cache trusts the
    file's stat, which NFS may serve from its attribute cache, missing another machine's write.
    """
    path = Path(out_dir) / mf.INDEX_NAME
    try:
        index = _read_index(path) if fresh else read_cached(path, mf.parse_index)
    except mf.ManifestError:
        index = None
    if index is not None:
        return True, {entry.slug: entry for entry in index.documents}
    # No index yet (or a damaged one): make it once from what is published.
    documents = {}
    for slug in mf.published_slugs(out_dir):
        try:
            manifest = mf.load_manifest(out_dir, slug)
        except mf.ManifestError:
            continue
        if manifest is not None and manifest.page is not None:
            documents[slug] = mf.IndexEntry.of(manifest)
    return False, documents


def _read_index(path: Path) -> mf.Index | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return mf.parse_index(data, str(path))
