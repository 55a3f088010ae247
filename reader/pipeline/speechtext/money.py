"""Money, big numbers and ranges: "£9.90", "50p", "100k", "2–3 weeks", "10–15%"."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.language import Words
from reader.pipeline.speechtext.numbers import ANY_DIGIT, NUMBER, counted
from reader.pipeline.speechtext.rule import Rule

_SCALE = r"(?:\s?(?P<scale>k|m|bn)\b|\s(?P<word>million|billion|thousand)\b)"
_SECOND_SCALE = _SCALE.replace("scale", "scale2").replace("word", "word2")
_POUNDS = re.compile(
    rf"£\s?(?P<amount>{NUMBER}){_SCALE}?"
    rf"(?:(?P<dash>\s?[\u2013\u2014-]\s?|\s(?:to|and)\s)£\s?(?P<second>{NUMBER}){_SECOND_SCALE}?)?"
)
_PENCE = re.compile(r"(?<![\w.£])(?P<amount>\d+(?:\.\d+)?)p\b")
_THOUSANDS = re.compile(r"(?<![\w.£])(?P<amount>\d+(?:\.\d+)?)(?P<scale>k)\b")
_RANGE = re.compile(
    rf"(?P<between>\b[Bb]etween\s)?(?<![\d.,:/\u2013-])(?P<first>{NUMBER})"
    rf"(?:\s?-\s?|\s?[\u2013\u2014]\s?)(?P<last>{NUMBER})(?![\d\u2013-]|[.,:/]\d)"
)


def _pounds(amount: str, scale: str | None, words: Words) -> str:
    if scale:
        return f"{amount} {words.scale_words.get(scale, scale)} {words.pound[1]}"
    whole, _, pence = amount.partition(".")
    pence = (pence + "0")[:2] if pence else ""
    if whole in ("0", "") and pence:
        return counted(str(int(pence)), words.penny)
    said = counted(whole, words.pound)
    if pence and int(pence):
        said += f" {int(pence)}"
    return said


def say_money(text: str, words: Words | None) -> str:
    """Say pounds and pence: "£9.90" → "9 pounds 90", "£1,000" → "1,000 pounds", "50p"."""
    assert words is not None

    def pounds(match: re.Match[str]) -> str:
        first = _pounds(match["amount"], match["scale"] or match["word"], words)
        if not match["second"]:
            return first
        dash = match["dash"].strip()
        joiner = words.to if dash in ("\u2013", "\u2014", "-", "to") else words.and_
        second = _pounds(match["second"], match["scale2"] or match["word2"], words)
        return f"{first} {joiner} {second}"

    text = _POUNDS.sub(pounds, text)
    return _PENCE.sub(lambda m: counted(m["amount"], words.penny), text)


def say_thousands(text: str, words: Words | None) -> str:
    """Say "100k" as "100 thousand"."""
    assert words is not None
    return _THOUSANDS.sub(lambda m: f"{m['amount']} {words.scale_words['k']}", text)


_UNIT_BOTH_ENDS = re.compile(
    rf"(?<![\d.,])(?P<first>{NUMBER})\s?(?P<unit>[A-Za-zµμ]+)\s?[\u2013\u2014-]\s?"
    rf"(?P<last>{NUMBER})\s?(?P=unit)(?![\w])"
)


def say_ranges(text: str, words: Words | None) -> str:
    """Join the ends of a number range with "to": "2–3 weeks", "10-15%", "5ml–10ml"."""
    assert words is not None
    # "5ml–10ml" is "5 to 10ml": the unit is said once, after the range.
    text = _UNIT_BOTH_ENDS.sub(r"\g<first>-\g<last>\g<unit>", text)

    def number_range(match: re.Match[str]) -> str:
        if match["between"]:
            return f"{match['between']}{match['first']} {words.and_} {match['last']}"
        return f"{match['first']} {words.to} {match['last']}"

    return _RANGE.sub(number_range, text)


RULES = (
    Rule(
        "money",
        "money and big numbers",
        'Pounds and pence: "£9.90" → "9 pounds 90", "£1,000" → "1,000 pounds", "50p" → '
        '"50 pence", "£2m" → "2 million pounds".',
        say_money,
        (
            ("A prescription costs £9.90.", "A prescription costs 9 pounds 90."),
            (
                "Grants of up to £1,000 are available.",
                "Grants of up to 1,000 pounds are available.",
            ),
            ("Parking is 50p an hour.", "Parking is 50 pence an hour."),
        ),
        needs=ANY_DIGIT,
    ),
    Rule(
        "thousands",
        "money and big numbers",
        '"100k" is "100 thousand".',
        say_thousands,
        (("Over 100k people took part.", "Over 100 thousand people took part."),),
        needs=ANY_DIGIT,
    ),
    Rule(
        "number-range",
        "money and big numbers",
        'A dash or hyphen between two numbers is "to", spaced on one side or none: "2–3 weeks", '
        '"10-15%", "60 -69".',
        say_ranges,
        (
            ("Recovery takes 2\u20133 weeks.", "Recovery takes 2 to 3 weeks."),
            ("About 10-15% of people", "About 10 to 15 per cent of people"),
            ("Ages 60 -69 are invited.", "Ages 60 to 69 are invited."),
        ),
        needs=ANY_DIGIT,
    ),
)
