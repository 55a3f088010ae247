"""The test site's addresses: Wagtail's admin and its pages."""

from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # voice-reader's callbacks: the optional fourth step of the package's set-up.
    path("voice-reader/", include("voice_reader_wagtail.urls")),
    path("", include(wagtail_urls)),
]
