"""Wagtail's page signals, each turned into a request queued for voice-reader."""

from __future__ import annotations

import logging

from django.db.models.signals import pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from voice_reader_wagtail import conf, jobs, names, sending
from voice_reader_wagtail.models import AudioRecord

logger = logging.getLogger(__name__)

RENDERING_FOR_VOICE_READER = "voice_reader_source"
"""Set on the request that renders the copy sent to voice-reader: the player stays out of it."""


def render(page) -> tuple[str | None, str]:
    """Render a page as a visitor would get it; (html, "") or (None, why it failed)."""
    try:
        response = page.make_preview_request(extra_request_attrs={RENDERING_FOR_VOICE_READER: True})
    except Exception as error:
        # The editor's publish has happened: a template error is shown in the panel, not raised.
        logger.exception("voice-reader: page %s did not render", page.pk)
        return None, f"the page did not render: {type(error).__name__}: {error}"
    if response.status_code != 200:
        return None, f"the page did not render: HTTP {response.status_code}"
    return response.content.decode(response.charset or "utf-8"), ""


def on_published(sender, instance, **kwargs) -> None:
    """Send the page just published, as its visitors now see it."""
    name = names.document_name(instance)
    if name is None or not conf.configured():
        return
    html, problem = render(instance)
    if html is None:
        sending.submit(jobs.fail, instance.pk, "publish", problem)
        return
    sending.submit(jobs.publish, instance.pk, name, html, names.source_url(instance))


def on_unpublished(sender, instance, **kwargs) -> None:
    """Unpublish the page's document."""
    if conf.configured():
        sending.submit(jobs.remove, instance.pk, names.document_name(instance), "unpublish")


def on_deleting(sender, instance, **kwargs) -> None:
    """Unpublish the document a deleted page left, though the page was not live.

    Wagtail unpublishes each live page it deletes (descendants too), which on_unpublished
    sends; a page unpublished before, whose DELETE failed, still has a document.
    """
    if not conf.configured() or instance.live:
        return
    if AudioRecord.objects.filter(page_id=instance.pk).exclude(name="").exists():
        sending.submit(jobs.remove, instance.pk, names.document_name(instance), "delete")


def on_path_changed(sender, instance, **kwargs) -> None:
    """Rename the documents of a moved or renamed page and of every page below it.

    Pages moved out of every site have no name any more: their documents are unpublished.
    """
    if not conf.configured():
        return
    if kwargs.get("url_path_before") == kwargs.get("url_path_after", instance.url_path):
        return
    pages = Page.objects.descendant_of(instance, inclusive=True)
    sending.submit(jobs.follow, [(page.pk, names.document_name(page)) for page in pages])


def connect() -> None:
    """Connect the handlers to Wagtail's signals."""
    page_published.connect(on_published, dispatch_uid="voice_reader_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="voice_reader_unpublished")
    # Sent for the base Page row of every page deleted, descendants included, while each
    # still has its URL path; the specific model's row would be a second signal per page.
    pre_delete.connect(on_deleting, sender=Page, dispatch_uid="voice_reader_deleting")
    post_page_move.connect(on_path_changed, dispatch_uid="voice_reader_moved")
    page_slug_changed.connect(on_path_changed, dispatch_uid="voice_reader_slug_changed")
