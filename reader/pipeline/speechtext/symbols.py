"""Symbols: maths and comparison signs as words; ® ™ © and footnote asterisks silent; & # + •."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.language import Words, per_language
from reader.pipeline.speechtext.rule import Rule

_SILENT = re.compile(r"[®™©℠]")
_BAR = re.compile(r"\s+\|\s+")
# A footnote mark: asterisks or daggers after or before a word, never maths between numbers.
_FOOTNOTE = re.compile(r"(?<!\d\s)(?<!\d)[*†‡]+(?!\s?\d)|(?<=\s)[*†‡]+(?=\w)")
_BULLET = re.compile(r"\s*(?P<before>[:;,.!?]?)\s*[•▪‣◦·]\s*")
_PLURAL_BRACKET = re.compile(r"\b(?P<word>[A-Za-z]+)\((?P<ending>s|es|ren)\)(?!\w)")
_TIMES_LETTER = re.compile(r"(?<=\d)\s?[x×]\s?(?=\d)|(?<=\d)x(?=\s(?:a|per|daily|weekly)\b)")
_SIGNED = re.compile(r"(?:(?<=[A-Z])|(?<=[A-Z]\d))(?P<sign>[+−-])(?=[\s,.;:)/]|$)")
_PLUS_AFTER_NUMBER = re.compile(r"(?<=\d)\+(?=[\s,.;:)]|$)")
_PLUS_BETWEEN = re.compile(r"(?<=[\d\s])\+(?=\s?\d)")
_MINUS = re.compile(r"(?<![\w.])[−](?=\d)")
_NUMBER_SIGN = re.compile(r"#\s?(?=\d)")
_SECTION_SIGN = re.compile(r"§\s?(?=\d)")
_HASHTAG = re.compile(r"#(?=[A-Za-z])")
_AMPERSAND = re.compile(r"\s?&\s?")
_LETTER_RANGE = re.compile(r"\b(?P<first>[A-Z])\s?[\u2013\u2014-]\s?(?P<last>[A-Z])\b")
_ARROW = re.compile(r"\s?[→⟶]\s?")
_FLAG = "*!\u2020\u2021#^\u00a7"
_CELL_SYMBOL = re.compile(rf"(?<!\S)(?P<symbol>[{_FLAG}]{{1,3}})(?!\S)")
_KEY = re.compile(rf"^(?P<symbol>[{_FLAG}]{{1,3}})\s*(?:[=:\u2013-]\s*)?(?P<meaning>[^\W\d_].*)$")
# "* denotes a notifiable disease": the verb joins the key to its mark, and is not the meaning.
_KEY_VERB = re.compile(r"^(?:denotes|indicates|means|marks|shows)\s+", re.IGNORECASE)
# A mark after a word in a cell, "Diphtheria*": said by its key if the page has one, else silent.
_CELL_MARK = re.compile(r"(?<=[^\W\d_])(?P<symbol>[*\u2020\u2021]{1,3})(?!\S)")
SYMBOL_NAMES = {
    "*": "asterisk",
    "!": "exclamation mark",
    "\u2020": "dagger",
    "\u2021": "double dagger",
    "#": "hash",
    "^": "caret",
    "\u00a7": "section sign",
}
"""English names of the flags a table cell may hold as a value, said where no key defines them."""
_SIGN_NEEDS = re.compile(r"[+−#§&→⟶\u2013\u2014/-]")
"""Every rewrite in `say_signs` needs one of these characters."""


@per_language
def _result_pair(words: Words) -> re.Pattern[str]:
    return re.compile(rf"\b({words.positive}|{words.negative})/")


def symbol_key(text: str) -> tuple[str, str] | None:
    """Return (symbol, meaning) when `text` defines one ("* far outside the range"), else None."""
    match = _KEY.match(text)
    if match is None:
        return None
    return match["symbol"], _KEY_VERB.sub("", match["meaning"]).rstrip(".")


def say_cell_symbols(text: str, keys: dict[str, str], lang: str) -> str:
    """Say a symbol standing as a value in a table cell by its meaning, else by its name."""

    def symbol(match: re.Match[str]) -> str:
        flag = match["symbol"]
        if flag in keys:
            return f", {keys[flag]},"
        if not lang.lower().startswith("en") or len(set(flag)) > 1:
            return match[0]
        name = SYMBOL_NAMES[flag[0]]
        return f", {name}," if len(flag) == 1 else f", {len(flag)} {name}s,"

    def mark(match: re.Match[str]) -> str:
        flag = match["symbol"]
        return f", {keys[flag]}," if flag in keys else match[0]

    said = _CELL_MARK.sub(mark, _CELL_SYMBOL.sub(symbol, text))
    return said.strip(", ") if said != text else text


def silence_marks(text: str, words: Words | None) -> str:
    """Drop ®, ™, © and footnote marks (* † ‡), which a listener should not hear."""
    # A bar between items ("Email … | Tel …") separates them: a pause, not the word "bar".
    return _BAR.sub(", ", _FOOTNOTE.sub("", _SILENT.sub("", text)))


def say_comparisons(text: str, words: Words | None) -> str:
    """Say >, <, ≥, ≤, ±, ×, ≈, ~, = as words; never drop one silently."""
    assert words is not None
    text = _TIMES_LETTER.sub(f" {words.times} ", text)
    for symbol in sorted(words.comparisons, key=len, reverse=True):
        text = text.replace(symbol, f" {words.comparisons[symbol]} ")
    return text


def say_signs(text: str, words: Words | None) -> str:
    """Say "HIV+" as "HIV positive", "18+" as "18 plus", "#3" as "number 3", "&" as "and"."""
    assert words is not None

    def signed(match: re.Match[str]) -> str:
        return f" {words.positive if match['sign'] == '+' else words.negative}"

    text = _SIGNED.sub(signed, text)
    # "ER+/PR+": two results in a row, not a "slash".
    text = _result_pair(words).sub(r"\1, ", text)
    text = _PLUS_AFTER_NUMBER.sub(f" {words.plus}", text)
    text = _PLUS_BETWEEN.sub(f" {words.plus} ", text)
    text = _MINUS.sub(f"{words.minus} ", text)
    text = _NUMBER_SIGN.sub(f"{words.number} ", text)
    text = _SECTION_SIGN.sub(f"{words.section} ", text)
    text = _HASHTAG.sub("hashtag " if words.code == "en" else "", text)
    text = _ARROW.sub(f" {words.to} ", text)
    text = _LETTER_RANGE.sub(lambda m: f"{m['first']} {words.to} {m['last']}", text)
    return _AMPERSAND.sub(f" {words.and_} ", text)


def pause_at_bullets(text: str, words: Words | None) -> str:
    """Make a bullet inside a paragraph a short pause (a comma), not a spoken symbol."""

    def bullet(match: re.Match[str]) -> str:
        if match.start() == 0 or match.end() == len(text):
            return match["before"]
        return f"{match['before'] or ','} "

    return _BULLET.sub(bullet, text)


def join_plural_brackets(text: str, words: Words | None) -> str:
    """Read "tablet(s)" as "tablets" and "child(ren)" as "children"."""
    return _PLURAL_BRACKET.sub(lambda m: m["word"] + m["ending"], text)


RULES = (
    Rule(
        "silent-marks",
        "symbols",
        "®, ™, © and footnote marks (*, †, ‡) are silent; a bar between items is a pause.",
        silence_marks,
        (
            ("Sutent® and Afinitor™", "Sutent and Afinitor"),
            ("Most people* recover.", "Most people recover."),
        ),
        neutral=True,
        needs=re.compile(r"[®™©℠*†‡|]"),
    ),
    Rule(
        "bullet",
        "symbols",
        "A bullet (•) inside a paragraph is a short pause.",
        pause_at_bullets,
        (("Bring: • your letter • your medicines", "Bring: your letter, your medicines"),),
        neutral=True,
        needs=re.compile(r"[•▪‣◦·]"),
    ),
    Rule(
        "plural-bracket",
        "symbols",
        '"tablet(s)" is read "tablets".',
        join_plural_brackets,
        (("Take 2 tablet(s) daily.", "Take 2 tablets daily."),),
        neutral=True,
        needs=re.compile(r"\("),
    ),
    Rule(
        "comparison",
        "comparison and maths symbols",
        '>, <, ≥, ≤, ±, ×, ≈, ~ and = are words: "more than", "less than", "at least", '
        '"at most", "plus or minus", "times", "about", "equals".',
        say_comparisons,
        (
            (
                "If your PSA is > 4, you may need a biopsy.",
                "If your P S eh is more than 4, you may need a biopsy.",
            ),
            ("an eGFR ≥ 60", "an eGFR at least 60"),
            ("~5 minutes", "about 5 minutes"),
        ),
    ),
    Rule(
        "sign",
        "symbols",
        '"HIV+" is "HIV positive", "18+" is "18 plus", "#3" is "number 3", "&" is "and".',
        say_signs,
        (
            ("If you are HIV+, tell us.", "If you are H I V positive, tell us."),
            ("Go to A&E.", "Go to eh and E."),
            ("Room #3", "Room number 3"),
        ),
        needs=_SIGN_NEEDS,
    ),
)
