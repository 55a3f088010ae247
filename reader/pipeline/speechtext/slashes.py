"""Slashes between numbers and words: blood pressure, fractions, strength pairs, "and/or"."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.language import Words, match_case, per_language
from reader.pipeline.speechtext.numbers import ANY_DIGIT
from reader.pipeline.speechtext.rule import Rule

_PRESSURE = re.compile(
    r"(?<![\d/.,])(?P<top>\d{2,3})/(?P<bottom>\d{2,3})(?![\d/]|[.,]\d)(?P<unit>\s?mm\s?Hg\b)?"
)
_PRESSURE_WORDS = re.compile(r"\b(?:blood pressure|BP|reading|systolic|diastolic|pressure)\b")
_FRACTION_CHARS = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅛": (1, 8)}
_CHAR_FRACTION = re.compile(
    r"(?:(?P<whole>\d+)\s?)?(?P<frac>[½⅓⅔¼¾⅛])(?P<article>\s(?:a|an|of)\b)?"
)
_SLASH_FRACTION = re.compile(
    r"(?<![\w/.,])(?:(?P<whole>\d+)\s)?(?P<top>\d{1,2})/(?P<bottom>\d{1,2})(?![\d/]|[.,]\d)"
    r"(?P<article>\s(?:a|an|of)\b)?"
)
_NUMBER_PAIR = re.compile(r"(?<![\w/.,])(\d+(?:\.\d+)?)/(\d+(?:\.\d+)?)(?![\d/]|[.,]\d)")
# "BRCA1/2" names two genes: BRCA1 and BRCA2.
_NAME_NUMBERS = re.compile(r"(?<=[A-Z])(\d{1,2})/(\d{1,2})(?![\d/])")
_WORD_CHAIN = re.compile(r"(?<![\w/.@])[A-Za-z]{2,}(?:/[A-Za-z]{2,}){2,}(?![\w/@]|\.\w)")
_WORD_PAIR = re.compile(r"(?<![\w/.@])([A-Za-z]{2,})/([A-Za-z]{2,})(?![\w/@]|\.\w)")
# A slash with a space on one side or both, between words: "talk / eat", "fit/ seizure".
_SPACED_SLASH = re.compile(r"(?<=[A-Za-z])(?:\s/\s?|/\s)(?=[A-Za-z])")
# Two letters: "the A/B form", "blood group A/B".
_LETTER_PAIR = re.compile(r"(?<![\w/.@])([A-Z])/([A-Z])(?![\w/@])")
_CAPITALS_PAIR = re.compile(r"(?<![\w/.@])([A-Z]{2,})/([A-Z]{2,})(?![\w/@]|\.\w)")


def say_blood_pressure(text: str, words: Words | None) -> str:
    """Say "120/80" and "120/80 mmHg" as "120 over 80 (millimetres of mercury)"."""
    assert words is not None

    def pressure(match: re.Match[str]) -> str:
        top, bottom = int(match["top"]), int(match["bottom"])
        plausible = 70 <= top <= 260 and 30 <= bottom <= 160 and top > bottom
        if not (match["unit"] or plausible):
            return match[0]
        said = f"{top} {words.over} {bottom}"
        return said + (f" {words.mercury}" if match["unit"] else "")

    return _PRESSURE.sub(pressure, text)


def _fraction(whole: str | None, top: int, bottom: int, article: str | None, words: Words) -> str:
    said = words.fractions[(top, bottom)]
    drops_article = article in (" a", " an") or (article == " of" and (top, bottom) == (1, 2))
    if drops_article and said.startswith(("a ", "an ")):
        # "½ a tablet" is "half a tablet", not "a half a tablet"; "1/2 of it" is "half of it".
        said = said.split(" ", 1)[1]
    if whole:
        said = f"{whole} {words.and_} {said}"
    return said + (article or "")


def say_fractions(text: str, words: Words | None) -> str:
    """Say ½ ¼ ¾ and 1/2, 1/3, 3/4 as words; "7/10" as "7 out of 10"."""
    assert words is not None

    def char(match: re.Match[str]) -> str:
        top, bottom = _FRACTION_CHARS[match["frac"]]
        if (top, bottom) not in words.fractions:
            return match[0]
        return _fraction(match["whole"], top, bottom, match["article"], words)

    def slash(match: re.Match[str]) -> str:
        top, bottom = int(match["top"]), int(match["bottom"])
        if (top, bottom) in words.fractions:
            return _fraction(match["whole"], top, bottom, match["article"], words)
        if bottom in (5, 10) and top <= bottom and not match["whole"]:
            return f"{top} {words.out_of} {bottom}" + (match["article"] or "")
        return match[0]

    return _SLASH_FRACTION.sub(slash, _CHAR_FRACTION.sub(char, text))


def say_number_pairs(text: str, words: Words | None) -> str:
    """Say other numbers either side of "/" as two numbers: "co-codamol 30/500", "24/7"."""
    text = _NAME_NUMBERS.sub(rf"\1 {words.and_ if words else 'and'} \2", text)
    return _NUMBER_PAIR.sub(r"\1 \2", text)


@per_language
def _word_pairs(words: Words) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(rf"(?<![\w/]){re.escape(written)}(?![\w/])", re.I), said)
        for written, said in words.word_pairs.items()
    )


def say_word_pairs(text: str, words: Words | None) -> str:
    """Say "and/or", "he/she", "s/he" and "word/word" with "or" between the words."""
    assert words is not None
    for pattern, said in _word_pairs(words):
        text = pattern.sub(lambda m, said=said: match_case(m[0], said), text)

    def chain(match: re.Match[str]) -> str:
        *first, last = match[0].split("/")
        return f"{', '.join(first)} {words.or_} {last}"

    # "PET/CT" is one combined scan: the two names, with no "or" and no "slash".
    text = _CAPITALS_PAIR.sub(r"\1 \2", text)
    text = _SPACED_SLASH.sub(f" {words.or_} ", text)
    text = _LETTER_PAIR.sub(rf"\1 {words.or_} \2", text)
    text = _WORD_CHAIN.sub(chain, text)
    return _WORD_PAIR.sub(lambda m: f"{m[1]} {words.or_} {m[2]}", text)


RULES = (
    Rule(
        "blood-pressure",
        "blood pressure",
        'A plausible blood pressure, or any pair before mmHg, is "over": '
        '"120/80 mmHg" → "120 over 80 millimetres of mercury".',
        say_blood_pressure,
        (
            (
                "Your blood pressure should be below 140/90.",
                "Your blood pressure should be below 140 over 90.",
            ),
            (
                "A reading of 120/80 mmHg is normal.",
                "A reading of 120 over 80 millimetres of mercury is normal.",
            ),
        ),
        needs=ANY_DIGIT,
    ),
    Rule(
        "fraction",
        "fractions and slashes",
        'Fractions ½ ¼ ¾ ⅓ and 1/2, 1/3, 3/4 are words; "7/10" is "7 out of 10".',
        say_fractions,
        (
            ("Take ½ a tablet.", "Take half a tablet."),
            ("Drink 1 1/2 litres a day.", "Drink 1 and a half litres a day."),
            ("About 1/3 of people", "About a third of people"),
        ),
        needs=re.compile(r"[\d½⅓⅔¼¾⅛]"),
    ),
    Rule(
        "number-pair",
        "fractions and slashes",
        'Other numbers either side of "/" are two numbers: "co-codamol 30/500", "24/7".',
        say_number_pairs,
        (("Take co-codamol 30/500.", "Take co-codamol 30 500."), ("Open 24/7.", "Open 24 7.")),
        neutral=True,
        needs=ANY_DIGIT,
    ),
    Rule(
        "word-pair",
        "fractions and slashes",
        '"and/or", "he/she", "s/he", any "word/word", "A/B" and a spaced "talk / eat" are said '
        'with "or".',
        say_word_pairs,
        (
            ("Ask your doctor and/or nurse.", "Ask your doctor and or nurse."),
            ("Has a fit / seizure", "Has a fit or seizure"),
            ("Fill in the A/B form.", "Fill in the eh or B form."),
            ("Tell your parent/carer.", "Tell your parent or carer."),
            ("S/he will call you.", "She or he will call you."),
        ),
        # Every written pair has a slash too (a test checks each language's table).
        needs=re.compile("/"),
    ),
)
