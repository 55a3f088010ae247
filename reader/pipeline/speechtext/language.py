"""The words each language uses for what speech-text rules spell out (en-GB and Welsh)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

_Made = TypeVar("_Made")


@dataclass(frozen=True)
class Words:
    """One language's words for numbers, units, symbols and abbreviations."""

    code: str
    """Primary language subtag, e.g. "en"."""
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    """Monday first."""
    abbreviations: dict[str, str]
    """Written abbreviation → words, matched whole-word, e.g. "e.g." → "for example"."""
    units: dict[str, tuple[str, str]]
    """Unit symbol → (singular, plural) after a number."""
    per_units: dict[str, str]
    """Unit symbol after "/" → the words after "per", e.g. "L" → "litre"."""
    comparisons: dict[str, str]
    """Symbol → words, e.g. ">" → "more than"."""
    to: str
    """The word between the ends of a range: "5 to 10"."""
    per_cent: str
    and_: str
    or_: str
    per: str
    over: str
    """Blood pressure: "120 over 80"."""
    degree: tuple[str, str]
    scales: dict[str, str]
    """"C" → "Celsius"."""
    mercury: str
    pound: tuple[str, str]
    penny: tuple[str, str]
    scale_words: dict[str, str]
    """"k" → "thousand", "m" → "million", "bn" → "billion"."""
    am: str
    pm: str
    noon: str
    midnight: str
    intravenous: str
    fractions: dict[tuple[int, int], str]
    """(numerator, denominator) → words, e.g. (1, 2) → "a half"."""
    out_of: str
    power: str
    """"10⁹" → "10 to the power 9"."""
    squared: str
    cubed: str
    number: str
    section: str
    positive: str
    negative: str
    plus: str
    minus: str
    times: str
    dot: str
    at: str
    slash: str
    dash: str
    extension: str
    saint: str
    street: str
    letter_a: str
    """How a spelled capital letter A is written so the engine says its name, not "uh"."""
    decades: dict[int, str] = field(default_factory=dict)
    """Tens → plural decade word: 90 → "nineties"; empty when decades are left alone."""
    centuries: dict[int, str] = field(default_factory=dict)
    """First two digits of a year → their words: 19 → "nineteen"."""
    word_pairs: dict[str, str] = field(default_factory=dict)
    """Fixed slash pairs, e.g. "he/she" → "he or she"."""
    measured_nouns: tuple[str, ...] = ()
    """Nouns a measure describes, so the unit stays singular: "a 500 milligram tablet"."""


_EN_UNITS = {
    "mg": ("milligram", "milligrams"),
    "mcg": ("microgram", "micrograms"),
    "µg": ("microgram", "micrograms"),
    "μg": ("microgram", "micrograms"),
    "ug": ("microgram", "micrograms"),
    "ng": ("nanogram", "nanograms"),
    "g": ("gram", "grams"),
    "kg": ("kilogram", "kilograms"),
    "ml": ("millilitre", "millilitres"),
    "mL": ("millilitre", "millilitres"),
    "mls": ("millilitre", "millilitres"),
    "dL": ("decilitre", "decilitres"),
    "l": ("litre", "litres"),
    "L": ("litre", "litres"),
    "mm": ("millimetre", "millimetres"),
    "cm": ("centimetre", "centimetres"),
    "m": ("metre", "metres"),
    "m²": ("square metre", "square metres"),
    "m2": ("square metre", "square metres"),
    # Without these, eSpeak NG says "mm³" as "M M three": a count of cells per cubic
    # millimetre would be heard as a different number.
    "mm³": ("cubic millimetre", "cubic millimetres"),
    "mm3": ("cubic millimetre", "cubic millimetres"),
    "cm³": ("cubic centimetre", "cubic centimetres"),
    "cm3": ("cubic centimetre", "cubic centimetres"),
    "m³": ("cubic metre", "cubic metres"),
    "µL": ("microlitre", "microlitres"),
    "μL": ("microlitre", "microlitres"),
    "uL": ("microlitre", "microlitres"),
    "km": ("kilometre", "kilometres"),
    "Gy": ("gray", "gray"),
    "mSv": ("millisievert", "millisieverts"),
    "MBq": ("megabecquerel", "megabecquerels"),
    "GBq": ("gigabecquerel", "gigabecquerels"),
    "kcal": ("kilocalorie", "kilocalories"),
    "cal": ("calorie", "calories"),
    "bpm": ("beat per minute", "beats per minute"),
    "IU": ("international unit", "international units"),
    "mmol": ("millimole", "millimoles"),
    "µmol": ("micromole", "micromoles"),
    "μmol": ("micromole", "micromoles"),
    "umol": ("micromole", "micromoles"),
    "nmol": ("nanomole", "nanomoles"),
    "pmol": ("picomole", "picomoles"),
    "mmHg": ("millimetre of mercury", "millimetres of mercury"),
    "U": ("unit", "units"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "secs": ("second", "seconds"),
    "wk": ("week", "weeks"),
    "wks": ("week", "weeks"),
    "yr": ("year", "years"),
    "yrs": ("year", "years"),
}

_EN_PER_UNITS = {
    "L": "litre",
    "l": "litre",
    "dL": "decilitre",
    "mL": "millilitre",
    "ml": "millilitre",
    "kg": "kilogram",
    "g": "gram",
    "m²": "metre squared",
    "m2": "metre squared",
    "mm³": "cubic millimetre",
    "mm3": "cubic millimetre",
    "cm³": "cubic centimetre",
    "µL": "microlitre",
    "μL": "microlitre",
    "uL": "microlitre",
    "min": "minute",
    "h": "hour",
    "hr": "hour",
    "day": "day",
    "d": "day",
    "wk": "week",
    "week": "week",
    "dose": "dose",
    "mol": "mole",
}

ENGLISH = Words(
    code="en",
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
    weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    abbreviations={
        "e.g.": "for example",
        "i.e.": "that is",
        "eg": "for example",
        "ie": "that is",
        "approx.": "approximately",
        "approx": "approximately",
        "vs.": "versus",
        "vs": "versus",
        "incl.": "including",
        "max.": "maximum",
        "max": "maximum",
        "min.": "minimum",
        "Tel.": "Telephone",
        "Tel": "Telephone",
        "tel.": "telephone",
        "Ext.": "Extension",
        "ext.": "extension",
        "ext": "extension",
        "Dept.": "Department",
        "Dept": "Department",
        "NB": "Note",
        "N.B.": "Note",
        "cf.": "compare",
        "Fig.": "Figure",
        "hrs": "hours",
        "mins": "minutes",
        "w/c": "week commencing",
        "w/e": "week ending",
        "c/o": "care of",
        "N/A": "not applicable",
        "n/a": "not applicable",
    },
    units=_EN_UNITS,
    per_units=_EN_PER_UNITS,
    comparisons={
        "≥": "at least",
        ">=": "at least",
        "≤": "at most",
        "<=": "at most",
        ">": "more than",
        "<": "less than",
        "±": "plus or minus",
        "+/-": "plus or minus",
        "≈": "about",
        "~": "about",
        "×": "times",
        "=": "equals",
        "≠": "is not",
    },
    to="to",
    per_cent="per cent",
    and_="and",
    or_="or",
    per="per",
    over="over",
    degree=("degree", "degrees"),
    scales={"C": "Celsius", "F": "Fahrenheit"},
    mercury="millimetres of mercury",
    pound=("pound", "pounds"),
    penny=("penny", "pence"),
    scale_words={"k": "thousand", "m": "million", "bn": "billion", "million": "million"},
    am="am",
    pm="pm",
    noon="noon",
    midnight="midnight",
    intravenous="intravenous",
    fractions={
        (1, 2): "a half",
        (1, 3): "a third",
        (2, 3): "two thirds",
        (1, 4): "a quarter",
        (3, 4): "three quarters",
        (1, 8): "an eighth",
    },
    out_of="out of",
    power="to the power",
    squared="squared",
    cubed="cubed",
    number="number",
    section="section",
    positive="positive",
    negative="negative",
    plus="plus",
    minus="minus",
    times="times",
    dot="dot",
    at="at",
    slash="slash",
    dash="dash",
    extension="extension",
    saint="Saint",
    street="Street",
    # eSpeak NG says a lone "A" before a word as the article "uh"; "eh" is its letter name "ay".
    letter_a="eh",
    decades={
        10: "tens",
        20: "twenties",
        30: "thirties",
        40: "forties",
        50: "fifties",
        60: "sixties",
        70: "seventies",
        80: "eighties",
        90: "nineties",
    },
    centuries={18: "eighteen", 19: "nineteen", 20: "twenty"},
    word_pairs={
        "and/or": "and or",
        "he/she": "he or she",
        "she/he": "she or he",
        "s/he": "she or he",
        "his/her": "his or her",
        "him/her": "him or her",
        "he/she/they": "he, she or they",
    },
    measured_nouns=(
        "tablet",
        "capsule",
        "dose",
        "injection",
        "sachet",
        "patch",
        "vial",
        "bottle",
        "pack",
        "spoon",
        "spoonful",
        "teaspoon",
        "teaspoonful",
        "tablespoon",
        "scoop",
        "syringe",
        "bag",
        "pessary",
        "suppository",
        "inhaler",
        "pen",
        "ampoule",
        "tube",
        "weight",
        "walk",
        "lump",
        "dressing",
        "meal",
        "portion",
        "serving",
        "drink",
        "glass",
        "cup",
        "can",
        # What a scan or an operation measures: "a 2 cm tumour" is a 2 centimetre tumour.
        "tumour",
        "cyst",
        "polyp",
        "nodule",
        "growth",
        "stone",
        "cut",
        "incision",
        "wound",
        "scar",
        "margin",
        "needle",
    ),
)

_CY_UNIT_NAMES = {
    "mg": "miligram",
    "mcg": "microgram",
    "µg": "microgram",
    "μg": "microgram",
    "g": "gram",
    "kg": "cilogram",
    "ml": "mililitr",
    "mL": "mililitr",
    "l": "litr",
    "L": "litr",
    "mm": "milimetr",
    "cm": "centimetr",
    "m": "metr",
    "Gy": "gray",
    "mSv": "milisievert",
    "kcal": "cilocalori",
    "bpm": "curiad y funud",
    "IU": "uned ryngwladol",
    "mmol": "milimol",
    "mmHg": "milimetr o fercwri",
}

WELSH = Words(
    code="cy",
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
    weekdays=(
        "Dydd Llun",
        "Dydd Mawrth",
        "Dydd Mercher",
        "Dydd Iau",
        "Dydd Gwener",
        "Dydd Sadwrn",
        "Dydd Sul",
    ),
    abbreviations={"e.e.": "er enghraifft", "h.y.": "hynny yw", "ayyb": "ac yn y blaen"},
    # Welsh keeps a noun singular after a number: "5 miligram".
    units={symbol: (name, name) for symbol, name in _CY_UNIT_NAMES.items()},
    per_units={"L": "litr", "l": "litr", "kg": "cilogram", "m²": "metr sgwâr", "ml": "mililitr"},
    comparisons={
        "≥": "o leiaf",
        ">=": "o leiaf",
        "≤": "dim mwy na",
        "<=": "dim mwy na",
        ">": "mwy na",
        "<": "llai na",
        "±": "plws neu minws",
        "+/-": "plws neu minws",
        "≈": "tua",
        "~": "tua",
        "×": "lluosi",
        "=": "yn hafal i",
    },
    to="i",
    per_cent="y cant",
    and_="a",
    or_="neu",
    per="y",
    over="dros",
    degree=("gradd", "gradd"),
    scales={"C": "Celsius", "F": "Fahrenheit"},
    mercury="milimetr o fercwri",
    pound=("punt", "punt"),
    penny=("ceiniog", "ceiniog"),
    scale_words={"k": "mil", "m": "miliwn", "bn": "biliwn", "million": "miliwn"},
    am="y bore",
    pm="y prynhawn",
    noon="canol dydd",
    midnight="hanner nos",
    intravenous="mewnwythiennol",
    fractions={(1, 2): "hanner", (1, 4): "chwarter", (3, 4): "tri chwarter"},
    out_of="allan o",
    power="i'r pŵer",
    squared="sgwâr",
    cubed="ciwb",
    number="rhif",
    section="adran",
    positive="positif",
    negative="negatif",
    plus="plws",
    minus="minws",
    times="lluosi",
    dot="dot",
    at="at",
    slash="slaes",
    dash="llinell doriad",
    extension="estyniad",
    saint="Sant",
    street="Stryd",
    letter_a="A",
)


def match_case(written: str, said: str) -> str:
    """Give `said` the capital first letter `written` has: "E.g." → "For example"."""
    return said[0].upper() + said[1:] if written[:1].isupper() else said


LANGUAGES = {"en": ENGLISH, "cy": WELSH}
"""Languages with word rules, by primary language subtag; others get only the neutral rules."""


def words_for(lang: str) -> Words | None:
    """Return the word rules for a BCP 47 language tag, or None for the neutral rules only."""
    return LANGUAGES.get(lang.split("-", 1)[0].lower())


def per_language(build: Callable[[Words], _Made]) -> Callable[[Words], _Made]:
    """Wrap `build(words)` so it runs once per language: rules compile their patterns with it."""
    # Keyed by identity: Words holds dicts, so it has no hash. The entry keeps its Words
    # alive, so the id cannot be reused by another object.
    made: dict[int, tuple[Words, _Made]] = {}

    def cached(words: Words) -> _Made:
        entry = made.get(id(words))
        if entry is None or entry[0] is not words:
            entry = made[id(words)] = (words, build(words))
        return entry[1]

    return cached
