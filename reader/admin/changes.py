"""What a preview changes against the published version: each sentence added or said anew."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from reader import manifest as mf

ADDED, CHANGED = "added", "changed"
"""A preview sentence's mark: not in the published version, or in place of one that was."""


@dataclass(frozen=True)
class Changes:
    """How a preview's sentences compare with the published version's."""

    compared: bool
    """False when there is no published version with sentences to compare with."""
    changed: int = 0
    """Preview sentences marked added or changed."""
    removed: int = 0
    """Published sentences with no counterpart in the preview."""
    total: int = 0
    """Sentences in the preview."""


def published_sentences(build_dir, slug: str) -> list[tuple[str, str]] | None:
    """Return the published version's sentences as (text, spoken); None when it has none."""
    try:
        manifest = mf.load_manifest(build_dir, slug)
    except (mf.ManifestError, OSError):
        return None
    if manifest is None or not manifest.has_audio:
        return None
    return [(s.text, s.spoken) for section in manifest.sections for s in section.sentences]


def mark(sections: list[dict], published: list[tuple[str, str]] | None) -> Changes:
    """Number each preview sentence (`number`, from 1) and mark it (`change`), in place.

    A sentence counts as changed when its text or what is said for it differs, because
    both change what a listener hears.
    """
    sentences = [s for section in sections for s in section["sentences"]]
    for number, sentence in enumerate(sentences, start=1):
        sentence["number"], sentence["change"] = number, None
    if published is None:
        return Changes(compared=False, total=len(sentences))
    ours = [(s["text"], s["spoken"]) for s in sentences]
    matcher = SequenceMatcher(None, published, ours, autojunk=False)
    removed = 0
    for tag, old_start, old_end, start, end in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed += max(0, (old_end - old_start) - (end - start))
        for sentence in sentences[start:end]:
            sentence["change"] = CHANGED if tag == "replace" else ADDED
    changed = sum(1 for s in sentences if s["change"])
    return Changes(compared=True, changed=changed, removed=removed, total=len(sentences))
