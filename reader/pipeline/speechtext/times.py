"""Times of day: "9.30am" → "9 30 am", "17:00" → "5 pm", "9am–5pm" → "9 am to 5 pm"."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.language import Words, per_language
from reader.pipeline.speechtext.numbers import ANY_DIGIT
from reader.pipeline.speechtext.rule import Rule

_TWELVE_HOUR = re.compile(
    r"(?<![\d.:£])(?P<hour>1[0-2]|0?[1-9])(?:[.:](?P<minute>[0-5]\d))?\s?"
    r"(?P<half>[AaPp])(?:\.[Mm]\.?|[Mm])(?![A-Za-z])"
)
_TWENTY_FOUR_HOUR = re.compile(
    r"(?<![\d.:£])(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?![\d:]|\s?[AaPp]\.?[Mm]\b)"
)
_DOTTED_RANGE = re.compile(
    r"(?<![\d.])(?P<hour>[01]\d|2[0-3])\.(?P<minute>[0-5]\d)(?P<dash>\s?[\u2013\u2014-]\s?)"
    r"(?P<hour2>[01]\d|2[0-3])\.(?P<minute2>[0-5]\d)(?![\d.]\d)"
)
_HOURS_SUFFIX = re.compile(
    r"(?<![\d.:])(?P<hour>[01]\d|2[0-3])(?P<minute>[0-5]\d)\s?(?:hrs|hours)\b"
)


def _clock(hour: int, minute: int, half: str, words: Words) -> str:
    if minute == 0 and hour == 12:
        return f"12 {words.noon}" if half == "pm" else words.midnight
    said = str(hour)
    if minute:
        said += f" oh {minute}" if minute < 10 and words.code == "en" else f" {minute}"
    return f"{said} {words.am if half == 'am' else words.pm}"


@per_language
def _dashes(words: Words) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    ends = "|".join(re.escape(w) for w in (words.am, words.pm, words.noon, words.midnight))
    return (
        # "between 9am-5pm" is "between 9 am and 5 pm".
        re.compile(
            rf"(\b[Bb]etween\s\d{{1,2}}(?:\s(?:oh\s)?\d\d)?\s(?:{ends}))\s?[\u2013\u2014-]\s?(?=\d)"
        ),
        # "9 am–5 pm" and "9–5 pm": the dash between two times is "to".
        re.compile(rf"\b({ends})\s?[\u2013\u2014-]\s?(?=\d)"),
        re.compile(rf"\b(\d{{1,2}})\s?[\u2013\u2014-]\s?(?=\d{{1,2}}(?: \d\d)? (?:{ends})\b)"),
    )


def say_times(text: str, words: Words | None) -> str:
    """Say 12- and 24-hour times with "am" or "pm", and join a range of times with "to"."""
    assert words is not None

    def twelve(match: re.Match[str]) -> str:
        minute = int(match["minute"] or 0)
        said = _clock(int(match["hour"]), minute, match["half"].lower() + "m", words)
        # "at 9 a.m." ending the sentence keeps its full stop.
        return said + ("." if match[0].endswith(".") and match.end() == len(text) else "")

    def twenty_four(match: re.Match[str]) -> str:
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour == 0 and minute == 0:
            return words.midnight
        half = "am" if hour < 12 else "pm"
        return _clock(hour % 12 or 12, minute, half, words)

    def dotted(match: re.Match[str]) -> str:
        first = f"{match['hour']}:{match['minute']}"
        return f"{first} {words.to} {match['hour2']}:{match['minute2']}"

    text = _TWELVE_HOUR.sub(twelve, text)
    text = _DOTTED_RANGE.sub(dotted, text)
    text = _TWENTY_FOUR_HOUR.sub(twenty_four, text)
    text = _HOURS_SUFFIX.sub(twenty_four, text)
    between, after_end, before_end = _dashes(words)
    text = between.sub(rf"\1 {words.and_} ", text)
    text = after_end.sub(rf"\1 {words.to} ", text)
    return before_end.sub(rf"\1 {words.to} ", text)


RULES = (
    Rule(
        "time",
        "dates and times",
        'Times are hour, minutes, "am"/"pm": 9am, 9.30am, 9:30am, 17:00; "12pm" is "12 noon"; '
        'a dash between times is "to".',
        say_times,
        (
            ("Open 9am\u20135pm.", "Open 9 am to 5 pm."),
            ("Arrive by 9.30am.", "Arrive by 9 30 am."),
            ("The clinic closes at 17:00.", "The clinic closes at 5 pm."),
            ("Take it at 8:05am.", "Take it at 8 oh 5 am."),
        ),
        needs=ANY_DIGIT,
    ),
)
