"""Web and e-mail addresses, said as a listener would say them: "n h s dot u k"."""

from __future__ import annotations

import re

from reader.pipeline.speechtext.language import Words
from reader.pipeline.speechtext.rule import Rule
from reader.pipeline.speechtext.wordlist import is_english_word

_TLDS = r"(?:uk|org|com|net|gov|nhs|wales|cymru|scot|info|io|eu|ie|int|co)"
_HOST = rf"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+{_TLDS}(?![A-Za-z0-9-])"
_URL = re.compile(
    rf"(?:https?://)?(?:{_HOST}|www\.{_HOST})(?::\d+)?(?P<path>/[^\s<>\"]*)?", re.IGNORECASE
)
_EMAIL = re.compile(rf"(?P<local>[A-Za-z0-9._%+-]+)@(?P<host>{_HOST})", re.IGNORECASE)
# Every host ends in a dot and a known ending: the quick test before the long patterns.
_HOST_END = re.compile(rf"\.{_TLDS}(?![A-Za-z0-9-])", re.IGNORECASE)
_LABEL_PARTS = re.compile(r"(-|_|\d+)")
_TRAILING_PUNCTUATION = re.compile(r"[.,;:!?)]+$")
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
# Labels said as words even though they are short: a listener hears "dot org", not "o r g".
_SAID_AS_WORDS = frozenset(
    {"org", "com", "gov", "net", "co", "info", "wales", "cymru", "scot", "app"}
)


def _label(label: str, words: Words) -> str:
    parts = [p for p in _LABEL_PARTS.split(label) if p]
    said = []
    for part in parts:
        if part == "-":
            said.append(words.dash)
        elif part == "_":
            said.append("underscore")
        elif part.isdigit():
            said.append(" ".join(part))
        elif part.lower() == "www" or (
            len(part) <= 3 and part.lower() not in _SAID_AS_WORDS and not is_english_word(part)
        ):
            said.append(" ".join(part.lower()))
        else:
            said.append(part.lower() if part.isupper() else part)
    return " ".join(said)


def _host(host: str, words: Words) -> str:
    return f" {words.dot} ".join(_label(label, words) for label in host.split("."))


def _path(path: str, words: Words) -> str:
    said = []
    for piece in path.split("/"):
        if piece:
            pieces = [p for p in piece.split(".") if p]
            said.append(f" {words.dot} ".join(_label(p, words) for p in pieces))
    return "".join(f" {words.slash} {piece}" for piece in said)


def say_urls(text: str, words: Words | None) -> str:
    """Say web addresses without "https://": host labels, "dot" and "slash"."""
    assert words is not None

    def url(match: re.Match[str]) -> str:
        whole = match[0]
        path = match["path"] or ""
        trail = _TRAILING_PUNCTUATION.search(path)
        ending = trail[0] if trail else ""
        path = path[: len(path) - len(ending)]
        host = _SCHEME.sub(
            "", whole[: match.start("path") - match.start()] if match["path"] else whole
        )
        return _host(host, words) + _path(path, words) + ending

    return _URL.sub(url, text)


def say_emails(text: str, words: Words | None) -> str:
    """Say e-mail addresses: "pals dot office at n h s dot net"."""
    assert words is not None

    def email(match: re.Match[str]) -> str:
        local = f" {words.dot} ".join(_label(p, words) for p in match["local"].split(".") if p)
        return f"{local} {words.at} {_host(match['host'], words)}"

    return _EMAIL.sub(email, text)


RULES = (
    Rule(
        "email",
        "web and e-mail addresses",
        'An e-mail address: each part, "at", "dot".',
        say_emails,
        (("Email pals@nhs.net today.", "Email pals at n h s dot net today."),),
        needs=re.compile("@"),
    ),
    Rule(
        "web-address",
        "web and e-mail addresses",
        'A web address without "https://": "w w w dot n h s dot u k", "slash" between parts.',
        say_urls,
        (
            ("Visit www.nhs.uk for more.", "Visit w w w dot n h s dot u k for more."),
            (
                "See https://www.nice.org.uk/guidance.",
                "See w w w dot nice dot org dot u k slash guidance.",
            ),
        ),
        needs=_HOST_END,
    ),
)
