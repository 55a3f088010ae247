"""Every speech-text rule, in the order they run; the same list as docs/speech-text.md."""

from __future__ import annotations

from reader.pipeline.speechtext import (
    abbreviations,
    capitals,
    dates,
    money,
    phones,
    slashes,
    symbols,
    times,
    units,
    web,
)
from reader.pipeline.speechtext.language import Words, words_for
from reader.pipeline.speechtext.rule import Rule


def _by_name(*families: tuple[Rule, ...]) -> dict[str, Rule]:
    return {rule.name: rule for family in families for rule in family}


_ALL = _by_name(
    symbols.RULES,
    web.RULES,
    dates.RULES,
    times.RULES,
    phones.RULES,
    money.RULES,
    slashes.RULES,
    units.RULES,
    abbreviations.RULES,
    capitals.RULES,
)

# Order matters: addresses and dates before phone numbers (their digits are not telephone
# groups), phone numbers before ranges (0808-808 is no range), ranges before units (so the
# unit after "2 to 5" is plural), symbols before letters ("A&E" becomes "A and E" first).
ORDER = (
    "silent-marks",
    "bullet",
    "plural-bracket",
    "email",
    "web-address",
    "date-numeric",
    "date-month-abbreviation",
    "weekday",
    "name-range",
    "decade",
    "ordinal",
    "time",
    "phone-extension",
    "phone-uk",
    "phone-service",
    "phone-text",
    "phone-called",
    "money",
    "thousands",
    "blood-pressure",
    "power",
    "unit-per",
    "fraction",
    "number-pair",
    "number-range",
    "unit",
    "percent",
    "temperature",
    "measure-pair",
    "unit-gloss",
    "abbreviation",
    "etcetera",
    "title",
    "saint-street",
    "number-abbreviation",
    "page",
    "versus",
    "word-pair",
    "comparison",
    "sign",
    "roman-numeral",
    "digit-hyphen-letter",
    "element-symbol",
    "letter-a",
    "mixed-case",
    "capitals",
)

RULES: tuple[Rule, ...] = tuple(_ALL[name] for name in ORDER)
"""Every rule, in the order it runs."""


_RUNNING: dict[str | None, tuple[Rule, ...]] = {}
"""The rules that run for each language code (None: no word table), in order."""


def _running(words: Words | None) -> tuple[Rule, ...]:
    code = words.code if words is not None else None
    rules = _RUNNING.get(code)
    if rules is None:
        rules = _RUNNING[code] = tuple(rule for rule in RULES if rule.applies_to(words))
    return rules


def apply_rules(text: str, lang: str) -> str:
    """Run every rule that applies to `lang` over `text`, in order."""
    words = words_for(lang)
    for rule in _running(words):
        # A rule whose `needs` is absent from the text would leave it as it is.
        if rule.needs is None or rule.needs.search(text):
            text = rule.apply(text, words)
    return text
