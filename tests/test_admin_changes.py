"""Test what the admin's preview and lexicon show: changed sentences to hear, and kept forms."""

from __future__ import annotations

import re

import pytest

from reader.admin.changes import ADDED, CHANGED, mark
from tests.support.admin_forms import post
from tests.support.staff import SMALL_SLUG, run_worker


def sections(*texts: str) -> list[dict]:
    """Return one preview section with these sentences, each said as written."""
    return [{"sentences": [{"text": t, "spoken": t} for t in texts]}]


def test_mark_finds_added_changed_and_removed_sentences():
    published = [(t, t) for t in ("Title.", "One.", "Two.", "Three.", "Four.")]
    ours = sections("Title.", "One!", "Two.", "New.", "Three.")
    found = mark(ours, published)
    marks = [s["change"] for s in ours[0]["sentences"]]
    assert marks == [None, CHANGED, None, ADDED, None]
    assert [s["number"] for s in ours[0]["sentences"]] == [1, 2, 3, 4, 5]
    assert (found.compared, found.changed, found.removed, found.total) == (True, 2, 1, 5)


def test_a_sentence_said_differently_is_a_change():
    ours = [{"sentences": [{"text": "Take NICE.", "spoken": "Take nyce."}]}]
    assert mark(ours, [("Take NICE.", "Take nice.")]).changed == 1
    assert ours[0]["sentences"][0]["change"] == CHANGED


def test_nothing_to_compare_with_marks_nothing():
    ours = sections("A.", "B.")
    found = mark(ours, None)
    assert not found.compared and found.total == 2
    assert [s["change"] for s in ours[0]["sentences"]] == [None, None]


def preview_of(admin, staff, html: str) -> str:
    """Upload `html` as a new version of the small page; return its preview's address."""
    response = post(
        admin, "/admin/documents/new", {"slug": SMALL_SLUG, "html": html}, "/admin/documents/new"
    )
    assert response.status_code == 303
    run_worker(staff.app)
    return response.headers["Location"]


def test_the_preview_marks_what_changes_and_each_change_can_be_heard(admin, staff):
    post(admin, "/admin/build", {"slug": SMALL_SLUG})
    run_worker(staff.app)
    source = (staff.content_dir / f"{SMALL_SLUG}.html").read_text()
    edited = source.replace("Two sentences.", "Two changed sentences.").replace(
        "The detail.", "The detail. A new sentence."
    )
    url = preview_of(admin, staff, edited)
    page = admin.get(url).get_data(as_text=True)
    assert re.search(r"2 of (\d+) sentences change against the published version", page)
    marked = re.findall(r'<li id="sentence-(\d+)" class="vr-admin-changed">', page)
    assert len(marked) == 2
    assert '<strong class="vr-admin-mark">Changed:</strong>' in page
    assert '<strong class="vr-admin-mark">New:</strong>' in page
    assert f'href="#sentence-{marked[0]}">Go to the first change' in page
    assert f'href="#sentence-{marked[1]}">Next change' in page
    hear = post(admin, url + "/hear", {"sentence": marked[0]}, form=url)
    assert hear.status_code == 303
    assert hear.headers["Location"].endswith(f"#sentence-{marked[0]}")
    waiting = admin.get(hear.headers["Location"]).get_data(as_text=True)
    assert "The clip is being made" in waiting
    run_worker(staff.app)
    ready = admin.get(hear.headers["Location"]).get_data(as_text=True)
    src = re.search(r'<audio controls preload="auto" src="([^"]+)"', ready)[1]
    with admin.get(src) as clip:
        assert clip.status_code == 200 and clip.mimetype == "audio/mpeg" and len(clip.data) > 500
    job = staff.queue.record(src.rsplit("/", 1)[1].removesuffix(".mp3"))
    assert staff.queue.result(job)["spoken"] == "Two changed sentences."
    assert job.args["document"] == SMALL_SLUG


def test_a_new_document_has_nothing_to_compare(admin, staff):
    source = (staff.content_dir / f"{SMALL_SLUG}.html").read_text()
    response = post(
        admin, "/admin/documents/new", {"slug": "other", "html": source}, "/admin/documents/new"
    )
    run_worker(staff.app)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "This adds a new document." in page
    assert "vr-admin-changed" not in page and "sentences change" not in page


@pytest.mark.parametrize(
    "sentence", ["0", "-1", "999", "two", "", "1e3", "9" * 5000, "\u0661", "²"]
)
def test_hearing_a_sentence_that_is_not_there_is_400(admin, staff, sentence):
    source = (staff.content_dir / f"{SMALL_SLUG}.html").read_text()
    url = preview_of(admin, staff, source)
    response = post(admin, url + "/hear", {"sentence": sentence}, form=url)
    assert response.status_code == 400
    assert "Choose a sentence of the preview" in response.get_data(as_text=True)


def test_hear_it_keeps_the_form_and_shows_the_spelling_tried(admin, staff):
    data = {"written": "octreotide", "spoken": "ock tree oh tide", "lang": "en", "why": "a drug"}
    response = post(admin, "/admin/pronunciation/hear", data, form="/admin/pronunciation")
    run_worker(staff.app)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    for name, value in data.items():
        assert f'name="{name}" ' in page
        assert re.search(rf'id="{name}" name="{name}"[^>]* value="{value}"', page), name
    assert 'octreotide</span> said as “<span lang="en">ock tree oh tide</span>”' in page
    assert 'What is said: <span lang="en">The word ock tree oh tide is said' in page


def test_hear_it_while_changing_an_entry_keeps_changing_it(admin, staff):
    data = {"written": "NICE", "spoken": "nyce", "lang": "", "why": "", "replacing": ":NICE"}
    response = post(admin, "/admin/pronunciation/hear", data, form="/admin/pronunciation")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h2>Change an entry</h2>" in page
    assert '<input type="hidden" name="replacing" value=":NICE">' in page
    assert re.search(r'id="spoken" name="spoken"[^>]* value="nyce"', page)


def test_saving_a_word_already_there_opens_that_entry_with_what_was_typed(admin, staff):
    lexicon = staff.content_dir / "lexicon.tsv"
    before = lexicon.read_text()
    data = {"written": "NICE", "spoken": "nyce", "lang": "", "why": "typed here"}
    response = post(admin, "/admin/pronunciation", data, form="/admin/pronunciation")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h2>Change an entry</h2>" in page
    assert "“NICE” is already in the lexicon, said “nice”" in page
    assert '<input type="hidden" name="replacing" value=":NICE">' in page
    assert re.search(r'id="spoken" name="spoken"[^>]* value="nyce"', page)
    assert re.search(r'id="why" name="why"[^>]* value="typed here"', page)
    assert lexicon.read_text() == before
    saved = post(
        admin, "/admin/pronunciation", {**data, "replacing": ":NICE"}, "/admin/pronunciation"
    )
    assert saved.status_code == 303
    assert "NICE\tnyce\t\ttyped here" in lexicon.read_text()


@pytest.mark.parametrize("query", ["check=%C2%B2", "check=" + "9" * 5000, "clip=../x", "clip=zz"])
def test_odd_preview_parameters_are_ignored(admin, staff, query):
    source = (staff.content_dir / f"{SMALL_SLUG}.html").read_text()
    url = preview_of(admin, staff, source)
    response = admin.get(f"{url}?{query}")
    assert response.status_code == 200 and "What will be read aloud" in response.text
