"""The test site's one page type: a health article with a rich-text body."""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class ArticlePage(Page):
    """A health article, as a clinic's site would have."""

    body = RichTextField(blank=True)
    # Wagtail's own pattern: a class attribute each page type extends.
    content_panels = [*Page.content_panels, FieldPanel("body")]  # noqa: RUF012
