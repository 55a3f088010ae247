"""What a listener will hear: risky words, found by eSpeak NG's own phonemes, with lexicon lines.

A build sends each sentence's spoken text to eSpeak NG. Where no rule or lexicon entry changed
a risky word (capitals, a lone letter, digits mixed with letters, a symbol), eSpeak decides how
to say it, so this module asks eSpeak, through `espeak_TextToPhonemes`, what it will say.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache

from reader.model import Document, Section
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.phonemes import phonemes, sounds
from reader.pipeline.speech import block_sentences, page_keys, spoken_section, spoken_text
from reader.pipeline.speechtext.capitals import CODES, ESPEAK, WORD_LIST, capital_source
from reader.pipeline.speechtext.symbols import SYMBOL_NAMES
from reader.pipeline.speechtext.wordlist import is_english_word
from reader.pipeline.voices import DEFAULT_VOICES

PROBLEM = "problem"
"""A finding that changes what the page means when heard: `reader check` fails on it."""
LISTEN = "listen"
"""A finding to listen to: eSpeak decides how to say it; nothing is known to be wrong."""

NAMED_SYMBOLS = frozenset("/\\#*~")
"""Symbols eSpeak NG names aloud ("slash", "hash") where a reader never means the name."""
MEANING_SYMBOLS = frozenset("<>=+±\u00d7÷≈~≥≤%@&°£$€^")
"""Symbols that carry meaning: dropping one silently can change a fact ("PSA > 4")."""
_EDGE_PUNCTUATION = ".,;:!?'\"()[]\u2018\u2019\u201c\u201d\u2026"
_SCHWA = "\u0250"
"""eSpeak's IPA "uh" for the article "a", which a spelled letter A must never be."""
_FRAME = ("The", "team")
_WELSH_LOOKING = re.compile(
    r"(?:Ll|Ff|Rh)[a-z]{3,}|[A-Z][a-z]*(?:dd(?:[wyu]|$)|wy|[\u0175\u0177])[a-z]*"
    r"|[A-Z][a-z]+-y[r]?-[A-Z][a-z]+"
)
"""Welsh spelling in a capitalised word: "Gwynedd", "Rhosddu", "Maesgwyn", "Pen-y-Ffridd"
(an English "dd" is followed by another letter: "Paddington")."""
"""Words put around a token: eSpeak reads some capitals differently alone and in a sentence."""


@dataclass(frozen=True)
class Finding:
    """One thing a person should look at, or listen to, before the page is published."""

    level: str
    """PROBLEM or LISTEN."""
    message: str
    """One line for a person: what is written, what will be heard, what to do."""
    section: str = ""
    """Heading of the section it is in."""
    written: str = ""
    """The word or symbol as the page writes it."""
    heard: str = ""
    """The words the engine is sent for it."""
    sounds: str = ""
    """How eSpeak NG says them, in IPA."""
    suggestion: str = ""
    """A lexicon line (written, TAB, spoken, TAB, TAB, why) that would fix it, if one would."""
    count: int = field(default=1, compare=False)
    """How many times the document has it."""


def hear_document(
    document: Document, lexicon: Lexicon, preferred: Mapping[str, str] | None = None
) -> list[Finding]:
    """List what the listener will hear for every risky word of `document`, once per word."""
    found: dict[tuple[str, str], Finding] = {}
    keys = page_keys(document)
    for section in document.sections:
        # The build's own sentences: a table cell with its headers, a symbol by its key.
        for sentence in spoken_section(section, lexicon, keys).sentences:
            pieces = sentence.parts or (sentence,)
            for piece in pieces:
                voice = voice_for(piece.lang, preferred or {})
                if voice is None:
                    continue  # `reader check` reports the missing voice itself.
                heard = [
                    *hear_sentence(piece.text, piece.lang, lexicon, voice, piece.spoken),
                    *_named_flags(piece.text, piece.spoken, voice),
                    *_keyed_flags(piece.text, piece.spoken, keys, voice),
                ]
                for finding in heard:
                    key = (finding.level, finding.written)
                    if key in found:
                        first = found[key]
                        found[key] = _with_count(first, first.count + 1)
                    else:
                        found[key] = _in_section(finding, section.heading)
        headed = _headed_cell(section, lexicon, keys, preferred or {})
        if headed is not None:
            found[(headed.level, headed.written)] = _in_section(headed, section.heading)
    return list(found.values())


def _headed_cell(
    section: Section, lexicon: Lexicon, keys: Mapping[str, str], preferred: Mapping[str, str]
) -> Finding | None:
    """Show how the section's first table cell with headers is heard, so staff can check them.

    A screen reader gives a data cell's row and column headers; a header matched to the wrong
    cells (a missing <th>, a spanning cell) is heard in every row, so one example is shown.
    """
    cell = next((b for b in section.blocks if b.kind == "cell" and b.label), None)
    voice = voice_for(cell.lang, preferred) if cell is not None else None
    if cell is None or voice is None:
        return None
    sentences = block_sentences(cell, lexicon, dict(keys))
    if not sentences:
        return None
    heard = sentences[0].spoken
    return Finding(
        LISTEN,
        f'"{cell.text}": a table cell is heard with its headers, "{cell.label}", as a screen '
        f'reader gives them: "{heard}" /{_ipa(heard, voice)}/',
        written=cell.label,
        heard=heard,
        sounds=_ipa(heard, voice),
    )


def hear_sentence(
    text: str, lang: str, lexicon: Lexicon, voice: str, spoken: str | None = None
) -> Iterator[Finding]:
    """Yield findings for one sentence: each risky word, and what eSpeak NG will say for it.

    `spoken` is what the build sends the engine for `text`; by default, its spoken text.
    """
    covered = _lexicon_words(text, lang, lexicon)
    written_words = text.split()
    said = spoken if spoken is not None else spoken_text(text, lang, lexicon)
    spoken_words = said.split()
    # Line the written words up with the spoken ones: an unchanged word is eSpeak's to say,
    # a changed run is what the rules made of it.
    matcher = SequenceMatcher(None, written_words, spoken_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal" and i2 - i1 > 1:
            # Several changed words in a row ("NHS, PALS,"): each alone, when the rules say
            # each the same alone as in the run, so every line names one word and its sound.
            singles = [spoken_text(word, lang, lexicon) for word in written_words[i1:i2]]
            if " ".join(singles).split() == spoken_words[j1:j2]:
                for index, heard in zip(range(i1, i2), singles, strict=True):
                    if index not in covered:
                        context = Context(written_words, index, voice)
                        yield from _hear_word(written_words[index], heard, False, context)
                continue
            # A rule rewrote several words as one ("120/80 mmHg"): hear them as one.
            words = [*written_words[:i1], " ".join(written_words[i1:i2]), *written_words[i2:]]
            if not covered & set(range(i1, i2)):
                heard = " ".join(spoken_words[j1:j2])
                yield from _hear_word(words[i1], heard, False, Context(words, i1, voice))
            continue
        for index in range(i1, i2):
            if index in covered:
                continue
            untouched = tag == "equal"
            heard = written_words[index] if untouched else " ".join(spoken_words[j1:j2])
            context = Context(written_words, index, voice)
            yield from _hear_word(written_words[index], heard, untouched, context)


@dataclass(frozen=True)
class Context:
    """Where a word sits: the sentence's words, the word's index, and the voice reading it."""

    words: list[str]
    index: int
    voice: str

    @property
    def before(self) -> str:
        """The word before, without its punctuation; "" at the start."""
        return self.words[self.index - 1].strip(_EDGE_PUNCTUATION) if self.index else ""

    def around(self, replacement: str) -> str:
        """The word with its neighbours, the word replaced by `replacement`."""
        start, end = max(self.index - 2, 0), self.index + 3
        words = [*self.words[start : self.index], replacement, *self.words[self.index + 1 : end]]
        return " ".join(" ".join(words).split())


def voice_for(lang: str, preferred: Mapping[str, str]) -> str | None:
    """Return the voice a build would use for `lang`, or None when there is no default one."""
    tags = [lang.lower(), lang.lower().split("-")[0]]
    for tag in tags:
        for table in (preferred, DEFAULT_VOICES):
            if tag in table:
                return table[tag]
    return None


def _hear_word(word: str, heard: str, untouched: bool, context: Context) -> Iterator[Finding]:
    token = word.strip(_EDGE_PUNCTUATION)
    said = heard.strip(_EDGE_PUNCTUATION)
    if not token:
        return
    yield from _symbols(token, said, context)
    if untouched and context.voice.startswith("gmw/") and _looks_welsh(token):
        ipa = _ipa(said, context.voice)
        yield Finding(
            LISTEN,
            f'"{token}" may be a Welsh name, read with English rules: "{said}" /{ipa}/; '
            'mark it <span lang="cy"> for the Welsh voice',
            written=token,
            heard=said,
            sounds=ipa,
        )
    letters = re.sub(r"[^\w]", "", token)
    if letters == "A" and (context.index == 0 or context.words[context.index - 1].endswith(":")):
        return  # "A doctor will…", "Image: A rash": the article, not the letter
    risky = is_abbreviation_like(letters) or _is_lone_letter(letters) or _mixes_digits(letters)
    if risky or (untouched and _unusual_number(token)):
        yield from _letters_and_numbers(token, said, untouched, context)


_ENGLISH_NAMES = frozenset({"Lloyd", "Lloyds"})
"""Welsh-spelled names that English text says the English way."""


def _looks_welsh(token: str) -> bool:
    found = _WELSH_LOOKING.fullmatch(token) and token not in _ENGLISH_NAMES
    return bool(found) and not is_english_word(token)


def _named_flags(text: str, spoken: str, voice: str) -> list[Finding]:
    """Find a flag in a table cell said by its name because no key on the page defines it."""
    return [
        Finding(
            LISTEN,
            f'"{text}": "{flag}" will be heard by its name: "{name}" /{_ipa(name, voice)}/; a key '
            f'on the page ("{flag} far outside the normal range") would say what it means',
            written=flag,
            heard=name,
            sounds=_ipa(name, voice),
        )
        for flag, name in SYMBOL_NAMES.items()
        if flag in text and re.search(rf"\b{name}s?\b", spoken) and name not in text
    ]


def _keyed_flags(text: str, spoken: str, keys: Mapping[str, str], voice: str) -> list[Finding]:
    """Find a mark in a table cell said by the page's key, so staff see which key was used."""
    return [
        Finding(
            LISTEN,
            f'"{text}": "{flag}" will be heard as the page\'s key says: "{meaning}" '
            f"/{_ipa(meaning, voice)}/",
            written=flag,
            heard=meaning,
            sounds=_ipa(meaning, voice),
        )
        for flag, meaning in keys.items()
        if flag in text and meaning in spoken and meaning not in text
    ]


def _symbols(token: str, heard: str, context: Context) -> Iterator[Finding]:
    voice = context.voice
    for symbol in sorted(set(token) & (NAMED_SYMBOLS | MEANING_SYMBOLS)):
        if symbol not in heard:
            continue  # a rule said it in words, or removed it on purpose
        without = " ".join(heard.replace(symbol, " ").split())
        # Ask eSpeak whether it says the symbol at all: the engine drops some (< > | _ [ ]).
        if sounds(_framed(heard), voice) != sounds(_framed(without), voice):
            name = _said(symbol, voice)
            named = symbol in NAMED_SYMBOLS
            yield Finding(
                PROBLEM if named else LISTEN,
                f'"{context.around(token)}": "{symbol}" will be said aloud, /{name}/'
                + ("; say what it means in words" if named else ""),
                written=token,
                heard=heard,
                sounds=_ipa(heard, voice),
                suggestion=_line(token, without, f'eSpeak says "{symbol}" as /{name}/')
                if named and without
                else "",
            )
        elif symbol in MEANING_SYMBOLS:
            yield Finding(
                PROBLEM,
                f'"{context.around(token)}": the engine drops "{symbol}" silently, so the '
                f'listener hears "{context.around(without)}"; write what it means in words',
                written=token,
                heard=without,
                sounds=_ipa(without, voice),
            )


def _letters_and_numbers(
    token: str, said: str, untouched: bool, context: Context
) -> Iterator[Finding]:
    voice = context.voice
    ipa = _ipa(said, voice)
    # Only a lone capital A can be the article "uh"; a capital word with an A in it that is
    # read as a word ("CITRAFLEET") has its own vowels, and a spelled one is written "eh".
    fixed = _letter_a_fixed(token, said, ipa, voice) if letters_of(token) == "A" else ""
    if fixed:
        written = token
        if token == "A":
            # An entry for "A" would change every article; the word before makes it safe.
            written, fixed = f"{context.before} A", f"{context.before} eh"
        yield Finding(
            PROBLEM,
            f'"{context.around(token)}": "{token}" will be heard "{said}" /{ipa}/, with the '
            'letter A said "uh"',
            written=written,
            heard=said,
            sounds=ipa,
            suggestion=_line(written, fixed, 'eSpeak says the letter A as "uh"'),
        )
        return
    letters = re.sub(r"\W", "", token)
    if not untouched and not is_abbreviation_like(letters):
        return  # a rule rewrote it ("500mg", "Stage IV"): the speech-text rules own it
    how, suggestion = "", ""
    if token.isalpha() and len(token) > 1:
        spelled = _spells(token, said, voice)
        how = " as letters" if spelled else " as a word"
        source = capital_source(token) if token.isupper() and not untouched else ESPEAK
        if source in (WORD_LIST, CODES):
            # The policy has a source for this reading (an English word, a listed code):
            # a lexicon line would only break it.
            how += f" ({source})"
        elif spelled:
            suggestion = _checked(token, said, token.lower(), "said as a word, not spelled", voice)
        else:
            suggestion = _checked(token, said, _spelled_form(token), "said letter by letter", voice)
    elif (
        untouched
        and len(letters) > 1
        and sounds(_framed(said), voice) != sounds(_framed(_spelled_form(token)), voice)
    ):
        suggestion = _checked(
            token, said, _spelled_form(token), "said character by character", voice
        )
    yield Finding(
        LISTEN,
        f'"{token}" will be heard{how}: "{said}" /{ipa}/',
        written=token,
        heard=said,
        sounds=ipa,
        suggestion=suggestion,
    )


def letters_of(token: str) -> str:
    """Return the letters and digits of a token, without its quotes, brackets and marks."""
    return re.sub(r"[^\w]", "", token)


def _checked(written: str, said: str, spoken: str, why: str, voice: str) -> str:
    """Return a lexicon line saying `written` as `spoken`, or "" if eSpeak says both the same.

    A line that changes nothing eSpeak says is noise, and staff would trust it to fix something.
    """
    if sounds(_framed(said), voice) == sounds(_framed(spoken), voice):
        return ""
    return _line(written, spoken, why)


def _letter_a_fixed(token: str, said: str, ipa: str, voice: str) -> str:
    """Return a spelling with the letter A said "ay" when eSpeak would say it "uh", else ""."""
    if _SCHWA not in ipa or "A" not in token:
        return ""
    as_letters = ipa.replace(_SCHWA, "e\u026a").replace(" ", "").replace("\u02c8", "")
    as_letters = as_letters.replace("\u02cc", "")
    for candidate in (re.sub(r"(?<![A-Za-z])A(?![a-z])", "eh", said), _spelled_form(token)):
        if (
            candidate != said
            and _ipa(candidate, voice).replace(" ", "").replace("\u02c8", "").replace("\u02cc", "")
            == as_letters
        ):
            return candidate
    return ""


def _spells(token: str, said: str, voice: str) -> bool:
    """Return whether eSpeak says `said` as the letters of `token`, one by one."""
    return sounds(_framed(said), voice) == sounds(_framed(_spelled_form(token)), voice)


def _spelled_form(token: str) -> str:
    # "eh" is the spelling eSpeak NG says as the letter A inside a run of letters.
    return " ".join("eh" if ch in "Aa" else ch.upper() for ch in token if ch.isalnum())


def _lexicon_words(text: str, lang: str, lexicon: Lexicon) -> set[int]:
    """Return the indexes of the words of `text` that a lexicon entry covers, even partly."""
    matched, position = [], 0
    for piece, entry in lexicon.split(text, lang):
        if entry is not None:
            matched.append((position, position + len(piece)))
        position += len(piece)
    return {
        index
        for index, word in enumerate(re.finditer(r"\S+", text))
        if any(start < word.end() and word.start() < end for start, end in matched)
    }


def _framed(text: str) -> str:
    return f"{_FRAME[0]} {text} {_FRAME[1]}"


def _ipa(text: str, voice: str) -> str:
    """Return the IPA eSpeak says for `text` inside a sentence, without the frame's words."""
    words = phonemes(_framed(text), voice, ipa=True).replace(" | ", " ").split()
    return " ".join(words[1:-1])


@cache
def _said(symbol: str, voice: str) -> str:
    return phonemes(symbol, voice, ipa=True)


def _line(written: str, spoken: str, why: str) -> str:
    return f"{written}\t{' '.join(spoken.split())}\t\t{why}"


def is_abbreviation_like(token: str) -> bool:
    """Return whether a word looks like an abbreviation: 2+ capitals, or a capital after a lower."""
    capitals = sum(ch.isupper() for ch in token)
    return capitals >= 2 or re.search(r"[a-z][A-Z]", token) is not None


def _is_lone_letter(letters: str) -> bool:
    # A capital on its own is a letter ("hepatitis B"), except the word "I".
    return len(letters) == 1 and letters.isupper() and letters != "I"


def _mixes_digits(letters: str) -> bool:
    return any(ch.isdigit() for ch in letters) and any(ch.isalpha() for ch in letters)


def _unusual_number(token: str) -> bool:
    # A leading zero, five or more digits, a colon or two points: a phone number, a code, a
    # time or a version that eSpeak would read as one big number.
    if not re.fullmatch(r"\d[\d.,:]*\d", token):
        return False
    digits = sum(ch.isdigit() for ch in token)
    return token[0] == "0" or digits >= 5 or ":" in token or token.count(".") > 1


def _in_section(finding: Finding, heading: str) -> Finding:
    return Finding(**{**finding.__dict__, "section": heading})


def _with_count(finding: Finding, count: int) -> Finding:
    return Finding(**{**finding.__dict__, "count": count})
