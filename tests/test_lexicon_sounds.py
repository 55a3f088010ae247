"""The shipped medical lexicon, heard through the bundled eSpeak NG's own phonemes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.pipeline.lexicon import Entry, Lexicon, load_lexicon
from reader.pipeline.phonemes import phonemes, same_sound, sounds
from reader.pipeline.speech import spoken_text

CONTENT = Path(__file__).resolve().parents[1] / "content"
SHIPPED = load_lexicon(CONTENT, "no-such-document")
ENTRIES = SHIPPED.entries
LETTERS = re.compile(r"(?:[A-Z0-9]|eh)(?:,? (?:[A-Z0-9]|eh))+|[A-Z] E Tees")
"""A spoken form that spells letters: "E C G", "D N eh C P R", "M E, C F S"."""
ELEMENTS = ("lutetium", "gallium", "indium", "yttrium", "fluorine", "iodine", "technetium")
SCHWA = "\u0250"
"""IPA for the "uh" eSpeak says for the article "a": never wanted in a spelled run."""


def ids(entry: Entry) -> str:
    return entry.written


def plain_reading(written: str) -> str:
    """What the reader would say for `written` without any lexicon entry."""
    return spoken_text(written, "en-GB", Lexicon())


def spelled(written: str) -> str:
    return " ".join(ch for ch in written if ch.isalnum())


def heard(text: str) -> tuple[str, str]:
    """The sounds of `text` alone (a heading) and inside a sentence: eSpeak reads them apart."""
    return sounds(text), sounds(f"The {text} team said so.")


def test_the_starter_lexicon_covers_the_kinds_of_term_staff_meet():
    written = {entry.written for entry in ENTRIES}
    assert {"NICE", "PALS", "PICC", "PEG", "TENS", "COVID"} <= written
    assert {"ECG", "DNACPR", "octreotide", "lanreotide", "capecitabine"} <= written
    assert {"Lu-177", "177Lu", "Ga-68", "68Ga", "In-111", "Y-90", "F-18", "DOTATATE"} <= written
    assert len(ENTRIES) >= 80


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_every_entry_says_why_it_is_there(entry):
    assert len(entry.why.split()) >= 3, f"{entry.origin}: the why column is empty or too short"


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_every_entry_changes_what_is_heard(entry):
    # An entry that sounds like eSpeak alone, the plain pipeline and the spelled letters
    # is dead weight: it only hides the next real problem from `reader check`.
    with_entry = heard(entry.spoken)
    without = {heard(entry.written), heard(plain_reading(entry.written))}
    if entry.written.isupper():
        without.add(heard(spelled(entry.written)))
    assert without - {with_entry}, f"{entry.origin}: {entry.written!r} sounds the same without it"


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_every_respelling_is_said_as_words_without_symbols(entry):
    assert re.fullmatch(r"[\w' ,.-]+", entry.spoken), entry.spoken
    assert "slash" not in plain_reading(entry.spoken)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if LETTERS.fullmatch(e.spoken)], ids=ids)
def test_spelled_entries_name_every_letter_and_never_say_uh(entry):
    said = phonemes(entry.spoken, ipa=True)
    assert SCHWA not in said, f"{entry.written}: a letter A is said 'uh': {said}"
    # eSpeak reads these as a word, or the plain rules spell them with an "uh".
    without = {heard(entry.written), heard(plain_reading(entry.written))}
    assert without - {heard(entry.spoken)}


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if e.written.isupper() and not LETTERS.fullmatch(e.spoken)],
    ids=ids,
)
def test_acronyms_said_as_words_are_not_spelled(entry):
    alone, in_a_sentence = heard(entry.spoken)
    assert alone != heard(spelled(entry.written))[0]
    assert in_a_sentence != heard(spelled(entry.written))[1]


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if e.written[0].islower() and not LETTERS.fullmatch(e.spoken)],
    ids=ids,
)
def test_respelled_words_fix_what_espeak_says(entry):
    assert not same_sound(entry.spoken, entry.written)


@pytest.mark.parametrize(
    ("written", "heard"),
    [
        ("NICE", "naɪs"),
        ("PICC", "pɪk"),
        ("PEG", "pɛɡ"),
        ("COVID", "kɒvɪd"),
        ("ECG", "iːsiːdʒiː"),
        ("DNACPR", "diːɛneɪsiːpiːɑː"),
        ("octreotide", "ɒktɹiːətaɪd"),
        ("Octreotide", "ɒktɹiːətaɪd"),
        ("paracetamol", "paɹəsiːtɐmɒl"),
        ("a PET scan", "ɐpɛtskan"),
        ("a PET/CT scan", "ɐpɛtsiːtiːskan"),
        ("CAPTEM", "kaptəm"),
    ],
)
def test_key_terms_sound_as_intended(written, heard):
    assert sounds(spoken_text(written, "en-GB", SHIPPED)) == heard


@pytest.mark.parametrize(
    ("written", "element"),
    [
        ("Lu-177", "lutetium 177"),
        ("177Lu", "lutetium 177"),
        ("Lu177", "lutetium 177"),
        ("Ga-68", "gallium 68"),
        ("68Ga", "gallium 68"),
        ("In-111", "indium 111"),
        ("Y-90", "yttrium 90"),
        ("F-18", "fluorine 18"),
        ("I-131", "iodine 131"),
    ],
)
def test_isotopes_are_read_as_the_element_and_its_mass(written, element):
    said = spoken_text(f"Treatment with {written} is given.", "en-GB", SHIPPED)
    assert said == f"Treatment with {element} is given."
    assert same_sound(said, f"Treatment with {element} is given.")
    assert any(name in said for name in ELEMENTS)


def test_a_compound_tracer_reads_as_separate_words():
    said = phonemes(spoken_text("68Ga-DOTATATE PET", "en-GB", SHIPPED), ipa=True)
    assert said.split()[-2:] == phonemes("dotatate pet", ipa=True).split()
