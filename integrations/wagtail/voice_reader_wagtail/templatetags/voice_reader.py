"""The template tags: the player on the site's pages, and the audio panel in the editor."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from voice_reader_wagtail import client, conf, names
from voice_reader_wagtail.embed import widget_script
from voice_reader_wagtail.handlers import RENDERING_FOR_VOICE_READER
from voice_reader_wagtail.state import panel_state

register = template.Library()


@register.simple_tag(takes_context=True)
def voice_reader_player(context, page) -> str:
    """Render the player of `page`: the widget's script (with SRI) and the element."""
    request = context.get("request")
    # The copy sent to voice-reader must not read out its own player's "Listen to …" link.
    if getattr(request, RENDERING_FOR_VOICE_READER, False) or not conf.service_url():
        return ""
    name = names.document_name(page)
    if not name:
        return ""
    return render_to_string(
        "voice_reader_wagtail/player.html",
        {
            "script": widget_script(name),
            "name": name,
            "base": conf.service_url(),
            "page_url": client.page_url(name),
            "title": page.title,
        },
    )


@register.simple_tag
def voice_reader_panel(page) -> str:
    """Render the editor's panel: the page's audio state, findings and a player."""
    return render_to_string("voice_reader_wagtail/panel.html", {"panel": panel_state(page)})
