"""Clinical codes in capitals said as words or spelled, from codes.tsv, and eSpeak NG's reading."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from reader.pipeline.phonemes import sounds

CODES_FILE = Path(__file__).with_name("codes.tsv")
"""written, spoken and source, one code a line; every line names where its spoken form is given."""

ESPEAK_WORD_LENGTH = 5
"""From this many letters, a capital token eSpeak NG reads as a word is a name ("MOVIPREP").

Shorter tokens are nearly always initials eSpeak would mangle ("CEA" as "see-uh"), so they are
spelled unless the word list or codes.tsv says otherwise."""

_ESPEAK_VOICE = "gmw/en"
_CONSONANT_RUN = re.compile("[^AEIOUY]{3}")
"""Three consonants in a row ("UKHSA"): initials, which eSpeak NG would read as a made-up word."""


@cache
def codes() -> dict[str, str]:
    """Return codes.tsv as {written: spoken}."""
    table = {}
    for line in CODES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            written, spoken, _source = line.split("\t")
            table[written] = spoken
    return table


@cache
def espeak_says_word(token: str) -> bool:
    """Return whether eSpeak NG reads an all-capital token as a word rather than its letters."""
    if _CONSONANT_RUN.search(token) or not re.search("[AEIOUY]", token):
        return False
    return sounds(token, _ESPEAK_VOICE) != sounds(" ".join(token), _ESPEAK_VOICE)
