"""Capitals and letters: emphasis words read as words, other capitals spelled, Roman numerals."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.codes import ESPEAK_WORD_LENGTH, codes, espeak_says_word
from reader.pipeline.speechtext.language import Words, per_language
from reader.pipeline.speechtext.numbers import ANY_DIGIT
from reader.pipeline.speechtext.rule import Rule
from reader.pipeline.speechtext.wordlist import is_english_word

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_ELEMENTS = {
    "sodium": "Na",
    "potassium": "K",
    "calcium": "Ca",
    "chloride": "Cl",
    "chlorine": "Cl",
    "magnesium": "Mg",
    "iron": "Fe",
    "zinc": "Zn",
    "copper": "Cu",
    "lithium": "Li",
    "lead": "Pb",
    "mercury": "Hg",
    "phosphorus": "P",
    "phosphate": "PO4",
    "iodine": "I",
    "selenium": "Se",
    "bicarbonate": "HCO3",
    "carbon dioxide": "CO2",
    "oxygen": "O2",
}
"""Chemical symbols written in brackets after their name; eSpeak NG reads "Na" as "nah"."""
_ELEMENT = re.compile(
    r"\b(?P<name>(?i:" + "|".join(_ELEMENTS) + r"))\s\((?P<symbol>[A-Z][a-z]?\d?[A-Za-z]?\d?)\)"
)
_COUNTED = (
    "stage|grade|type|class|phase|level|part|step|tier|category|factor|chapter|schedule"
    "|section|trial|volume|appendix|group|cycle|degree"
)
_ROMAN_AFTER_WORD = re.compile(
    rf"\b(?P<word>(?i:{_COUNTED}))\s(?P<numeral>[IVX]+)(?P<sub>[A-Ca-c])?(?![\w'])"
)
_IV = re.compile(r"(?<![\w'-])(?P<an>\b[Aa]n\s)?IV(?P<next>\s[a-z]+)?(?![\w'-])")
_ROMAN_ALONE = re.compile(r"(?<![\w'-])(?=[IVX]{2,}\b)(?P<numeral>[IVX]+)(?![\w'-])")
_DIGIT_HYPHEN_LETTER = re.compile(
    r"(?<=\d)-(?=[A-Z]{2})|(?<=[A-Z]{2})-(?=\d)|(?<=[a-z]{3})-(?=\d{1,2}(?![\d.,:/-]))"
)
# Letters and digits mixed, two capitals or more and a lower-case letter: "HbA1c", "HbA1C".
_CODE_WITH_DIGITS = re.compile(
    r"(?<![\w'\u2019-])(?=[A-Za-z]*\d)(?=\w*[a-z])(?=\w*[A-Z]\w*[A-Z])[A-Za-z\d]{4,6}(?![\w'\u2019-])"
)
_DIGIT_RUN = re.compile(r"\d+|\D")
# A letter in quotes is the letter: "box 'A' or box 'B'".
_QUOTED_A = re.compile(r"(?<=[\u2018'\"\u201c])A(?=[\u2019'\"\u201d])")
_CAPITALS = re.compile(
    r"(?<![A-Za-z0-9'\u2019])(?P<caps>[A-Z]{2,}(?:['\u2019][A-Z]+)?)(?P<plural>s|['\u2019]s)?"
    r"(?![A-Za-z'\u2019])"
)
# A capital, one lower-case letter, capitals: eSpeak NG says "Ig" in "IgE" as a syllable.
_MIXED = re.compile(r"(?<![\w'\u2019-])(?P<token>[A-Z][a-z][A-Z]{1,2})(?![\w'\u2019-])")
_LONE_A = re.compile(r"(?<![\w'\u2019.-])A(?![\w'\u2019-])")
_ARTICLE_START = re.compile(r"(?:^|[.!?:;\u2022]\s+|^[\"'\u2018\u201c(\[]+)$")
_CAPITAL_WORD_BEFORE = re.compile(r"([A-Z]{2,})[^\w]+$")
_CAPITAL_WORD_AFTER = re.compile(r"[^\w]+([A-Z]{2,})\b")
_LONG_CAPITAL_WORD = re.compile(r"\b[A-Z]{3,}\b")
_WORD_NEXT = re.compile(r"\s\w")
_CAPITAL_WORD_NEXT = re.compile(r"\s([A-Z]{2,})\b")
_CONJUNCTIONS = frozenset({"OR"})
_WORD_BEFORE = re.compile(r"(?:[a-z]|\b[A-Z])\s$")
_WORD_AFTER = re.compile(r"\s(?:[a-z]|[A-Z]\b)")


def roman_value(numeral: str) -> int | None:
    """Return the value of a Roman numeral written with I, V and X, or None if it is not one."""
    total = 0
    values = [_ROMAN_VALUES[ch] for ch in numeral]
    for index, value in enumerate(values):
        following = values[index + 1] if index + 1 < len(values) else 0
        total += -value if value < following else value
    canonical = _to_roman(total) if 0 < total < 40 else ""
    return total if canonical == numeral else None


def _to_roman(number: int) -> str:
    said = "X" * (number // 10)
    units = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")
    return said + units[number % 10]


def spell(letters: str, words: Words | None) -> str:
    """Spell a token letter by letter, with "A" written so the engine says "ay"."""
    letter_a = words.letter_a if words else "A"
    return " ".join(letter_a if ch == "A" else ch for ch in letters)


def reads_as_word(token: str) -> bool:
    """Return whether an all-capital token is an English word (emphasis), so it is not spelled."""
    if "'" in token or "\u2019" in token:
        return True  # "DON'T", "CAN'T": contractions are always words
    return len(token) >= 3 and is_english_word(token)


def say_roman_numerals(text: str, words: Words | None) -> str:
    """Say stage IV, grade II, type I as numbers; IV before a word as "intravenous"."""
    assert words is not None

    def counted(match: re.Match[str]) -> str:
        value = roman_value(match["numeral"])
        if value is None:
            return match[0]
        sub = match["sub"] or ""
        sub = f" {spell(sub, words)}" if sub else ""
        return f"{match['word']} {value}{sub}"

    def iv(match: re.Match[str]) -> str:
        if match["next"] and not match["an"]:
            return f"{words.intravenous}{match['next']}"
        return f"{match['an'] or ''}I V{match['next'] or ''}"

    def alone(match: re.Match[str]) -> str:
        value = roman_value(match["numeral"])
        return str(value) if value is not None and not is_english_word(match[0]) else match[0]

    text = _ROMAN_AFTER_WORD.sub(counted, text)
    text = _IV.sub(iv, text)
    return _ROMAN_ALONE.sub(alone, text)


def split_digit_hyphen_letter(text: str, words: Words | None) -> str:
    """Part digits from letters at a hyphen: "5-HIAA", "COVID-19", "angiotensin-2"."""
    return _DIGIT_HYPHEN_LETTER.sub(" ", text)


def _shouted(text: str, start: int, end: int) -> bool:
    # A two-letter word is emphasis only beside another capital word ("DO NOT", "IF IN
    # DOUBT") or in a sentence with a longer shouted word ("answer YES or NO").
    before = _CAPITAL_WORD_BEFORE.search(text[:start])
    after = _CAPITAL_WORD_AFTER.match(text[end:])
    if any(m is not None and is_english_word(m[1]) for m in (before, after)):
        return True
    others = _LONG_CAPITAL_WORD.findall(text[:start] + " " + text[end:])
    return any(is_english_word(word) for word in others)


def _between_words(text: str, start: int, end: int) -> bool:
    # "tablet A OR tablet B": a capital conjunction between two lower-case words or letters.
    return bool(_WORD_BEFORE.search(text[:start]) and _WORD_AFTER.match(text[end:]))


WORD_LIST = "the word list"
CODES = "codes.tsv"
ESPEAK = "eSpeak NG's own reading"
SPELLED = "no list: spelled"


def capital_source(token: str) -> str:
    """Return which step of the capitals policy decides how an English capital token is said."""
    caps = token.rstrip("s") if token.endswith("s") and token[:-1].isupper() else token
    if caps in codes():
        return CODES
    if reads_as_word(token) or reads_as_word(caps) or (len(caps) == 2 and is_english_word(caps)):
        return WORD_LIST
    if len(caps) >= ESPEAK_WORD_LENGTH and espeak_says_word(caps):
        return ESPEAK
    return SPELLED


def say_capitals(text: str, words: Words | None) -> str:
    """Say an all-capital token by the capitals policy: word list, codes, eSpeak, else spelled.

    A token read as a word is written in lower case, because eSpeak NG spells some capital
    words inside a sentence ("ASK your pharmacist" as "A S K").
    """
    known = codes()

    def _two_letter_word(caps: str, start: int, end: int) -> bool:
        conjunction = caps in _CONJUNCTIONS and _between_words(text, start, end)
        return conjunction or _shouted(text, start, end)

    def capitals(match: re.Match[str]) -> str:
        caps, plural = match["caps"], match["plural"] or ""
        ending = "'s" if plural else ""
        if match.end() < len(text) and text[match.end()].isdigit():
            if caps in known:
                return f"{known[caps]} "  # a listed code before digits: "COVID19" is "covid 19"
            return spell(caps + plural, words) + " "  # "BRCA1": a name, not a word
        if caps in known:
            return known[caps] + ("s" if plural else "")
        if words is not None and words.code != "en":
            # The word list is English: elsewhere only a long capital word is read as one.
            return match[0] if len(caps) > 4 else spell(caps, words) + ending
        if (plural == "s" and reads_as_word(caps + plural)) or reads_as_word(caps):
            return match[0].lower()
        if len(caps) == 2 and is_english_word(caps) and _two_letter_word(caps, *match.span()):
            return match[0].lower()
        if len(caps) >= ESPEAK_WORD_LENGTH and espeak_says_word(caps):
            return match[0]  # a brand name eSpeak NG can say ("MOVIPREP")
        return spell(caps, words) + ending

    return _CAPITALS.sub(capitals, text)


def spell_element_symbols(text: str, words: Words | None) -> str:
    """Spell a chemical symbol in brackets after its name: "sodium (Na)" is "sodium (N A)"."""

    def element(match: re.Match[str]) -> str:
        symbol = match["symbol"]
        if _ELEMENTS[match["name"].lower()] != symbol:
            return match[0]
        said = " ".join(
            piece if piece.isdigit() else spell(piece.upper(), words)
            for piece in _DIGIT_RUN.findall(symbol)
        )
        return f"{match['name']} ({said})"

    return _ELEMENT.sub(element, text)


def say_mixed_case(text: str, words: Words | None) -> str:
    """Spell short mixed-case abbreviations ("CgA", "IgE", "HbA1c"), which are letters."""

    def mixed(match: re.Match[str]) -> str:
        token = match["token"]
        return token if is_english_word(token) else spell(token, words)

    def code(match: re.Match[str]) -> str:
        # Each letter alone, a run of digits as one number: "HbA1c" is "H b A 1 c".
        return " ".join(
            piece if piece.isdigit() else spell(piece, words)
            for piece in _DIGIT_RUN.findall(match[0])
        )

    return _MIXED.sub(mixed, _CODE_WITH_DIGITS.sub(code, text))


@per_language
def _letter_pair(words: Words) -> re.Pattern[str]:
    return re.compile(rf"\s(?:{words.and_}|{words.or_}|{words.to}|/)\s?[A-Z]\b")


def say_letter_a(text: str, words: Words | None) -> str:
    """Say a capital A that is a letter ("hepatitis A", "A&E") as "ay", not the article "uh"."""
    assert words is not None
    letter_pair = _letter_pair(words)

    def letter(match: re.Match[str]) -> str:
        following = text[match.end() :]
        pair = letter_pair.match(following)
        starts = _ARTICLE_START.search(text[: match.start()])
        if starts and _WORD_NEXT.match(following) and not pair:
            return match[0]
        shouted = _CAPITAL_WORD_NEXT.match(following)
        if shouted and is_english_word(shouted[1]) and shouted[1] not in _CONJUNCTIONS:
            return match[0]  # "TAKE A TABLET", "5 A DAY": an article before a shouted word
        return words.letter_a

    return _LONE_A.sub(letter, _QUOTED_A.sub(words.letter_a, text))


RULES = (
    Rule(
        "roman-numeral",
        "Roman numerals",
        'Stage IV, grade II, type I are numbers; "IV" before a word is "intravenous"; '
        "other Roman numerals are numbers.",
        say_roman_numerals,
        (
            ("This is stage IV cancer.", "This is stage 4 cancer."),
            ("You will need IV antibiotics.", "You will need intravenous antibiotics."),
            ("type II diabetes", "type 2 diabetes"),
        ),
        langs=("en",),
        needs=re.compile("[IVX]"),
    ),
    Rule(
        "digit-hyphen-letter",
        "capitals",
        'A hyphen between digits and letters is a space: "5-HIAA", "COVID-19", "angiotensin-2".',
        split_digit_hyphen_letter,
        (("a 5-HIAA test", "a 5 H I eh eh test"), ("angiotensin-2", "angiotensin 2")),
        neutral=True,
        needs=ANY_DIGIT,
    ),
    Rule(
        "element-symbol",
        "letters",
        'A chemical symbol in brackets after its name is spelled: "sodium (Na)", "(CO2)".',
        spell_element_symbols,
        (("Sodium (Na) and potassium (K)", "Sodium (N eh) and potassium (K)"),),
        needs=re.compile(r"\("),
    ),
    Rule(
        "letter-a",
        "letters",
        'A capital A that is a letter ("hepatitis A", "vitamin A", "A&E", a quoted \'A\') is said '
        '"ay", never "uh"; the article A at the start of a sentence is left alone.',
        say_letter_a,
        (
            ("Have the hepatitis A vaccine.", "Have the hepatitis eh vaccine."),
            ("A nurse will call you.", "A nurse will call you."),
            ("Choose box 'A' or box 'B'.", "Choose box 'eh' or box 'B'."),
        ),
        langs=("en",),
        needs=re.compile("A"),
    ),
    Rule(
        "mixed-case",
        "letters",
        'A short mixed-case abbreviation is spelled: "CgA" → "C g ay", "IgE", "HbA1c".',
        say_mixed_case,
        (
            (
                "a protein called chromogranin A (CgA).",
                "a protein called chromogranin eh (C g eh).",
            ),
            ("an HbA1c test", "an H b eh 1 c test"),
        ),
        neutral=True,
    ),
    Rule(
        "capitals",
        "capitals",
        "An all-capital token, by the capitals policy: a word in the word list is a word, in lower "
        'case (ONE, ASK, DON\'T; a two-letter one when shouted or a conjunction: "A OR B"); a code '
        'in codes.tsv is said its way ("ACE" is "ace", "CAMHS" "cams"); a name of five letters or '
        "more that eSpeak NG reads as a word is left to it (MOVIPREP); anything else is spelled, "
        'letter A as "ay".',
        say_capitals,
        (
            ("Take ONE tablet TWICE a day.", "Take one tablet twice a day."),
            ("ASK your pharmacist.", "ask your pharmacist."),
            ("Take tablet A OR tablet B.", "Take tablet eh or tablet B."),
            ("ACE inhibitors and CAMHS", "ace inhibitors and cams"),
            ("Start MOVIPREP at 5pm.", "Start MOVIPREP at 5 pm."),
            ("Your NHS team and your GP", "Your N H S team and your G P"),
            ("Ask your GPs.", "Ask your G P's."),
        ),
        neutral=True,
    ),
)
