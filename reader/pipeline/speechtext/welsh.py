"""Welsh place names inside English text: found, so the Welsh voice reads them (issue 21).

A name is read in Welsh where the page marks it (`<span lang="cy">`, the parser's own spans)
or where it is found here: a name in welsh_places.txt, a hospital named "Ysbyty …", or a
town whose name starts "Llan" and is no English word.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from reader.pipeline.speechtext.wordlist import is_english_word

PLACES_FILE = Path(__file__).with_name("welsh_places.txt")
"""The gazetteer: its header says where the names come from and under what licence."""
WELSH = "cy"


@cache
def _pattern() -> re.Pattern[str]:
    names = [
        line.strip()
        for line in PLACES_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    listed = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    # "Ysbyty" (hospital) and the capitalised words of its name: "Ysbyty Glan Clwyd".
    hospital = r"Ysbyty(?:\s(?:[A-Z][\w\u00c0-\u017f'-]+|y|yr))+"
    llan = r"Llan[a-z\u00e2\u00ea\u00ee\u00f4\u00fb\u0175\u0177]{2,}(?:-[\w-]+)?"
    return re.compile(rf"(?<![\w-])(?:{hospital}|{listed}|{llan})(?![\w-])")


def welsh_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each Welsh place name in English `text`."""
    spans = []
    for match in _pattern().finditer(text):
        name = match[0]
        if name.startswith("Llan") and " " not in name and is_english_word(name):
            continue
        spans.append(match.span())
    return spans
