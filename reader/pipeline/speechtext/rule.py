"""One speech-text rule: a named rewrite of display text, with the examples that document it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reader.pipeline.speechtext.language import Words


@dataclass(frozen=True)
class Rule:
    """A rewrite from what a page shows to what a listener must hear."""

    name: str
    """Unique, stable name; the row key in docs/speech-text.md."""
    category: str
    """The family the rule belongs to, e.g. "telephone numbers"."""
    summary: str
    """What the rule says, in one line, for the docs table."""
    apply: Callable[[str, Words | None], str]
    """Rewrite a text; `Words` is None for a language without word rules."""
    examples: tuple[tuple[str, str], ...]
    """(display text, expected spoken text) pairs for en-GB; tested through the whole stage."""
    neutral: bool = False
    """True when the rule runs for every language, not only those with word tables."""
    langs: tuple[str, ...] = ("en", "cy")
    """Primary language subtags a non-neutral rule runs for."""
    needs: re.Pattern[str] | None = None
    """A pattern every text this rule can change contains (None: always run the rule).

    One quick search lets `apply_rules` skip the rule's own, slower patterns: most sentences
    hold no digit, "/" or "@". It must hold for each of the rule's rewrites in turn."""

    def applies_to(self, words: Words | None) -> bool:
        """Return whether this rule runs for text whose word table is `words`."""
        if self.neutral:
            return True
        return words is not None and words.code in self.langs
