"""A page's document name: its URL path below its site's root page."""

from __future__ import annotations

import unicodedata

from wagtail.models import Page, Site

from voice_reader_wagtail import conf


def document_name(page) -> str | None:
    """Return the name of `page`'s document, e.g. "conditions/fever"; None if it has none.

    Wagtail's url_path `/home/conditions/fever/` under the site root `/home/` is
    `conditions/fever`. The site's root page itself is VOICE_READER_ROOT_NAME ("home"), or
    not sent at all when that is None. A page in no site is not sent.
    """
    site = page.get_site()
    if site is None:
        return None
    root_path = site.root_page.url_path
    if not page.url_path.startswith(root_path):
        return None
    name = page.url_path[len(root_path) :].strip("/")
    if not name:
        name = conf.root_name()
        if not name:
            return None
    # voice-reader's names are lower case and NFC, as a URL path a browser sends is; Wagtail
    # lets editors type capitals in a slug.
    return unicodedata.normalize("NFC", name).lower()


def source_url(page) -> str | None:
    """Return the page's public address, which voice-reader resolves its links against."""
    return page.get_full_url()


def page_for(name: str):
    """Return the page whose document is `name`, or None: the inverse of document_name."""
    for site in Site.objects.select_related("root_page"):
        root = site.root_page
        if name == conf.root_name():
            candidates = [root]
        else:
            url_path = f"{root.url_path}{name}/"
            candidates = Page.objects.filter(url_path__iexact=url_path)
        for page in candidates:
            if document_name(page) == name:
                return page
    return None
