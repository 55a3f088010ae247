"""Welsh place names inside English text: found, so the Welsh voice reads them (issue 21).

A name is read in Welsh where the page marks it (`<span lang="cy">`, the parser's own spans)
or where it is found here: a Welsh name from the Welsh Language Commissioner's List of
Standardised Welsh Place-names (welsh_places.tsv), a name NHS Wales uses that the list does not
hold (welsh_places.txt), a hospital named "Ysbyty …", or a town whose name starts "Llan" and is
no English word.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from reader.pipeline.speechtext.wordlist import is_english_word

LIST_FILE = Path(__file__).with_name("welsh_places.tsv")
"""The Commissioner's list; its header says where it comes from, its licence and its date."""
PLACES_FILE = Path(__file__).with_name("welsh_places.txt")
"""Names NHS Wales pages use that the list lacks (hospitals, health boards), with their sources."""
WELSH = "cy"

_MARKER = re.compile(
    r"dd|rh|wy|yw|ll(?!$)|ff(?!$)|^ll|(?<![aeo])w(?![aeiouyh])|[âêîôûŵŷïë]"
    r"|-y-|-yr-|^y |(?<![\w])(?:fawr|fach|goch|ddu|wen|wyn)$|(?<=[-\s])w[eyi]n|wern"
    r"|au$|og$|ig$|ech$"
)
"""Spellings English seldom has ("dd", "rh", "wy", a "w" for a vowel, "ll" inside a word, the
article in "Crug-y-bar", the endings of "Clynnog Fawr", "Dinorwig", "Harlech"), so a name with
one is Welsh; "-hill", "-well" and "-town" are not marks of Welsh."""
_ELEMENT = re.compile(
    r"(?:Aber|Llan|Pen|Pont|Cwm|Coed|Tre|Caer|Blaen|Bryn|Glan|Nant|Rhos|Ystrad|Cefn|Maes|Bont"
    r"|Cil|Dol|Dôl|Gwaun|Waun|Hen|Pant|Plas|Porth|Rhyd|Tal|Tŷ|Ynys|Mynydd|Bwlch|Carn|Castell"
    r"|Croes|Eglwys|Ffynnon|Gelli|Llwyn|Capel|Moel|Bod|Din|Sain)"
)
"""The elements Welsh place names are built of ("Aber-", "Llan-", "Pen-y-"), at a name's start."""
_ENGLISH_ENDING = re.compile(
    r"(?:town|ton|ville|well|ford|field|wood|ham|bury|ley|land|stone|worth|brook|dale|mead|moor"
    r"|side|gate|hill|mill|holt|croft|wick|bridge|port|yard|house|green)$"
)
"""How English place names end: "Barnardtown" shares the list's form, and is said in English."""
_ARTICLES = frozenset({"y", "yr", "ar", "a'r", "ym", "yn", "yng"})
_INVERTED = re.compile(r"^(?P<name>.+), (?P<article>Y|Yr)$")
"""The list writes "Bala, Y" for Y Bala: the article goes back in front."""
_WORD = re.compile(r"\S+")
_EDGE = "()[]{}\"'‘’“”.,;:!?"
_HOSPITAL = re.compile(r"(?<![\w-])Ysbyty(?:\s(?:[A-Z][\w\u00c0-\u017f'-]+|y|yr))+(?![\w-])")
_LLAN = re.compile(
    r"(?<![\w-])Llan[a-z\u00e2\u00ea\u00ee\u00f4\u00fb\u0175\u0177]{2,}(?:-[\w-]+)?(?![\w-])"
)


def is_welsh_name(name: str, as_in_english: bool) -> bool:
    """Return whether the list's `name` is read in Welsh in English text.

    A form the list gives in Welsh only ("Abertawe" for Swansea) is Welsh. A form English shares
    is Welsh when it is built the Welsh way ("Aberystwyth", "Llandudno", "Pwllheli"), not when
    English says it its own way ("Bethesda", "Angle"). A name with an English word in it
    ("Llanelli Hill", "Cross Inn") is not read in Welsh, lest "Hill" be said in Welsh.
    """
    words = [word for word in name.split() if word.lower() not in _ARTICLES]
    if any(_is_english(word) for word in words):
        return False
    if not as_in_english or _MARKER.search(name.lower()):
        return True
    return bool(_ELEMENT.match(name)) and not _ENGLISH_ENDING.search(name.lower())


def _is_english(word: str) -> bool:
    """Return whether a word of a name is English ("Hill", "Cross"), not a Welsh element ("Pen")."""
    if _MARKER.search(word.lower()) or _ELEMENT.fullmatch(word):
        return False
    return is_english_word(word)


def _uninverted(name: str) -> str:
    match = _INVERTED.match(name)
    return f"{match['article']} {match['name']}" if match else name


@cache
def gazetteer() -> frozenset[str]:
    """Return every name read in Welsh: from the Commissioner's list, and NHS Wales's names."""
    names = set()
    for line in LIST_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("welsh\t"):
            continue
        welsh, other, english = line.split("\t")
        for form in (welsh, other):
            form = _uninverted(form)
            if form and is_welsh_name(form, form == _uninverted(english)):
                names.add(form)
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            names.add(line.strip())
    return frozenset(names)


@cache
def _longest() -> int:
    return max(len(name.split()) for name in gazetteer())


def _listed(text: str) -> list[tuple[int, int]]:
    """Find the longest listed name at each word, by looking runs of words up in the list."""
    names, longest = gazetteer(), _longest()
    words = [match.span() for match in _WORD.finditer(text)]
    spans, index = [], 0
    while index < len(words):
        found = None
        for count in range(min(longest, len(words) - index), 0, -1):
            start, end = words[index][0], words[index + count - 1][1]
            piece = text[start:end]
            inner = piece.strip(_EDGE)
            if inner and inner[0].isupper() and inner in names:
                offset = start + piece.index(inner)
                found = (offset, offset + len(inner), count)
                break
        if found:
            spans.append(found[:2])
            index += found[2]
        else:
            index += 1
    return spans


def welsh_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each Welsh place name in English `text`."""
    found = [match.span() for match in _HOSPITAL.finditer(text)]
    found += _listed(text)
    found += [
        match.span()
        for match in _LLAN.finditer(text)
        if " " in match[0] or not is_english_word(match[0])
    ]
    # The longest name wins where two overlap: "Ysbyty Glan Clwyd" over "Glan Clwyd".
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda span: (span[0], -span[1])):
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans
