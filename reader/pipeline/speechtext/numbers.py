"""Shared number patterns and helpers for the speech-text rules."""

from __future__ import annotations

import re

NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
"""A written number: 5, 0.5, 1,000, 2.25."""
ANY_DIGIT = re.compile(r"\d")
"""The `needs` of every rule that rewrites only around digits (\\d, as the rules match)."""
DASH = r"(?:\s?[\u2013\u2014]\s?|-|\s-\s|\s(?:to)\s)"
"""The dash or word between the ends of a range."""


def digits(text: str) -> str:
    """Say every digit in `text` on its own: "0808" → "0 8 0 8"."""
    return " ".join(ch for ch in text if ch.isdigit())


def is_one(number: str) -> bool:
    """Return whether a written number is exactly one, so a unit after it is singular."""
    return number.strip() == "1"


def counted(number: str, forms: tuple[str, str], plural: bool = False) -> str:
    """Return `number` and the singular or plural form of what it counts."""
    singular, many = forms
    return f"{number} {many if plural or not is_one(number) else singular}"


def after_range(text: str, position: int, to: str) -> bool:
    """Return whether the number at `position` ends a range ("2 to 5 mg"), so units are plural."""
    return text[:position].rstrip().endswith(f" {to}") and text[:position].endswith(" ")
