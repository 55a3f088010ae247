"""The rule registry: documented in docs/speech-text.md, and every example holds."""

import re
from pathlib import Path

import pytest

from reader.pipeline.normalise import normalise, tidy
from reader.pipeline.speechtext import LANGUAGES, RULES, welsh_places_build
from reader.pipeline.speechtext.codes import CODES_FILE
from reader.pipeline.speechtext.welsh import LIST_FILE, PLACES_FILE, gazetteer
from tests.speech.corpus import load_corpus

DOCS = Path(__file__).resolve().parents[2] / "docs" / "speech-text.md"
_ROW = re.compile(r"^\| (\d+) \| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \|", re.MULTILINE)


def documented() -> list[tuple[str, str, str]]:
    """Return (name, category, languages) for each row of the docs table, in order."""
    return [(m[2], m[3].strip(), m[4].strip()) for m in _ROW.finditer(DOCS.read_text("utf-8"))]


def test_docs_table_lists_every_rule_in_order():
    expected = [
        (rule.name, rule.category, "all" if rule.neutral else ", ".join(rule.langs))
        for rule in RULES
    ]
    assert documented() == expected


def test_docs_table_shows_each_rules_examples():
    text = DOCS.read_text("utf-8")
    for rule in RULES:
        row = next(line for line in text.splitlines() if f"| `{rule.name}` |" in line)
        for display, spoken in rule.examples:
            assert f"`{display}` → `{spoken}`" in row


def test_rule_names_are_unique_and_every_rule_has_an_example():
    assert len({rule.name for rule in RULES}) == len(RULES)
    assert all(rule.examples and rule.summary for rule in RULES)


@pytest.mark.parametrize(
    ("display", "spoken"),
    [example for rule in RULES for example in rule.examples],
)
def test_every_documented_example_holds(display, spoken):
    assert tidy(normalise(display, "en-GB")) == spoken


def _texts() -> list[str]:
    """Every corpus sentence and rule example, display and spoken, and each unit alone."""
    texts = {case.text for case in load_corpus()}
    for words in LANGUAGES.values():
        texts |= {f"Measured in {unit} or {unit}." for unit in (*words.units, *words.per_units)}
    for rule in RULES:
        for display, spoken in rule.examples:
            texts |= {display, spoken}
    return sorted(texts)


def test_a_rule_skipped_for_lacking_what_it_needs_would_not_change_the_text():
    checked = 0
    for words in (*LANGUAGES.values(), None):
        for rule in RULES:
            if rule.needs is None or not rule.applies_to(words):
                continue
            for text in _texts():
                if not rule.needs.search(text):
                    assert rule.apply(text, words) == text, (rule.name, text)
                    checked += 1
    assert checked > 1000


def test_every_word_pair_has_the_slash_its_rule_needs():
    (rule,) = [rule for rule in RULES if rule.name == "word-pair"]
    for words in LANGUAGES.values():
        assert all(rule.needs.search(written) for written in words.word_pairs)


def test_each_abbreviation_is_found_in_any_sentence():
    (rule,) = [rule for rule in RULES if rule.name == "abbreviation"]
    for words in LANGUAGES.values():
        for written, said in words.abbreviations.items():
            said_here = rule.apply(f"See {written} here and", words)
            assert said.lower() in said_here.lower(), written


def test_every_code_names_the_source_of_its_spoken_form():
    lines = [
        line.split("\t")
        for line in CODES_FILE.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines and all(len(columns) == 3 and columns[2].strip() for columns in lines)
    assert all(written.isupper() and spoken for written, spoken, _ in lines)
    # A source is a page a reviewer can open, not the project's own say-so.
    assert all("http" in source and "Issue 21" not in source for _, _, source in lines)


def test_the_welsh_gazetteer_says_where_its_names_come_from():
    listed = [line for line in LIST_FILE.read_text("utf-8").splitlines() if line.startswith("#")]
    header = "\n".join(listed)
    assert "https://www.welshlanguagecommissioner.wales/standard-welsh-place-names" in header
    assert "Open Government Licence v3.0" in header and "2026-05-22" in header
    assert "Source:" in PLACES_FILE.read_text("utf-8").split("\n\n")[0]


def test_the_welsh_gazetteer_is_the_commissioners_list_not_a_hand_picked_few():
    rows = [
        line.split("\t")
        for line in LIST_FILE.read_text("utf-8").splitlines()
        if line and not line.startswith(("#", "welsh\t"))
    ]
    assert len(rows) > 3000 and all(len(row) == 3 and row[0] and row[2] for row in rows)
    names = gazetteer()
    # Welsh forms, and forms English shares that are built the Welsh way, are read in Welsh.
    assert {"Abertawe", "Cwmbrân", "Penrhyndeudraeth", "Y Felinheli", "Crug-y-bar"} <= names
    # Forms English says its own way are not, nor a name with an English word in it.
    assert not {"Bethesda", "Grangetown", "Llanelli Hill", "Cross Inn", "Dawn"} & names


def test_the_gazetteer_is_rebuilt_from_the_commissioners_csv(tmp_path):
    source = tmp_path / "list.csv"
    source.write_text(
        "\ufeffFfurf safonol,Ffurf safonol arall ,Ffurf Saesneg,Cyfeirnod grid\n"
        "Abertawe,,Swansea,SS6592\n"
        '"Bala, Y",,"Bala, Y",SH9235\n'
        "Aberclydach,,Aberclydach,SN6801\nAberclydach,,Aberclydach,SO1021\n",
        encoding="utf-8",
    )
    target = tmp_path / "welsh_places.tsv"
    target.write_text("# Source: the list\nwelsh\tother\tenglish\nOld\t\tOld\n", encoding="utf-8")
    assert welsh_places_build.rewrite(source, target) == 3  # a row per place name, once
    assert target.read_text("utf-8").splitlines() == [
        "# Source: the list",
        "welsh\tother\tenglish",
        "Abertawe\t\tSwansea",
        "Bala, Y\t\tBala, Y",
        "Aberclydach\t\tAberclydach",
    ]
    assert welsh_places_build.main([str(tmp_path / "missing.csv")]) == 2
