"""A real Wagtail site publishes, moves, unpublishes and deletes pages on a real reader serve."""

from __future__ import annotations

import socket
import time

from django.test import override_settings
from testsite.editing import add_published, article, settle, wait_for_audio
from testsite.service import free_port
from voice_reader_wagtail.models import AudioRecord
from wagtail.models import Page


def test_a_published_page_is_served_with_audio_under_its_url_path(reader, site_root):
    conditions = add_published(site_root, "conditions", "Conditions")
    fever = add_published(
        conditions,
        "fever",
        "Fever",
        '<h2>Treatment</h2><p>Drink water. <a href="/conditions/flu/">Read about flu</a>.</p>',
    )
    settle()
    record = AudioRecord.objects.get(page_id=fever.pk)
    assert (record.name, record.action, record.ok) == ("conditions/fever", "publish", True)
    document = wait_for_audio(reader, "conditions/fever", record.source)
    assert document["title"] == "Fever"
    manifest = reader.get("/api/documents/conditions/fever/manifest.json").json()
    assert [s["heading"] for s in manifest["sections"]] == ["Fever", "Treatment"]
    assert all(section["audio"] for section in manifest["sections"])
    page = reader.get("/documents/conditions/fever")
    assert page.status_code == 200
    # Sent with its public address: its own links lead back to the clinic's site.
    assert 'href="http://cms.example.org/conditions/flu/"' in page.text
    assert 'href="http://cms.example.org/conditions/fever/"' in page.text
    # The copy sent is the page as rendered, without the player that page itself shows.
    sent = [p.read_text("utf-8") for p in reader.content_dir.glob("*.html")]
    [stored] = [text for text in sent if "<title>Fever</title>" in text]
    assert "<nav>" in stored and "<voice-reader" not in stored


def test_the_site_root_page_is_sent_as_home(reader, site_root):
    site_root.save_revision().publish()
    settle()
    assert AudioRecord.objects.get(page_id=site_root.pk).name == "home"
    wait_for_audio(reader, "home")


def test_a_moved_page_is_renamed_with_its_children_and_the_old_address_redirects(reader, site_root):
    clinics = add_published(site_root, "clinics", "Clinics")
    asthma = add_published(clinics, "asthma", "Asthma clinic")
    inhalers = add_published(asthma, "inhalers", "Inhalers")
    services = add_published(site_root, "services", "Services")
    settle()
    wait_for_audio(reader, "clinics/asthma/inhalers")
    asthma.move(services, pos="last-child")
    settle()
    assert AudioRecord.objects.get(page_id=asthma.pk).name == "services/asthma"
    assert AudioRecord.objects.get(page_id=inhalers.pk).name == "services/asthma/inhalers"
    for old, new in [
        ("clinics/asthma", "services/asthma"),
        ("clinics/asthma/inhalers", "services/asthma/inhalers"),
    ]:
        assert reader.get(f"/documents/{new}").status_code == 200
        wait_for_audio(reader, new)
        moved = reader.get(f"/documents/{old}")
        assert moved.status_code == 301
        assert moved.headers["Location"].endswith(f"/documents/{new}")


def test_a_page_moved_out_of_every_site_is_unpublished_with_its_children(reader, site_root):
    parent = add_published(site_root, "old-advice", "Old advice")
    child = add_published(parent, "colds", "Colds")
    settle()
    wait_for_audio(reader, "old-advice/colds")
    # Beside the site's root page, under the tree's own root: in no site at all.
    archive = Page.get_first_root_node().add_child(instance=article("archive", "Archive"))
    Page.objects.get(pk=parent.pk).move(archive, pos="last-child")
    settle()
    for name in ("old-advice", "old-advice/colds"):
        assert reader.get(f"/documents/{name}").status_code == 410
    for page in (parent, child):
        record = AudioRecord.objects.get(page_id=page.pk)
        assert (record.name, record.action, record.ok) == ("", "move", True)


def test_a_new_slug_renames_the_document_on_publish(reader, site_root):
    page = add_published(site_root, "flu_jab", "Flu jab")
    settle()
    wait_for_audio(reader, "flu_jab")
    page = page.specific
    page.slug = "flu-vaccine"
    page.save_revision().publish()
    settle()
    assert AudioRecord.objects.get(page_id=page.pk).name == "flu-vaccine"
    wait_for_audio(reader, "flu-vaccine")
    assert reader.get("/documents/flu_jab").status_code == 301


def test_an_unpublished_page_is_gone(reader, site_root):
    page = add_published(site_root, "rashes", "Rashes")
    settle()
    wait_for_audio(reader, "rashes")
    page.unpublish()
    settle()
    assert reader.get("/documents/rashes").status_code == 410
    record = AudioRecord.objects.get(page_id=page.pk)
    assert (record.name, record.action, record.ok) == ("", "unpublish", True)
    # Published again, it is back.
    page.save_revision().publish()
    settle()
    wait_for_audio(reader, "rashes")
    assert reader.get("/documents/rashes").status_code == 200


def test_a_deleted_page_and_its_children_are_gone(reader, site_root):
    parent = add_published(site_root, "leaflets", "Leaflets")
    child = add_published(parent, "sleep", "Sleep")
    settle()
    wait_for_audio(reader, "leaflets/sleep")
    ids = [parent.pk, child.pk]
    Page.objects.get(pk=parent.pk).delete()
    settle()
    for name in ("leaflets", "leaflets/sleep"):
        assert reader.get(f"/documents/{name}").status_code == 410
    assert not AudioRecord.objects.filter(page_id__in=ids).exists()


def test_a_publish_succeeds_while_voice_reader_is_down_and_the_panel_says_why(
    reader, site_root, editor_client
):
    closed = f"http://127.0.0.1:{free_port()}"
    with override_settings(VOICE_READER_URL=closed):
        page = add_published(site_root, "coughs", "Coughs")
        settle()
        assert Page.objects.get(pk=page.pk).live
        record = AudioRecord.objects.get(page_id=page.pk)
        assert (record.action, record.ok, record.status) == ("publish", False, None)
        assert f"voice-reader could not be reached at {closed}" in record.message
        panel = editor_client.get(f"/admin/pages/{page.pk}/edit/")
        assert panel.status_code == 200
        assert b"data-voice-reader-error" in panel.content
        assert b"data-voice-reader-unreachable" in panel.content
    # Once voice-reader answers, publishing again sends it.
    page.save_revision().publish()
    settle()
    assert AudioRecord.objects.get(page_id=page.pk).ok
    wait_for_audio(reader, "coughs")


def test_a_page_voice_reader_refuses_keeps_its_publish_and_records_the_problems(reader, site_root):
    # A page over voice-reader's 2 MB limit is refused with 413.
    page = add_published(site_root, "huge", "Huge", "<p>Drink water.</p>" * 120_000)
    settle()
    record = AudioRecord.objects.get(page_id=page.pk)
    assert Page.objects.get(pk=page.pk).live
    assert not record.ok and record.status == 413, record.message
    assert record.message.startswith("HTTP 413: "), record.message


def test_slugs_wagtail_accepts_are_sent_as_lower_case_names(reader, site_root):
    pages = [
        add_published(site_root, "Upper-Case", "Upper case"),
        add_published(site_root, "café-info", "Café information"),
    ]
    settle()
    names = [AudioRecord.objects.get(page_id=page.pk).name for page in pages]
    assert names == ["upper-case", "café-info"]
    for name in names:
        wait_for_audio(reader, name)
        assert reader.get(f"/documents/{name}").status_code == 200


def test_the_callback_url_the_site_sets_is_sent_with_each_page(reader, site_root):
    # This reader allows callbacks to 127.0.0.1 only, so naming another host is refused, and
    # says why.
    with override_settings(VOICE_READER_CALLBACK_URL="https://cms.example.org/voice-reader/"):
        page = add_published(site_root, "called", "Called")
        settle()
    record = AudioRecord.objects.get(page_id=page.pk)
    assert (record.ok, record.status) == (False, 422)
    assert "callback_url" in record.message, record.message


def test_a_publish_does_not_wait_for_a_voice_reader_that_never_answers(reader, site_root):
    # A server that accepts connections and says nothing: the worst a hung service does.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with override_settings(VOICE_READER_URL=url, VOICE_READER_TIMEOUT=1):
            started = time.monotonic()
            page = add_published(site_root, "hung", "Hung")
            published_in = time.monotonic() - started
            settle()
    assert published_in < 1, published_in
    record = AudioRecord.objects.get(page_id=page.pk)
    assert (record.ok, record.status) == (False, None)
    assert "ReadTimeout" in record.message, record.message
