"""Units after a number ("500mg" → "500 milligrams"), compound units with "per", powers, °C, %."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.language import Words, per_language
from reader.pipeline.speechtext.numbers import ANY_DIGIT, NUMBER, after_range, counted
from reader.pipeline.speechtext.rule import Rule

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_POWER = re.compile(r"(?<=\d)(?:(?P<sup>[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|\^(?P<caret>-?\d+))")
# A strength per amount: "500mg/5ml" is "500 milligrams per 5 millilitres".
_PER_AMOUNT = re.compile(
    r"(?<=[A-Za-zµμ])/(?=\d+(?:\.\d+)?\s?(?:mL|ml|L|l|g|kg|mg|dose|m²|m2)(?!\w))"
)
_PERCENT = re.compile(r"(?<=\d)\s?%")
# The degree sign, and the ring above (U+02DA) and ordinal sign pages use in its place.
_DEGREES = re.compile(
    r"(?<![\w.])(?P<number>-?" + NUMBER + r")\s?[°\u02da\u00ba]\s?(?P<scale>[CF])?(?![A-Za-z])"
)
_BARE_CELSIUS = re.compile(r"(?<![\w.])(?P<number>\d{2}(?:\.\d)?)(?P<scale>C)(?![\w])")
# A bare "F" after a body or room temperature in Fahrenheit (86 to 113): "(100.4 F)", "102F".
# Lower numbers keep their "F" (a catheter is "16F").
_BARE_FAHRENHEIT = re.compile(
    r"(?<![\w.])(?P<number>(?:8[6-9]|9\d|10\d|11[0-3])(?:\.\d)?)\s?(?P<scale>F)(?![\w])"
)
# Two ways of writing one value, after the units are words: "38 degrees Celsius / 100.4 …".
_MEASURE_PAIR = re.compile(
    r"(?P<first>(?<![\w.])\d[\d.,]*\s[^\W\d_]+(?:\s[^\W\d_]+)?)\s?/\s?(?=[-\u2212]?\d)"
)
_CAPITALISED_UNIT = re.compile(r"(?:^|(?<=[.!?]\s))[A-Z][a-z]+(?=/)")
# A bracket that says the word before it again: "5 milligrams (milligrams)" once is enough.
_GLOSS = re.compile(r"\b(?P<word>[^\W\d_]+)\s\((?P=word)\)", re.IGNORECASE)
# Units a listener cannot mistake when they stand alone, as in "measured in mmol/L".
_ALONE = (
    *("mmol", "mmHg", "mg", "mcg", "µg", "μg", "kg", "mSv", "kcal", "bpm"),
    *("mm³", "mm3", "cm³", "cm3", "µL", "μL"),
)
_UNIT_NEEDS = re.compile("|".join((r"\d", *(re.escape(s) for s in _ALONE))))
"""A unit is rewritten after a number, or alone when it is one of `_ALONE`."""


def _longest_first(symbols: object) -> str:
    return "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))


@per_language
def _unit_patterns(words: Words) -> tuple[re.Pattern[str], re.Pattern[str] | None, re.Pattern[str]]:
    """Return the patterns of `say_units`: a unit after a number, a measured noun, a lone unit."""
    after_number = re.compile(
        rf"(?<![\w.,])(?P<number>{NUMBER})(?P<space>\s?)(?P<unit>{_longest_first(words.units)})"
        r"(?![\w²³µμ%])"
    )
    nouns = "|".join(words.measured_nouns)
    describes = re.compile(rf"\s(?:{nouns})(?:s|es)?\b") if nouns else None
    symbols = "|".join(re.escape(s) for s in _ALONE if s in words.units)
    alone = re.compile(rf"(?<![\w.])(?P<per>{re.escape(words.per)}\s)?(?P<unit>{symbols})(?![\w/])")
    return after_number, describes, alone


@per_language
def _per_pattern(words: Words) -> re.Pattern[str]:
    return re.compile(rf"(?<=[\w²³])/(?P<unit>{_longest_first(words.per_units)})(?![\w²³])")


def say_powers(text: str, words: Words | None) -> str:
    """Say a power of ten ("10⁹", "10^9") as "10 to the power 9", and m² as "metre squared"."""
    assert words is not None

    def power(match: re.Match[str]) -> str:
        exponent = (match["sup"] or "").translate(_SUPERSCRIPTS) or match["caret"]
        exponent = exponent.replace("-", f"{words.minus} ")
        return f" {words.power} {exponent}"

    return _POWER.sub(power, text)


@per_language
def _unit_before_slash(words: Words) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w.,µμ])(?P<unit>{_longest_first(words.units)})(?=/(?:{_longest_first(words.per_units)})(?![\w²³]))"
    )


def say_per(text: str, words: Words | None) -> str:
    """Say "/" before a unit as "per": "mmol/L" → "mmol per litre", "500mg/5ml", "g/L"."""
    assert words is not None

    def named(match: re.Match[str]) -> str:
        # "measured in g/L": no number before, so the unit rule would leave "g" as a letter.
        if re.search(r"\d\s?$", text[: match.start()]):
            return match[0]
        return words.units[match["unit"]][1]

    # "Mmol/mol is …": a unit capitalised because it starts the sentence is still the unit.
    text = _CAPITALISED_UNIT.sub(
        lambda m: m[0].lower() if m[0].lower() in words.units else m[0], text
    )
    text = _unit_before_slash(words).sub(named, text)
    text = _per_pattern(words).sub(lambda m: f" {words.per} {words.per_units[m['unit']]}", text)
    return _PER_AMOUNT.sub(f" {words.per} ", text)


def say_units(text: str, words: Words | None) -> str:
    """Say a unit after a number in words, singular after exactly 1: "0.5 mg", "1 mg"."""
    assert words is not None
    after_number, describes, lone = _unit_patterns(words)

    def unit(match: re.Match[str]) -> str:
        forms = words.units[match["unit"]]
        if describes and describes.match(match.string, match.end()):
            return f"{match['number']} {forms[0]}"  # "a 500 milligram tablet"
        plural = after_range(match.string, match.start(), words.to)
        return counted(match["number"], forms, plural)

    def alone(match: re.Match[str]) -> str:
        singular, plural = words.units[match["unit"]]
        return f"{match['per']}{singular}" if match["per"] else plural

    return lone.sub(alone, after_number.sub(unit, text))


def say_percent(text: str, words: Words | None) -> str:
    """Say "%" after a number as "per cent"."""
    assert words is not None
    return _PERCENT.sub(f" {words.per_cent}", text)


def say_degrees(text: str, words: Words | None) -> str:
    """Say temperatures: "37°C", "98.6 °F" and a bare "38C" are degrees Celsius/Fahrenheit."""
    assert words is not None

    def degrees(match: re.Match[str]) -> str:
        number = match["number"].replace("-", f"{words.minus} ", 1)
        said = counted(number, words.degree)
        if match["scale"]:
            said += f" {words.scales[match['scale']]}"
        return said

    text = _BARE_CELSIUS.sub(degrees, _DEGREES.sub(degrees, text))
    return _BARE_FAHRENHEIT.sub(degrees, text)


def say_measure_pairs(text: str, words: Words | None) -> str:
    """Say a slash between one value in two units ("39°C/102°F") as a pause, not "slash"."""
    return _MEASURE_PAIR.sub(lambda m: f"{m['first']}, ", text)


def drop_unit_gloss(text: str, words: Words | None) -> str:
    """Say a unit glossed in brackets once: "5 mg (milligrams)" is "5 milligrams"."""
    return _GLOSS.sub(lambda m: m["word"], text)


RULES = (
    Rule(
        "power",
        "units",
        'A superscript or "^" power after a number: "10⁹/L" → "10 to the power 9 per litre".',
        say_powers,
        (
            (
                "Neutrophils below 1.0 × 10⁹/L",
                "Neutrophils below 1.0 times 10 to the power 9 per litre",
            ),
        ),
        needs=ANY_DIGIT,
    ),
    Rule(
        "unit-per",
        "units",
        '"/" before a unit is "per": mmol/L, g/L, mg/kg, kg/m², mL/min, mg/day, cells/mm³; a '
        'unit with no number before it is said too ("in g/L", "Mmol/mol" at a sentence start).',
        say_per,
        (
            (
                "Aim for 4 to 7 mmol/L before meals.",
                "Aim for 4 to 7 millimoles per litre before meals.",
            ),
            ("A BMI over 30 kg/m²", "A B M I over 30 kilograms per metre squared"),
            ("200 cells/mm³", "200 cells per cubic millimetre"),
            ("Results are in g/L.", "Results are in grams per litre."),
            ("Mmol/mol is the unit.", "millimoles per mole is the unit."),
        ),
        needs=re.compile("/"),
    ),
    Rule(
        "unit",
        "units",
        "A unit after a number is words, singular after 1 and plural otherwise: mg, mcg, µg, g, "
        "kg, ml, mL, µL, l, L, mm, cm, m, mm³, cm³, m³, Gy, mSv, kcal, bpm, IU, mmol, mmHg, hrs, "
        "mins.",
        say_units,
        (
            ("Take 500mg twice a day.", "Take 500 milligrams twice a day."),
            ("Give 1 mg.", "Give 1 milligram."),
            ("a dose of 0.5 mg", "a dose of 0.5 milligrams"),
            ("You will have 60 Gy of radiotherapy.", "You will have 60 gray of radiotherapy."),
            ("Give 5 cm³ of dye.", "Give 5 cubic centimetres of dye."),
        ),
        needs=_UNIT_NEEDS,
    ),
    Rule(
        "percent",
        "units",
        '"%" after a number is "per cent".',
        say_percent,
        (("About 5% of people", "About 5 per cent of people"),),
        needs=re.compile("%"),
    ),
    Rule(
        "temperature",
        "units",
        '"°C", "°F" (or "˚C"), a bare "38C" and a bare "102F" after a number are degrees '
        "Celsius or Fahrenheit.",
        say_degrees,
        (
            ("A temperature of 38C or above", "A temperature of 38 degrees Celsius or above"),
            ("Store below 25 °C.", "Store below 25 degrees Celsius."),
            ("Store below 25˚C.", "Store below 25 degrees Celsius."),
            ("over 38°C (100.4 F)", "over 38 degrees Celsius (100.4 degrees Fahrenheit)"),
        ),
        needs=ANY_DIGIT,
    ),
    Rule(
        "measure-pair",
        "fractions and slashes",
        'A slash between one value in two units is a pause: "39°C/102°F".',
        say_measure_pairs,
        (
            (
                "A temperature of 39°C/102°F or above",
                "A temperature of 39 degrees Celsius, 102 degrees Fahrenheit or above",
            ),
        ),
        needs=re.compile("/"),
    ),
    Rule(
        "unit-gloss",
        "units",
        'A unit glossed in brackets is said once: "5 mg (milligrams)".',
        drop_unit_gloss,
        (("Take 5 mg (milligrams) daily.", "Take 5 milligrams daily."),),
        needs=re.compile(r"\("),
    ),
)
