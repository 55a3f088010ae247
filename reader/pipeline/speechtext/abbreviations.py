"""Abbreviations: e.g., etc., Dr, Mr, St (Saint or Street), No. 5, ext., max. and the rest."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.language import Words, match_case, per_language
from reader.pipeline.speechtext.numbers import ANY_DIGIT
from reader.pipeline.speechtext.rule import Rule

_NAME = r"[A-Z][a-z'\u2019]"
_TITLES = {
    "Dr": "Doctor",
    "Mr": "Mister",
    "Mrs": "Missus",
    "Ms": "Miz",
    "Prof": "Professor",
    "Sr": "Sister",
}
_TITLE = re.compile(
    rf"\b(?P<title>Dr|Mrs|Mr|Ms|Prof|Sr)\b\.?(?P<initials>(?:\s[A-Z]\.)*)"
    rf"(?=\s(?:{_NAME}|[A-Z]\b|and\s|&\s))"
)
_SAINT = re.compile(rf"\bSt\b\.?(?=\s{_NAME})")
_STREET = re.compile(r"\b(?P<name>[A-Z][a-z]+)\s(?P<kind>St|Rd|Ave)\b(?P<stop>\.)?")
_STREETS = {"Rd": "Road", "Ave": "Avenue"}
_NUMBER = re.compile(r"\b(?:(?P<no>Nos?)\.?|(?P<lower>nos?)\.)\s?(?=\d)")
_PAGE = re.compile(r"(?<![\w.])(?P<p>pp?)\.\s?(?=\d)")
_ETC = re.compile(r"\betc\b\.?", re.IGNORECASE)
_VERSUS = re.compile(r"(?<=\w\s)v\.?(?=\s\w)")


@per_language
def _abbreviations(words: Words) -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Return one pattern that finds any of the language's abbreviations, then each one's."""
    sources, patterns = [], []
    for written, said in words.abbreviations.items():
        # A written abbreviation that starts lower-case matches in any case: "E.g.", "EG".
        ignore_case = not written[0].isupper()
        end = r"(?!\w)" if written.endswith(".") else r"\b(?!\.\w)"
        source = r"(?<![\w.])" + re.escape(written) + end
        sources.append(f"(?i:{source})" if ignore_case else source)
        patterns.append((re.compile(source, re.IGNORECASE if ignore_case else 0), said))
    return re.compile("|".join(sources)), tuple(patterns)


def say_abbreviations(text: str, words: Words | None) -> str:
    """Expand the language's written abbreviations: "e.g." → "for example", "approx."."""
    assert words is not None
    any_abbreviation, patterns = _abbreviations(words)
    # Most sentences hold none: then no pattern below would change the text.
    if not any_abbreviation.search(text):
        return text
    for pattern, said in patterns:
        text = pattern.sub(lambda m, said=said: match_case(m[0], said), text)
    return text


def say_etcetera(text: str, words: Words | None) -> str:
    """Say "etc." as "et cetera", keeping the full stop when it ends the sentence."""
    return _ETC.sub(lambda m: "et cetera" + ("." if m.end() == len(m.string) else ""), text)


def say_titles(text: str, words: Words | None) -> str:
    """Say Dr, Mr, Mrs, Ms, Prof and Sr (Sister) before a name in full, with no pause."""
    # "Dr A. Smith": the initial's full stop is no pause either.
    return _TITLE.sub(lambda m: _TITLES[m["title"]] + m["initials"].replace(".", ""), text)


def say_saint_or_street(text: str, words: Words | None) -> str:
    """Say "St" as Saint before a name ("St Thomas'") and Street after one ("High St")."""
    assert words is not None
    text = _SAINT.sub(words.saint, text)

    def street(match: re.Match[str]) -> str:
        stop = "." if match["stop"] and match.end() == len(match.string) else ""
        kind = words.street if match["kind"] == "St" else _STREETS[match["kind"]]
        return f"{match['name']} {kind}{stop}"

    return _STREET.sub(street, text)


def say_number_sign(text: str, words: Words | None) -> str:
    """Say "No. 5" as "number 5"."""
    assert words is not None

    def number(match: re.Match[str]) -> str:
        written = match["no"] or match["lower"]
        return f"{words.number}{'s' if written.lower() == 'nos' else ''} "

    return _NUMBER.sub(number, text)


def say_page(text: str, words: Words | None) -> str:
    """Say "p. 12" as "page 12" and "pp. 4–6" as "pages"."""
    return _PAGE.sub(lambda m: "pages " if m["p"] == "pp" else "page ", text)


def say_versus(text: str, words: Words | None) -> str:
    """Say a lone "v" or "v." between words as "versus"."""
    return _VERSUS.sub("versus", text)


RULES = (
    Rule(
        "abbreviation",
        "abbreviations",
        "Written abbreviations are words: e.g., i.e., approx., vs, incl., max., min., Tel., "
        "ext., Dept, NB, hrs, mins, w/c, c/o, N/A (Welsh: e.e., h.y.).",
        say_abbreviations,
        (
            (
                "Some foods, e.g. cheese, i.e. dairy.",
                "Some foods, for example cheese, that is dairy.",
            ),
            ("It takes approx. 2 hrs.", "It takes approximately 2 hours."),
            ("Clinic w/c 3 March", "Clinic week commencing 3 March"),
        ),
    ),
    Rule(
        "etcetera",
        "abbreviations",
        '"etc." is "et cetera".',
        say_etcetera,
        (("Bring pyjamas, slippers etc.", "Bring pyjamas, slippers et cetera."),),
        langs=("en",),
    ),
    Rule(
        "title",
        "abbreviations",
        'Dr, Mr, Mrs, Ms, Prof and Sr (Sister) before a name are words; "Dr." makes no '
        "sentence pause.",
        say_titles,
        (
            ("Dr. Patel will see you.", "Doctor Patel will see you."),
            ("Ms Jones", "Miz Jones"),
            ("Sr Evans runs the clinic.", "Sister Evans runs the clinic."),
        ),
        langs=("en",),
    ),
    Rule(
        "saint-street",
        "abbreviations",
        "St is Saint before a name and Street after one; Rd and Ave after a name are Road "
        "and Avenue.",
        say_saint_or_street,
        (
            ("St Thomas' Hospital", "Saint Thomas' Hospital"),
            ("The clinic is on High St.", "The clinic is on High Street."),
        ),
        needs=re.compile("St|Rd|Ave"),
    ),
    Rule(
        "number-abbreviation",
        "abbreviations",
        '"No. 5" is "number 5".',
        say_number_sign,
        (("Go to Room No. 5.", "Go to Room number 5."),),
        needs=ANY_DIGIT,
    ),
    Rule(
        "page",
        "abbreviations",
        '"p. 12" is "page 12"; "pp." is "pages".',
        say_page,
        (("See p. 12.", "See page 12."),),
        langs=("en",),
        needs=ANY_DIGIT,
    ),
    Rule(
        "versus",
        "abbreviations",
        'A lone "v" or "v." between words is "versus".',
        say_versus,
        (("surgery v. radiotherapy", "surgery versus radiotherapy"),),
        langs=("en",),
        needs=re.compile("v"),
    ),
)
