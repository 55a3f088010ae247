"""Built-in normalisation: rewrite display text so eSpeak NG says it the way a person would."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from reader.pipeline.sentences import collapse_whitespace


@dataclass(frozen=True)
class Words:
    """The words one language uses for the things normalisation spells out."""

    months: tuple[str, ...]
    abbreviations: dict[str, str]
    """Written abbreviation → words, e.g. "e.g." → "for example"."""
    to: str
    """The word between the ends of a range: "5 to 10"."""
    per_cent: str
    and_: str
    degrees: str


ENGLISH = Words(
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    abbreviations={"e.g.": "for example", "i.e.": "that is"},
    to="to",
    per_cent="per cent",
    and_="and",
    degrees="degrees",
)

WELSH = Words(
    months=(
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ),
    abbreviations={"e.e.": "er enghraifft", "h.y.": "hynny yw"},
    to="i",
    per_cent="y cant",
    and_="a",
    degrees="gradd",
)

LANGUAGES = {"en": ENGLISH, "cy": WELSH}
"""Languages with word rules, by primary language subtag; others get only the neutral rules."""

# All-capital words eSpeak NG says correctly as words, so they are not spelled out letter by
# letter: acronyms said as words, Roman numerals (eSpeak reads them in context), and common
# English words written in capitals for emphasis ("do NOT").
KNOWN_WORDS = frozenset(
    """
    AIDS COVID NASA NATO NICE PET SARS MERS OK
    II III IV VI VII VIII IX XI XII
    A AN AND ANY ARE AS AT BE BUT BY CALL CAN DO DONT FOR FROM GET GO HAS HAVE HELP HOW IF IN
    IS IT ITS MAY MUST NEVER NEW NO NOT NOW OF OFF ON ONLY OR OUT SEE STOP TAKE THE THIS TO UP
    URGENT USE WAIT WE WHAT WHEN WHO WHY WILL WITH YES YOU YOUR
    """.split()  # noqa: SIM905 - a word list reads best as words
)

_SILENT_SYMBOLS = re.compile(r"[®™©]")
_SLASH_DATE = re.compile(r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2(\d{4})(?!\d|[/.]\d)")
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
# Digits either side of a hyphen or en dash, not part of a longer chain like a phone number.
_RANGE = re.compile(
    r"(?<![\d.\u2013-])(\d+(?:\.\d+)?)(?:-|\s?\u2013\s?)(\d+(?:\.\d+)?)(?![\d\u2013-])"
)
_DIGIT_HYPHEN_LETTER = re.compile(r"(?<=\d)-(?=[A-Za-z])|(?<=[A-Za-z])-(?=\d)")
_CAPITALS = re.compile(r"\b[A-Z]{2,5}\b")
_PERCENT = re.compile(r"(?<=\d)\s?%")
_DEGREES = re.compile(r"(?<=\d)\s?°\s?([CF])\b")
_SCALES = {"C": "Celsius", "F": "Fahrenheit"}
_AMPERSAND = re.compile(r"\s?&\s?")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?)])")


def words_for(lang: str) -> Words | None:
    """Return the word rules for a BCP 47 language tag, or None for the neutral rules only."""
    return LANGUAGES.get(lang.split("-", 1)[0].lower())


def normalise(text: str, lang: str) -> str:
    """Rewrite symbols, dates, ranges, abbreviations and capitals in `text` as words."""
    words = words_for(lang)
    text = _SILENT_SYMBOLS.sub("", text)
    if words is not None:
        text = _dates(text, words)
        text = _abbreviations(text, words)
        text = _RANGE.sub(lambda m: f"{m[1]} {words.to} {m[2]}", text)
        text = _PERCENT.sub(f" {words.per_cent}", text)
        text = _DEGREES.sub(lambda m: f" {words.degrees} {_SCALES[m[1]]}", text)
        text = _AMPERSAND.sub(f" {words.and_} ", text)
    # "5-HIAA" is "5 HIAA" (then spelled out), not "five hire"; "x-rays" keeps its hyphen.
    text = _DIGIT_HYPHEN_LETTER.sub(" ", text)
    text = _CAPITALS.sub(_spell_out, text)
    return text


def tidy(text: str) -> str:
    """Collapse the white space that removed symbols leave behind."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", collapse_whitespace(text))


def is_speakable(text: str) -> bool:
    """Return whether `text` has anything to say: at least one letter or digit."""
    return any(ch.isalnum() for ch in text)


def spell_out(word: str) -> str:
    """Return how normalisation says an all-capital word: letters, unless eSpeak says it right."""
    if word in KNOWN_WORDS or not _CAPITALS.fullmatch(word):
        return word
    return " ".join(word)


def _spell_out(match: re.Match[str]) -> str:
    return spell_out(match[0])


def _dates(text: str, words: Words) -> str:
    def day_month_year(day: str, month: str, year: str, original: str) -> str:
        try:
            date = datetime.date(int(year), int(month), int(day))
        except ValueError:
            # Not a real day/month/year (perhaps a US-style date): leave it for `reader check`.
            return original
        return f"{date.day} {words.months[date.month - 1]} {date.year}"

    text = _SLASH_DATE.sub(lambda m: day_month_year(m[1], m[3], m[4], m[0]), text)
    return _ISO_DATE.sub(lambda m: day_month_year(m[3], m[2], m[1], m[0]), text)


def _abbreviations(text: str, words: Words) -> str:
    for written, said in words.abbreviations.items():
        pattern = re.compile(r"(?<!\w)" + re.escape(written), re.IGNORECASE)
        text = pattern.sub(lambda m, said=said: _match_case(m[0], said), text)
    return text


def _match_case(written: str, said: str) -> str:
    # "E.g. …" at the start of a sentence becomes "For example …".
    return said[0].upper() + said[1:] if written[0].isupper() else said
