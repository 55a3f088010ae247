"""Tests for reader.pipeline.normalise: display text → words eSpeak NG says right."""

import pytest

from reader.pipeline.normalise import is_speakable, normalise, spell_out, tidy


def say(text: str, lang: str = "en-GB") -> str:
    return tidy(normalise(text, lang))


def test_trademark_symbols_are_silent():
    assert say("Sutent® and Afinitor™ ©Macmillan") == "Sutent and Afinitor Macmillan"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Reviewed: 30/06/2018", "Reviewed: 30 June 2018"),
        ("Next review: 31/12/2020", "Next review: 31 December 2020"),
        ("on 1/2/2021.", "on 1 February 2021."),
        ("on 05.11.2019", "on 5 November 2019"),
        ("on 2018-06-30", "on 30 June 2018"),
    ],
)
def test_day_month_year_dates_are_said_as_dates(text, said):
    assert say(text) == said


def test_impossible_dates_are_left_for_check():
    assert say("06/30/2018") == "06/30/2018"


def test_eg_and_ie_are_expanded():
    assert say("tests, e.g. scans, i.e. pictures") == "tests, for example scans, that is pictures"
    assert say("E.g. this. I.e. that.") == "For example this. That is that."


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("5-10 hours", "5 to 10 hours"),
        ("5\u201310 hours", "5 to 10 hours"),
        ("5 \u2013 10 hours", "5 to 10 hours"),
        ("2.5-3.5 mg", "2.5 to 3.5 milligrams"),
    ],
)
def test_number_ranges_are_said_with_to(text, said):
    assert say(text) == said


def test_phone_numbers_are_not_ranges():
    assert say("Call 0808-808-0000") == "Call 0 8 0 8, 8 0 8, 0 0 0 0"


def test_hyphenated_words_stay_words():
    assert say("x-rays and high-energy x-ray") == "x-rays and high-energy x-ray"


def test_number_hyphen_capitals_are_spelled_out():
    assert say("a 5-HIAA test") == "a 5 H I eh eh test"
    # COVID is no dictionary word: codes.tsv says it is read as one.
    assert say("COVID-19") == "covid 19"


def test_short_all_capital_words_are_spelled_out():
    assert say("the NHS and your GP") == "the N H S and your G P"
    assert spell_out("MDT") == "M D T"


def test_known_words_are_words_in_lower_case_and_mixed_case_is_left_alone():
    # Lower case: eSpeak NG spells some capital words inside a sentence ("ASK" as "A S K").
    assert say("NICE says do NOT stop") == "nice says do not stop"
    assert say("ASK your pharmacist") == "ask your pharmacist"
    assert say("CgA and IntronA") == "C g eh and IntronA"
    assert say("ABCDEF") == "eh B C D E F"
    assert say("IMPORTANT") == "important"
    assert say("A I") == "A I"


def test_symbols_are_said_as_words():
    assert say("10% of people") == "10 per cent of people"
    assert say("A&E at 37°C") == "eh and E at 37 degrees Celsius"


def test_welsh_uses_welsh_words():
    assert say("30/06/2018, e.e. 5-10%", "cy") == "30 Mehefin 2018, er enghraifft 5 i 10 y cant"
    # English abbreviations are not expanded in Welsh text.
    assert say("e.g.", "cy") == "e.g."


def test_other_languages_get_only_neutral_rules():
    assert say("Sutent® le 30/06/2018, e.g. NHS", "fr") == "Sutent le 30/06/2018, e.g. N H S"


def test_is_speakable():
    assert is_speakable("a") and is_speakable("5")
    assert not is_speakable("… — !")


def test_tidy_collapses_spaces_left_by_removed_symbols():
    assert tidy("Sutent ( ) ,  ok ") == "Sutent (), ok"
