"""What editors and visitors see: the audio panel in Wagtail's editor, and the site's player."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import requests
from django.test import override_settings
from testsite.editing import add_published, article, panel_of, settle, wait_for_audio
from voice_reader_wagtail.models import AudioRecord

# The Nu Html Checker that ./scripts/test installs for voice-reader's own pages.
REPO = Path(__file__).resolve().parents[3]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_the_editor_panel_shows_the_state_the_audio_and_the_findings(
    reader, site_root, editor_client
):
    guides = add_published(site_root, "guides", "Guides")
    # A heading with nothing under it is one of voice-reader's findings.
    page = add_published(
        guides,
        "hay-fever",
        "Hay fever",
        "<p>Pollen makes you sneeze.</p><h2>Side effects</h2><h2>Dosage</h2><p>One tablet.</p>",
    )
    settle()
    document = wait_for_audio(reader, "guides/hay-fever", findings=True)
    answer = editor_client.get(f"/admin/pages/{page.pk}/edit/")
    assert answer.status_code == 200
    panel = panel_of(answer.content.decode("utf-8"))
    assert 'aria-labelledby="voice-reader-heading"' in panel
    assert '<h2 id="voice-reader-heading"' in panel
    assert "<code>guides/hay-fever</code>" in panel
    assert 'data-voice-reader-state="ready">Published<' in panel
    assert "The version published last has audio" in panel
    assert "data-voice-reader-error" not in panel and "data-voice-reader-unreachable" not in panel
    # Editors listen to the page's whole MP3, as voice-reader serves it.
    audio = re.search(r'<audio controls preload="none" src="([^"]+)"', panel)
    assert audio, panel
    heard = requests.get(html.unescape(audio.group(1)), timeout=10)
    assert heard.status_code == 200 and heard.headers["Content-Type"] == "audio/mpeg"
    assert len(heard.content) > 1000
    link = f'href="{reader.url}/documents/guides/hay-fever"'
    assert link in panel
    findings = document["findings"]
    assert any("Side effects" in finding for finding in findings), findings
    for finding in findings:
        assert f"<li>{html.escape(finding)}</li>" in panel


def test_the_panel_of_a_draft_says_it_is_not_at_voice_reader(reader, site_root, editor_client):
    page = site_root.add_child(instance=article("draft-only", "Draft only"))
    answer = editor_client.get(f"/admin/pages/{page.pk}/edit/")
    panel = panel_of(answer.content.decode("utf-8"))
    assert "<code>draft-only</code>" in panel
    assert 'data-voice-reader-state="none">Not at voice-reader<' in panel
    assert "No audio yet" in panel and "<audio" not in panel


def test_the_template_tag_places_the_snippet_that_reader_embed_snippet_prints(
    reader, site_root, editor_client
):
    parent = add_published(site_root, "advice", "Advice")
    add_published(parent, "sunburn", "Sunburn")
    settle()
    wait_for_audio(reader, "advice/sunburn")
    snippet = reader.reader("embed-snippet", "advice/sunburn", "--base-url", reader.url)
    assert 'integrity="sha384-' in snippet
    page = editor_client.get("/advice/sunburn/")
    assert page.status_code == 200
    assert snippet in page.content.decode("utf-8")


def test_a_site_without_the_settings_sends_nothing_and_the_panel_says_how_to_set_it_up(
    site_root, editor_client
):
    with override_settings(VOICE_READER_URL="", VOICE_READER_TOKEN=""):
        page = add_published(site_root, "unset", "Unset")
        settle()
        assert not AudioRecord.objects.filter(page_id=page.pk).exists()
        panel = panel_of(editor_client.get(f"/admin/pages/{page.pk}/edit/").content.decode())
        assert "voice-reader is not set up" in panel and "VOICE_READER_URL" in panel
        shown = editor_client.get("/unset/").content.decode("utf-8")
        assert "<voice-reader" not in shown and "<script" not in shown


def test_the_panel_and_the_player_on_the_site_are_valid_html(
    reader, site_root, editor_client, tmp_path
):
    assert VNU.is_file(), f"The Nu Html Checker is missing at {VNU}: run ./scripts/test once"
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker (Debian: default-jre-headless)"
    page = add_published(site_root, "valid", "Valid", "<h2>Empty</h2><h2>Full</h2><p>Text.</p>")
    settle()
    wait_for_audio(reader, "valid", findings=True)
    panel = panel_of(editor_client.get(f"/admin/pages/{page.pk}/edit/").content.decode())
    assert "<audio" in panel and "<li>" in panel
    (tmp_path / "panel.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Edit</title></head>'
        f"<body><main>{panel}</main></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "page.html").write_bytes(editor_client.get("/valid/").content)
    files = [str(tmp_path / "panel.html"), str(tmp_path / "page.html")]
    checked = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stdout)["messages"]
    errors = [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == []
