"""The rule registry: documented in docs/speech-text.md, and every example holds."""

import re
from pathlib import Path

import pytest

from reader.pipeline.normalise import normalise, tidy
from reader.pipeline.speechtext import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "speech-text.md"
_ROW = re.compile(r"^\| (\d+) \| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \|", re.MULTILINE)


def documented() -> list[tuple[str, str, str]]:
    """Return (name, category, languages) for each row of the docs table, in order."""
    return [(m[2], m[3].strip(), m[4].strip()) for m in _ROW.finditer(DOCS.read_text("utf-8"))]


def test_docs_table_lists_every_rule_in_order():
    expected = [
        (rule.name, rule.category, "all" if rule.neutral else ", ".join(rule.langs))
        for rule in RULES
    ]
    assert documented() == expected


def test_docs_table_shows_each_rules_examples():
    text = DOCS.read_text("utf-8")
    for rule in RULES:
        row = next(line for line in text.splitlines() if f"| `{rule.name}` |" in line)
        for display, spoken in rule.examples:
            assert f"`{display}` → `{spoken}`" in row


def test_rule_names_are_unique_and_every_rule_has_an_example():
    assert len({rule.name for rule in RULES}) == len(RULES)
    assert all(rule.examples and rule.summary for rule in RULES)


@pytest.mark.parametrize(
    ("display", "spoken"),
    [example for rule in RULES for example in rule.examples],
)
def test_every_documented_example_holds(display, spoken):
    assert tidy(normalise(display, "en-GB")) == spoken
