"""Word timings: spoken words placed on the display text, and their times in the manifest."""

from __future__ import annotations

import pytest

from reader import manifest as mf
from reader.model import SpokenWord, Utterance
from reader.pipeline.engine import SAMPLE_RATE
from reader.pipeline.fake_engine import FakeEngine
from reader.pipeline.words import display_spans, word_timings
from tests.support.content import NETS

FAKE = FakeEngine(160)


def placed(display: str, spoken: str) -> list[tuple[str, str]]:
    """Say `spoken` with the fake engine; pair each spoken word with its display span."""
    utterance = FAKE.speak(spoken, "gmw/en")
    spans = display_spans(display, utterance.text, utterance.words)
    return [
        (utterance.text[w.start : w.start + w.length], display[lo:hi])
        for w, (lo, hi) in zip(utterance.words, spans, strict=True)
    ]


def test_words_said_as_written_are_their_own_display_words():
    text = "Hormones control how different organs in the body work."
    assert placed(text, text) == [(word, word) for word in text.rstrip(".").split()]


def test_a_token_said_as_several_words_gives_them_all_its_span():
    assert placed("Take 500mg twice a day.", "Take 500 milligrams twice a day.") == [
        ("Take", "Take"),
        ("500", "500mg"),
        ("milligrams", "500mg"),
        ("twice", "twice"),
        ("a", "a"),
        ("day", "day"),
    ]


@pytest.mark.parametrize(
    ("display", "spoken", "expected"),
    [
        ("It lasts 5\u201310 minutes.", "It lasts 5 to 10 minutes.", {"5", "to", "10"}),
        ("About 10% of NETs.", "About 10 per cent of N E Tees.", {"10", "per", "cent"}),
        ("Ask, e.g. your GP.", "Ask, for example your G P.", {"for", "example"}),
        ("On 12/03/2024 only.", "On 12 March 2024 only.", {"12", "March", "2024"}),
    ],
)
def test_normalised_words_take_the_display_token_they_came_from(display, spoken, expected):
    pairs = placed(display, spoken)
    spans = {shown for said, shown in pairs if said in expected}
    assert len(spans) == 1
    (span,) = spans
    assert span in display and " " not in span


def test_spelled_out_capitals_share_the_capital_word():
    pairs = placed("The 5-HIAA test", "The 5 H I A A test")
    assert [shown for said, shown in pairs][1:6] == ["5-HIAA"] * 5


def test_punctuation_around_a_word_is_not_highlighted_but_an_abbreviation_keeps_its_stop():
    pairs = placed('Tumours ("NETs") grow, i.e. spread.', "Tumours (nets) grow, that is spread.")
    assert ("nets", "NETs") in pairs and ("grow", "grow") in pairs
    assert ("that", "i.e.") in pairs


def test_offsets_are_utf16_code_units_as_javascript_counts_them():
    display = "Smile 😀 then rest"  # the emoji is two UTF-16 code units
    utterance = Utterance("Smile then rest", b"", (SpokenWord(0, 0, 5), SpokenWord(441, 11, 4)))
    words = word_timings(display, utterance, 1.0)
    assert words[0] == (1.0, 0, 5)
    start, offset, length = words[1]
    assert start == pytest.approx(1.0 + 441 / SAMPLE_RATE, abs=0.005)
    assert display.encode("utf-16-le")[offset * 2 : (offset + length) * 2].decode("utf-16-le") == (
        "rest"
    )


def test_the_fake_engine_gives_each_word_a_time_inside_its_audio():
    utterance = FAKE.speak("Take the tablets with water, twice a day.", "gmw/en")
    said = [utterance.text[w.start : w.start + w.length] for w in utterance.words]
    assert said == ["Take", "the", "tablets", "with", "water", "twice", "a", "day"]
    samples = [w.sample for w in utterance.words]
    assert samples == sorted(samples) and len(set(samples)) == len(samples)
    assert samples[0] > 0 and samples[-1] < len(utterance.pcm) // 2


def test_every_published_sentence_has_word_timings_inside_it(published):
    manifest = mf.load_manifest(published.out_dir, NETS)
    for section in manifest.sections:
        for sentence in section.sentences:
            assert sentence.words, sentence.text
            starts = [start for start, _, _ in sentence.words]
            assert starts == sorted(starts)
            assert sentence.start <= starts[0] and starts[-1] <= sentence.end
            units = sentence.text.encode("utf-16-le")
            for _, offset, length in sentence.words:
                shown = units[offset * 2 : (offset + length) * 2].decode("utf-16-le")
                assert shown.strip() == shown and shown, sentence.text


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([[50, 0, 3], [-10, 1, 3]], "out of order"),
        ([[9900, 0, 3]], "outside its sentence"),
        ([[50, 0, 999]], "outside the sentence text"),
        ([[50, 0, 0]], "outside the sentence text"),
        ([[50, 0]], "three whole numbers"),
        ([[0.5, 0, 3]], "three whole numbers"),
    ],
)
def test_bad_word_timings_are_refused_with_where_they_are(published, steps, message):
    data = mf.load_manifest(published.out_dir, NETS).to_dict()
    data["sections"][1]["sentences"][0]["words"] = steps
    with pytest.raises(mf.ManifestError, match=f"sections\\[1\\].sentences\\[0\\].*{message}"):
        mf.Manifest.from_dict(data)


def test_words_are_written_as_steps_and_read_back_as_times(published):
    manifest = mf.load_manifest(published.out_dir, NETS)
    sentence = next(s for sec in manifest.sections for s in sec.sentences if len(s.words) > 2)
    steps = sentence.to_dict()["words"]
    assert all(type(n) is int for step in steps for n in step)
    assert mf.Sentence.from_dict(sentence.to_dict()).words == sentence.words
    # Steps add up to the times and spans: centiseconds on from the sentence start, text units.
    time, end = int(sentence.start * 100 + 0.5), 0
    for (step, gap, length), (start, offset, same_length) in zip(
        steps, sentence.words, strict=True
    ):
        time += step
        assert start == pytest.approx(time / 100, abs=0.001)
        assert (offset, length) == (end + gap, same_length)
        end = offset + length


def test_a_sentence_without_words_is_still_a_valid_manifest(published):
    data = mf.load_manifest(published.out_dir, NETS).to_dict()
    del data["sections"][1]["sentences"][0]["words"]
    assert mf.Manifest.from_dict(data).sections[1].sentences[0].words is None
