"""Start Django with the test site's settings, and make its database and site tree."""

from __future__ import annotations

import django
from django.conf import settings

from testsite import settings as site_settings

PASSWORD = "correct horse battery staple"


def configure() -> None:
    """Configure Django with the test site's settings, once per process."""
    if not settings.configured:
        settings.configure(
            **{name: getattr(site_settings, name) for name in dir(site_settings) if name.isupper()}
        )
        django.setup()


def make_site():
    """Migrate a new database; make the site's root page and an editor; return the root."""
    # Imported once Django is set up: models cannot be imported before.
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from wagtail.models import Page, Site

    from testsite.models import ArticlePage

    call_command("migrate", verbosity=0)
    root = Page.get_first_root_node().add_child(
        instance=ArticlePage(title="Clinic", slug="clinic", body="<p>Welcome.</p>")
    )
    Site.objects.all().delete()
    Site.objects.create(hostname="cms.example.org", port=80, root_page=root, is_default_site=True)
    User.objects.create_superuser("editor", "editor@example.org", PASSWORD)
    return root
