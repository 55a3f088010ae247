"""Dates, weekdays, decades and ordinals: "14 Mar 2025" → "14 March 2025"."""

from __future__ import annotations

import datetime
import re

from reader.pipeline.speechtext.language import Words, per_language
from reader.pipeline.speechtext.numbers import ANY_DIGIT
from reader.pipeline.speechtext.rule import Rule

_SLASH_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[/.-]\d)")
_DAY_MONTH_ONLY = re.compile(
    r"(?P<before>\b(?:[Oo]n|[Ff]rom|[Uu]ntil|[Tt]ill|[Bb]y|[Bb]efore|[Aa]fter|[Ss]ince|[Dd]ated?:?)"
    r"\s(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?\s)?)(?P<day>\d{1,2})/(?P<month>\d{1,2})(?![\d/])"
)
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
# A month abbreviation only counts next to a day or a year: "Mar" alone may be a name.
_DAY_MONTH = re.compile(
    rf"(?P<day>\b\d{{1,2}}(?:st|nd|rd|th)?\s)(?P<after>{_MONTH_ABBR})\b(?:\.(?=\s[a-z0-9]))?"
    rf"|\b(?P<before>{_MONTH_ABBR})\b\.?(?P<year>\s\d{{4}}\b|\s\d{{1,2}}(?:st|nd|rd|th)?\b)"
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_ABBR = r"(?:Mon|Tues|Tue|Wed|Thurs|Thur|Thu|Fri|Sat|Sun)"
_DAY_RANGE = re.compile(
    rf"\b(?P<first>{_DAY_ABBR})\.?(?P<dash>\s?[\u2013\u2014-]\s?|\s(?:to|and|or|&)\s)"
    rf"(?P<last>{_DAY_ABBR})\b(?:\.(?=\s[a-z0-9]))?"
)
_DAY_DATE = re.compile(rf"\b(?P<day>{_DAY_ABBR})\.?,?(?=\s\d)")
_DAY_LIST = re.compile(rf"\b{_DAY_ABBR}\b(?:(?:,\s|\s(?:and|or|&)\s){_DAY_ABBR}\b)+")
_ONE_DAY = re.compile(rf"\b(?P<day>{_DAY_ABBR})\b")
_DECADE = re.compile(r"(?<![\w'\u2019])(?:(?P<century>1[89]|20)|['\u2019])?(?P<tens>[1-9]0)s\b")
_ORDINAL_SUPERSCRIPT = re.compile(r"(\d)(ˢᵗ|ⁿᵈ|ʳᵈ|ᵗʰ)")
_SUPERSCRIPT_LETTERS = str.maketrans("ˢᵗⁿᵈʳʰ", "stndrh")


def _spoken_date(day: int, month: int, year: int, words: Words) -> str | None:
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        return None
    return f"{date.day} {words.months[date.month - 1]} {date.year}"


def _full_year(year: str) -> int:
    # A two-digit year on a health page is this century unless it would be in the future.
    number = int(year)
    if len(year) == 4:
        return number
    return 2000 + number if number <= datetime.date.today().year % 100 + 5 else 1900 + number


def say_numeric_dates(text: str, words: Words | None) -> str:
    """Say UK dd/mm/yyyy, d/m/yy and ISO yyyy-mm-dd dates as day, month name and year."""
    assert words is not None

    def slash(match: re.Match[str]) -> str:
        said = _spoken_date(int(match[1]), int(match[3]), _full_year(match[4]), words)
        # Not a real day/month/year (perhaps a US-style date): left for `reader check`.
        return said or match[0]

    def iso(match: re.Match[str]) -> str:
        return _spoken_date(int(match[3]), int(match[2]), int(match[1]), words) or match[0]

    def day_month(match: re.Match[str]) -> str:
        day, month = int(match["day"]), int(match["month"])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return match[0]
        return f"{match['before']}{day} {words.months[month - 1]}"

    text = _ISO_DATE.sub(iso, _SLASH_DATE.sub(slash, text))
    return _DAY_MONTH_ONLY.sub(day_month, text)


_MONTH_RANGE = re.compile(
    rf"\b(?P<first>{_MONTH_ABBR})\b\.?\s?[\u2013\u2014-]\s?(?P<last>{_MONTH_ABBR})\b"
)


def _month(abbreviation: str, words: Words) -> str:
    return words.months[_MONTHS.index(abbreviation[:3])]


def say_month_abbreviations(text: str, words: Words | None) -> str:
    """Say a short month next to a day or year in full: "14 Mar 2025", "Sept 2024"."""
    assert words is not None

    def month(match: re.Match[str]) -> str:
        name = _month(match["after"] or match["before"], words)
        if match["day"]:
            return match["day"] + name
        return name + match["year"]

    text = _MONTH_RANGE.sub(
        lambda m: f"{_month(m['first'], words)} {words.to} {_month(m['last'], words)}", text
    )
    return _DAY_MONTH.sub(month, text)


def _weekday(abbreviation: str, words: Words) -> str:
    return words.weekdays[_DAYS.index(abbreviation[:3])]


def _name_range(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(names)
    return re.compile(rf"\b({alternatives})\s?[\u2013\u2014-]\s?({alternatives})\b")


@per_language
def _name_ranges(words: Words) -> tuple[re.Pattern[str], ...]:
    return tuple(_name_range(names) for names in (words.weekdays, words.months))


def say_name_ranges(text: str, words: Words | None) -> str:
    """Say a dash between two weekday or month names as "to": "Monday–Friday"."""
    assert words is not None
    for pattern in _name_ranges(words):
        text = pattern.sub(rf"\1 {words.to} \2", text)
    return text


def say_weekdays(text: str, words: Words | None) -> str:
    """Say short weekdays in ranges and before dates in full: "Mon–Fri", "Wed 5 March"."""
    assert words is not None

    def day_range(match: re.Match[str]) -> str:
        dash = match["dash"].strip()
        joiner = words.to if dash in ("\u2013", "\u2014", "-", "to") else dash
        joiner = words.and_ if joiner == "&" else joiner
        return f"{_weekday(match['first'], words)} {joiner} {_weekday(match['last'], words)}"

    def day_list(match: re.Match[str]) -> str:
        said = _ONE_DAY.sub(lambda m: _weekday(m["day"], words), match[0])
        return said.replace(" & ", f" {words.and_} ")

    text = _DAY_LIST.sub(day_list, text)
    text = _DAY_RANGE.sub(day_range, text)
    return _DAY_DATE.sub(lambda m: _weekday(m["day"], words), text)


def say_decades(text: str, words: Words | None) -> str:
    """Say a decade as words: "the 1990s" → "the nineteen nineties", "the '80s" → "eighties"."""
    assert words is not None

    def decade(match: re.Match[str]) -> str:
        tens = int(match["tens"])
        century = match["century"]
        if tens == 0 or tens not in words.decades:
            return match[0]
        if century is None:
            return words.decades[tens]
        return f"{words.centuries[int(century)]} {words.decades[tens]}"

    return _DECADE.sub(decade, text)


def say_ordinal_superscripts(text: str, words: Words | None) -> str:
    """Write superscript ordinal endings plainly ("1ˢᵗ" → "1st"), which the engine says right."""
    return _ORDINAL_SUPERSCRIPT.sub(lambda m: m[1] + m[2].translate(_SUPERSCRIPT_LETTERS), text)


RULES = (
    Rule(
        "date-numeric",
        "dates and times",
        "dd/mm/yyyy, d/m/yy, dd.mm.yyyy and ISO yyyy-mm-dd are day, month name, year; "
        'dd/mm after "on", "from", "until" is day and month.',
        say_numeric_dates,
        (
            ("Reviewed: 30/06/2018", "Reviewed: 30 June 2018"),
            ("Your appointment is on 3/4/25.", "Your appointment is on 3 April 2025."),
            ("Updated 2025-03-14.", "Updated 14 March 2025."),
        ),
        needs=ANY_DIGIT,
    ),
    Rule(
        "date-month-abbreviation",
        "dates and times",
        'A short month next to a day or a year is said in full: "14 Mar 2025".',
        say_month_abbreviations,
        (("Clinic on 14 Mar 2025.", "Clinic on 14 March 2025."),),
        needs=re.compile(_MONTH_ABBR),
    ),
    Rule(
        "weekday",
        "dates and times",
        'A short weekday in a range or before a date is said in full: "Mon–Fri", "Wed 5 Mar".',
        say_weekdays,
        (
            ("Open Mon\u2013Fri.", "Open Monday to Friday."),
            ("Drop-in on Wed 5 Mar.", "Drop-in on Wednesday 5 March."),
        ),
        needs=re.compile(_DAY_ABBR),
    ),
    Rule(
        "name-range",
        "dates and times",
        'A dash between two weekday or month names is "to": "Monday–Friday", "June–August".',
        say_name_ranges,
        (("Open Monday–Friday.", "Open Monday to Friday."),),
        needs=re.compile(r"[\u2013\u2014-]"),
    ),
    Rule(
        "decade",
        "dates and times",
        'A decade is words: "the 1990s" → "the nineteen nineties".',
        say_decades,
        (
            (
                "Since the 1990s, survival has improved.",
                "Since the nineteen nineties, survival has improved.",
            ),
        ),
        langs=("en",),
        needs=re.compile("0s"),
    ),
    Rule(
        "ordinal",
        "dates and times",
        'Ordinals ("1st", "22nd") are left to eSpeak NG, which says them right; '
        "superscript endings are written plainly.",
        say_ordinal_superscripts,
        (("Your 2ⁿᵈ dose", "Your 2nd dose"), ("on the 21st", "on the 21st")),
        neutral=True,
        needs=re.compile("[ˢⁿʳᵗ]"),
    ),
)
