"""Telephone numbers, said digit by digit in their groups with a short pause between groups."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.language import Words
from reader.pipeline.speechtext.numbers import ANY_DIGIT, digits
from reader.pipeline.speechtext.rule import Rule

PAUSE = ", "
"""Between digit groups: eSpeak NG makes a comma a short pause."""

# A UK number: 0 or +44 (with an optional "(0)"), then groups split by one space or hyphen.
_UK = re.compile(
    r"(?<![\w+.,/£])(?P<lead>\+\s?44\s?(?:\(0\)\s?)?|\(0\d{2,4}\)\s?|0)"
    r"(?P<rest>\d+(?:(?:\s|-|\s-\s)\d+)*)(?![\w.,/]\d|[\w%£])"
)
# Not after "indium": indium-111 is an isotope, said as a number (see the lexicon).
_SERVICE = re.compile(
    r"(?<![\w.,/£-])(?<!indium )(?P<number>999|111|112|116\s?\d{3}|18001|18000)"
    r"(?![\w%]|[.,/]\d|\s?(?:%|per\b))"
    r"(?P<then>(?<=1800[01])\s(?=\d))?"
)
_CALL_SHORT = re.compile(
    r"(?P<verb>\b(?:[Cc]all|[Rr]ing|[Dd]ial|[Pp]hone|[Tt]elephone|number,?)\s+(?:on\s+)?)(?P<number>\d{3,6})\b(?!\.\d)"
)
_TEXT_NUMBER = re.compile(
    r"(?P<verb>\b(?:[Tt]ext|TEXT|SMS|[Tt]xt)\b(?:\s+[^\s\d]+){0,4}?\s+)(?P<number>\d{5,6})\b(?!\.\d)"
)
_EXTENSION = re.compile(
    r"(?P<word>\b(?:[Ee]xt\.?\s?|[Ee]xtension\s|(?<=\d\s)x))(?P<number>\d{3,6})\b(?!\s?\^|[⁰-⁹])"
)

_GROUP_BREAK = re.compile(r"\s-\s|\s|-")
_TWO_NUMBERS = re.compile(r"(?<=\d)\s/\s(?=\d)")


def _uk_groups(lead: str, rest: str) -> list[str] | None:
    groups = _GROUP_BREAK.split(rest)
    if lead.startswith("+"):
        count = sum(len(g) for g in groups)
        return ["+44", *groups] if 9 <= count <= 10 else None
    if lead.startswith("("):
        groups = [lead.strip("() "), *groups]
    else:
        groups[0] = "0" + groups[0]
    # Take groups until the number is complete, so a count after it stays a count.
    taken, count = [], 0
    for group in groups:
        if count + len(group) > 11:
            break
        taken.append(group)
        count += len(group)
    if len(taken) == 1 and count in (10, 11):
        return _split_run(taken[0])
    if len(taken) >= 2 and 8 <= count <= 11 and (count >= 10 or taken[0][:2] in ("08", "03")):
        return [taken[0], *(part for group in taken[1:] for part in _split_local(group))]
    return None


def _split_local(group: str) -> list[str]:
    # "(0131) 5360403": a 7-digit local number typed without its space still has its pause,
    # 536 0403; six digits ("900123") are said as one group, as UK numbers are written.
    return [group[:3], group[3:]] if len(group) == 7 else [group]


def _split_run(number: str) -> list[str]:
    # An unspaced number, grouped the way the UK writes it: 020 7946 0958, 0808 808 0000.
    if number.startswith("02") and len(number) == 11:
        return [number[:3], number[3:7], number[7:]]
    if len(number) == 11:
        return [number[:4], number[4:7], number[7:]]
    return [number[:4], number[4:]]


def say_uk_numbers(text: str, words: Words | None) -> str:
    """Say a UK telephone number (landline, mobile, 0800, 03xx, +44) in digit groups."""
    plus = words.plus if words else "+"
    either = words.or_ if words else ","

    def number(match: re.Match[str]) -> str:
        groups = _uk_groups(match["lead"].strip(), match["rest"])
        if groups is None:
            return match[0]
        said = [f"{plus} 4 4" if g == "+44" else digits(g) for g in groups]
        return PAUSE.join(said)

    text = _UK.sub(number, text)
    # "01234 567 890 / 07700 900 123": two numbers to choose from, not a "slash".
    return _TWO_NUMBERS.sub(f" {either} ", text)


def say_service_numbers(text: str, words: Words | None) -> str:
    """Say 999, 111, 112, 116 123 and the 18001 relay prefix as digits in any sentence."""

    def service(match: re.Match[str]) -> str:
        said = PAUSE.join(digits(group) for group in match["number"].split())
        # The relay prefix is its own group before the number it calls.
        return said + (PAUSE if match["then"] else "")

    return _SERVICE.sub(service, text)


def say_called_numbers(text: str, words: Words | None) -> str:
    """Say a short number after "call", "ring" or "dial" as digits: "call 101"."""
    return _CALL_SHORT.sub(lambda m: m["verb"] + digits(m["number"]), text)


def say_text_numbers(text: str, words: Words | None) -> str:
    """Say a text-message number as digits: "text SHOUT to 85258"."""
    return _TEXT_NUMBER.sub(lambda m: m["verb"] + digits(m["number"]), text)


def say_extensions(text: str, words: Words | None) -> str:
    """Say a telephone extension as "extension" and digits: "ext. 4567"."""
    word = words.extension if words else "extension"
    return _EXTENSION.sub(lambda m: f"{word} {digits(m['number'])}", text)


RULES = (
    Rule(
        "phone-extension",
        "telephone numbers",
        'An extension after "ext.", "extension" or "x" is "extension" and its digits.',
        say_extensions,
        (("Call 020 7188 7188 ext. 4567.", "Call 0 2 0, 7 1 8 8, 7 1 8 8 extension 4 5 6 7."),),
        needs=ANY_DIGIT,
    ),
    Rule(
        "phone-uk",
        "telephone numbers",
        "A UK number (01/02, 07 mobile, 0800/0808, 03xx, +44) is digits in its groups, "
        "a pause between groups; a 7-digit local number after an area code has its pause too.",
        say_uk_numbers,
        (
            ("Call 0808 808 00 00 for free.", "Call 0 8 0 8, 8 0 8, 0 0, 0 0 for free."),
            ("Call (0131) 5360403.", "Call 0 1 3 1, 5 3 6, 0 4 0 3."),
            ("From abroad: +44 20 7946 0958.", "From abroad: plus 4 4, 2 0, 7 9 4 6, 0 9 5 8."),
        ),
        neutral=True,
        needs=ANY_DIGIT,
    ),
    Rule(
        "phone-service",
        "telephone numbers",
        "999, 111, 112, 116 xxx and 18001 are always digits.",
        say_service_numbers,
        (
            ("In an emergency call 999.", "In an emergency call 9 9 9."),
            ("Samaritans: 116 123.", "Samaritans: 1 1 6, 1 2 3."),
        ),
        neutral=True,
        needs=ANY_DIGIT,
    ),
    Rule(
        "phone-text",
        "telephone numbers",
        'A 5 or 6 digit number after "text" is digits.',
        say_text_numbers,
        (("Text SHOUT to 85258.", "Text shout to 8 5 2 5 8."),),
        langs=("en",),
        needs=ANY_DIGIT,
    ),
    Rule(
        "phone-called",
        "telephone numbers",
        'A 3 to 6 digit number after "call", "ring", "dial" or "phone" is digits.',
        say_called_numbers,
        (("Ring 101 if it is not urgent.", "Ring 1 0 1 if it is not urgent."),),
        langs=("en",),
        needs=ANY_DIGIT,
    ),
)
