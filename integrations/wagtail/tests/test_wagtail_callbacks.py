"""voice-reader's callbacks at the site: signed, checked, kept, and shown in the editor's panel."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client, override_settings
from testsite.callbacks import CALLBACK, SECRET, payload, post, signature
from testsite.editing import AUDIO_SECONDS, add_published, article, panel_of, settle
from testsite.live import live_site
from testsite.service import free_port
from voice_reader_wagtail.models import AudioRecord


@pytest.fixture
def receiver(site_root):
    """Return a client that, as voice-reader does, holds no CSRF token; with the secret set."""
    with override_settings(VOICE_READER_SIGNING_SECRET=SECRET):
        yield Client(enforce_csrf_checks=True, HTTP_HOST="cms.example.org")


def test_a_signed_callback_is_kept_for_the_page_and_a_late_older_one_is_not(receiver, site_root):
    page = site_root.add_child(instance=article("cb", "Cb"))
    answer = post(receiver, json.dumps(payload("cb", finished=2000.0)).encode())
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"recorded": "cb"}
    record = AudioRecord.objects.get(page_id=page.pk)
    assert (record.reported_state, record.reported_source, record.reported_audio) == (
        "ready",
        "abc123",
        True,
    )
    # A retry of an earlier build's callback, arriving late, does not undo the newer outcome.
    late = post(receiver, json.dumps(payload("cb", "failed", finished=1000.0)).encode())
    assert late.status_code == 200
    assert AudioRecord.objects.get(page_id=page.pk).reported_state == "ready"
    newer = post(receiver, json.dumps(payload("cb", "failed", finished=3000.0)).encode())
    assert newer.status_code == 200
    record = AudioRecord.objects.get(page_id=page.pk)
    assert (record.reported_state, record.reported_error) == ("failed", "engine down")


@pytest.mark.parametrize(
    "sign",
    ["", "sha256=" + "0" * 64, "sha256=abc", "sha1=whatever", "sha256=é", "wrong-secret"],
)
def test_a_callback_without_the_right_signature_is_refused_with_403(receiver, sign):
    body = json.dumps(payload("home")).encode()
    if sign == "wrong-secret":
        sign = signature(body, "vrs_another")
    answer = post(receiver, body, sign=sign)
    assert answer.status_code == 403
    assert "X-Voice-Reader-Signature" in answer.json()["error"]


def test_a_site_without_a_signing_secret_refuses_every_callback(site_root):
    body = json.dumps(payload("home")).encode()
    answer = post(Client(HTTP_HOST="cms.example.org"), body)
    assert answer.status_code == 403
    assert "VOICE_READER_SIGNING_SECRET" in answer.json()["error"]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"event": "exploded"}', "event must be one of"),
        (b'{"event": "built", "document": "home"}', "document must be"),
        (b'{"event": "built", "document": {"slug": 7}}', "document.slug"),
        (b'{"event": "built", "document": {"slug": "home"}, "job": {"finished": "x"}}', "finished"),
        (b'{"event": "built", "document": null, "job": null}', "names no document"),
    ],
)
def test_a_signed_body_that_is_not_a_callback_is_refused_with_400(receiver, body, said):
    answer = post(receiver, body)
    assert answer.status_code == 400
    assert said in answer.json()["error"]


def test_a_callback_for_a_document_that_is_no_page_here_is_404_and_a_get_is_405(receiver):
    answer = post(receiver, json.dumps(payload("no/such/page")).encode())
    assert answer.status_code == 404
    assert "no/such/page" in answer.json()["error"]
    assert receiver.get(CALLBACK).status_code == 405


def test_voice_reader_calls_back_and_the_panel_shows_ready_while_it_is_down(
    reader, site_root, editor_client
):
    with (
        live_site() as live,
        override_settings(
            VOICE_READER_CALLBACK_URL=live.url + CALLBACK,
            VOICE_READER_SIGNING_SECRET=reader.secret,
        ),
    ):
        page = add_published(site_root, "called-back", "Called back")
        settle()
        deadline = time.monotonic() + AUDIO_SECONDS
        record = AudioRecord.objects.get(page_id=page.pk)
        while record.reported_state != "ready":
            assert time.monotonic() < deadline, f"no callback arrived: {record.__dict__}"
            time.sleep(0.05)
            record.refresh_from_db()
    assert record.ok and record.name == "called-back"
    assert record.reported_audio and record.reported_source == record.source
    # voice-reader is down as the editor opens the page: the panel still knows the outcome.
    with override_settings(VOICE_READER_URL=f"http://127.0.0.1:{free_port()}"):
        panel = panel_of(editor_client.get(f"/admin/pages/{page.pk}/edit/").content.decode())
    assert "data-voice-reader-unreachable" in panel
    assert 'data-voice-reader-state="ready">Published (as voice-reader last reported)<' in panel
    assert 'data-voice-reader-reported="ready">Published, ' in panel
    assert "The version published last has audio" in panel
