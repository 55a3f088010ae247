"""Our eSpeak NG phonemes for a Piper voice, each phoneme tied to the word of the text it says.

Piper voices are trained on eSpeak NG's IPA, a clause at a time, each clause followed by its
punctuation. We make that input from the spoken text ourselves, with the bundled eSpeak NG
(reader/pipeline/phonemes.py), so a Piper voice says exactly what the lexicon and the
speech-text rules decided, as the eSpeak NG engine does.

Word timings need to know which phonemes say which word. eSpeak joins some words ("in the" is
"ɪnðə") and splits others ("2018" is three words), so its word breaks are not the text's. Each
word of the text is therefore also phonemised alone, as a guide, and the sentence's sounds are
lined up with the guides' sounds: each sound then belongs to the word whose guide it matched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from reader.pipeline.phonemes import phonemes

WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
"""A word of the spoken text, as the fake engine and eSpeak NG's word events count them."""
_CLAUSE_END = re.compile(r"([,;:.!?])+(?=\s|$)")
_LANGUAGE_SWITCH = re.compile(r"\([^)]*\)")
"""eSpeak NG marks a word said in another language with its name, as "(fr)": not a sound."""
_NOT_SOUNDS = frozenset("\u02c8\u02cc\u0329 |,;:.!?-")
"""Stress marks, word and clause breaks and punctuation: not lined up with the guides."""


@dataclass(frozen=True)
class Phonemised:
    """A text as Piper phonemes, and the word of the text each phoneme says."""

    phonemes: tuple[str, ...]
    """One Unicode code point each (NFD), as Piper's own phonemiser gives them."""
    owners: tuple[int | None, ...]
    """For each phoneme, the index in `words` of the word it says; None for breaks."""
    words: tuple[tuple[int, int], ...]
    """(start, length) of each word in the text."""


def phonemise(text: str, espeak_voice: str) -> Phonemised:
    """Return the Piper phonemes of `text` in `espeak_voice`, each with the word it says."""
    words = [(m.start(), m.end() - m.start()) for m in WORD.finditer(text)]
    found: list[str] = []
    owners: list[int | None] = []
    for clause, start, end, terminator in _clauses(text):
        in_clause = [i for i, (at, _) in enumerate(words) if start <= at < end]
        said = _ipa(clause, espeak_voice)
        if not said.strip():
            continue
        # Piper's training text has a space after a clause's punctuation, and nothing after
        # the sentence's last: several sentences in one text are said as Piper says each.
        tail = terminator + " "
        clause_phonemes = list(unicodedata.normalize("NFD", said + tail))
        guides = _guides([text[words[i][0] : sum(words[i])] for i in in_clause], espeak_voice)
        found.extend(clause_phonemes)
        owners.extend(_owners(clause_phonemes, guides, in_clause))
    if found and found[-1] == " ":
        found.pop()
        owners.pop()
    return Phonemised(tuple(found), tuple(owners), tuple(words))


def _clauses(text: str):
    """Yield (clause, start, end, terminator) for each clause, as eSpeak NG breaks them."""
    start = 0
    for match in _CLAUSE_END.finditer(text):
        yield text[start : match.start()], start, match.end(), match.group(1)
        start = match.end()
    if text[start:].strip():
        # A heading has no full stop; Piper's voices learned to end on one.
        yield text[start:], start, len(text), "."


def _ipa(text: str, espeak_voice: str) -> str:
    """Return eSpeak NG's IPA for a clause, its internal clause breaks made word breaks."""
    said = phonemes(text, espeak_voice, ipa=True).replace(" | ", " ")
    return " ".join(_LANGUAGE_SWITCH.sub("", said).split())


def _guides(words: list[str], espeak_voice: str) -> list[str]:
    """Return the sounds of each word said alone: one eSpeak call, the words as clauses."""
    if not words:
        return []
    said = phonemes(", ".join(words), espeak_voice, ipa=True).split(" | ")
    if len(said) != len(words):
        said = [phonemes(word, espeak_voice, ipa=True) for word in words]
    return [_sounds(unicodedata.normalize("NFD", _LANGUAGE_SWITCH.sub("", s))) for s in said]


def _sounds(ipa: str) -> str:
    return "".join(ch for ch in ipa if ch not in _NOT_SOUNDS)


def _owners(clause: list[str], guides: list[str], word_indexes: list[int]) -> list[int | None]:
    """Give each phoneme of a clause the word whose guide its sound lines up with."""
    sound_at = [i for i, ph in enumerate(clause) if ph not in _NOT_SOUNDS]
    sounds = "".join(clause[i] for i in sound_at)
    guide = "".join(guides)
    guide_word = [w for w, g in zip(word_indexes, guides, strict=True) for _ in g]
    owner_of_sound: list[int | None] = [None] * len(sounds)
    matcher = SequenceMatcher(None, sounds, guide, autojunk=False)
    for op, s1, s2, g1, g2 in matcher.get_opcodes():
        for k in range(s1, s2):
            if op == "equal":
                owner_of_sound[k] = guide_word[g1 + k - s1]
            elif op == "replace":
                owner_of_sound[k] = guide_word[g1 + (k - s1) * (g2 - g1) // (s2 - s1)]
    # A sound no guide has (eSpeak said it differently in the sentence) belongs to the word
    # before it; sounds before the first match, to the first word.
    previous = next((o for o in owner_of_sound if o is not None), None)
    for k, owner in enumerate(owner_of_sound):
        if owner is None:
            owner_of_sound[k] = previous
        previous = owner_of_sound[k]
    owners: list[int | None] = [None] * len(clause)
    for k, index in enumerate(sound_at):
        owners[index] = owner_of_sound[k]
    # A stress mark goes with the sound after it, within the same word break.
    for index in range(len(clause) - 2, -1, -1):
        if clause[index] in "\u02c8\u02cc" and owners[index + 1] is not None:
            owners[index] = owners[index + 1]
    return owners
