"""What the bundled eSpeak NG says for our spoken text: checked on its own phonemes.

Only sound can show some mistakes: a letter spelled or a word read, "ay" or "uh", digits or a
cardinal number, a symbol named ("slash") or dropped. ASCII phoneme mnemonics: 'eI is "ay",
a# is the weak "uh", h'Vndr is "hundred", sl'aS is "slash".
"""

import pytest

from reader.model import Block
from reader.pipeline.lexicon import Lexicon
from reader.pipeline.phonemes import phonemes
from reader.pipeline.speech import block_sentences, spoken_text
from tests.speech.corpus import load_corpus

CASES = load_corpus()


def heard(text: str, lang: str = "en-GB") -> str:
    """Return the phonemes eSpeak NG says for display `text` after the speech-text stage."""
    voice = "cel/cy" if lang == "cy" else "gmw/en"
    return phonemes(spoken_text(text, lang, Lexicon()), voice)


@pytest.mark.parametrize(
    ("text", "sound"),
    [
        ("Go to A&E now.", "'eI"),
        ("the hepatitis A vaccine", "'eI vaks'i:n"),
        ("vitamin A tablets", "'eI t'abl@ts"),
        ("Your CgA level", "'eI l'Ev@L"),
        ("A&E is open", "'eI"),
        ("5-HIAA", "'eI 'eI"),
    ],
)
def test_a_spelled_letter_a_is_ay_never_uh(text, sound):
    said = heard(text)
    assert sound in said
    assert not said.startswith("a#")


def test_the_article_a_is_still_uh():
    assert heard("A nurse will call.").startswith("a#")


def test_emphasis_capitals_are_words_and_abbreviations_are_letters():
    assert heard("Take ONE tablet TWICE a day.") == phonemes("Take one tablet twice a day.")
    assert heard("the NHS") == phonemes("the N H S")
    assert "'Es" in heard("PSA")


@pytest.mark.parametrize("text", ["call 999", "0808 808 00 00", "text 85258", "call 116 123"])
def test_telephone_numbers_are_digits_never_cardinals(text):
    said = heard(text)
    assert "h'Vndr" not in said and "T'aUz" not in said and "'Ifti" not in said


def test_phone_groups_are_separate_clauses():
    assert heard("0808 808 00 00").count(" | ") == 3


def test_comparison_is_said_not_dropped():
    assert "m'o@ Da#n f'o@" in heard("If your PSA is > 4")


@pytest.mark.parametrize(
    ("text", "sound"),
    [
        ("500mg", "m'IlIgr,amz"),
        ("250ml", "m'IlIl,i:t3z"),
        ("120/80 mmHg", "oUv3"),
        ("IV fluids", "Intr@v'i:n@s"),
        ("stage IV", "f'o@"),
        ("the 1990s", "n'aIntiz"),
        ("£9.90", "p'aUndz"),
    ],
)
def test_units_pressure_numerals_and_money_sound_right(text, sound):
    assert sound in heard(text)


@pytest.mark.parametrize(
    "text", ["200 cells/mm³", "200 cells/mm3", "5 cm³ of water", "measured in mm³", "a 2 m³ room"]
)
def test_a_cubic_unit_is_cubic_never_the_number_three(text):
    # Unhandled, eSpeak NG says "mm³" as "M M three": another number in a blood count.
    said = heard(text)
    assert "kj'u:bIk" in said
    assert "Tr'i:" not in said


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.line}-{c.category}")
def test_no_corpus_sentence_says_slash_roman_or_hash(case):
    said = heard(case.text, case.lang)
    # A web address says "slash" on purpose; nothing else may.
    named = ("r,oUm@n", "h'aS", "'ast@r")
    if case.category != "web and e-mail addresses":
        named += ("sl'aS",)
    assert not [sound for sound in named if sound in said]


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.category == "telephone numbers"], ids=lambda c: str(c.line)
)
def test_no_corpus_phone_number_is_read_as_a_cardinal(case):
    said = heard(case.text, case.lang)
    assert "h'Vndr" not in said and "T'aUz" not in said


def test_capital_words_are_read_as_words_and_codes_as_the_codes_list_says():
    assert heard("ASK your pharmacist.").startswith("'aask")  # not ",eI,Esk'eI", the letters
    assert heard("DO NOT EAT brown bread").split()[1] == "'i:t"
    assert heard("ACE inhibitors").startswith("'eIs ")
    assert heard("CAMHS can help.").startswith("k'amz ")  # said as a word, as its source says
    assert heard("HER2 tests").startswith("h3: t'u:")
    assert heard("MOVIPREP sachets").startswith("m'u:vIpr")  # a brand eSpeak can say
    assert " O@ " in heard("Take tablet A OR tablet B.")  # the word "or", not "oh ar"


def test_slashes_and_written_variants_are_heard_as_their_meaning():
    fever = heard("A temperature of 39°C/102°F or above")
    assert "sl'aS" not in fever and "f'ar@nh" in fever
    assert "gr'i:z s'Els" in heard("Store below 25˚C.")
    assert "d'aS" not in heard("Ages 60 -69 are invited.")
    assert "sl'aS" not in heard("Has a fit / seizure")
    assert heard("Sr Jones").startswith("s'Ist3")


def test_a_quoted_letter_a_is_the_letter():
    said = heard("Choose box 'A' or box 'B'.")
    assert "'eI" in said and "a#_:" not in said


def test_welsh_names_are_said_with_welsh_letter_to_sound_rules():
    # "dd" is /ð/ in Welsh; the English voice says /d/.
    assert phonemes("Gwynedd", "cel/cy", ipa=True).endswith("ð")
    assert not phonemes("Gwynedd", "gmw/en", ipa=True).endswith("ð")


def test_a_name_from_the_commissioners_list_is_heard_with_welsh_rules():
    # "Penrhyndeudraeth" is no hand-picked name: the Commissioner's list gives it. In an English
    # sentence it is its own part, in the Welsh voice, whose "rh" is voiceless /hr/, not /ɹ/.
    block = Block("Take the train to Penrhyndeudraeth today.", "en-GB", "paragraph")
    (sentence,) = block_sentences(block, Lexicon())
    name = next(part for part in sentence.parts if part.lang == "cy")
    assert name.text == "Penrhyndeudraeth"
    welsh = phonemes(name.spoken, "cel/cy", ipa=True)
    assert "hr" in welsh and "ɹ" not in welsh
    assert "ɹ" in phonemes(name.spoken, "gmw/en", ipa=True)  # what the English voice would say
    # A name English shares and says its own way stays in the English voice.
    (english,) = block_sentences(Block("Go to Grangetown.", "en-GB", "paragraph"), Lexicon())
    assert english.parts == () and english.lang == "en-GB"
