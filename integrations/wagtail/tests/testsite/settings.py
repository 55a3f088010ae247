"""Django settings of the test site: Wagtail on SQLite, voice-reader's app before its admin."""

import tempfile
from pathlib import Path

# One throwaway folder per test run holds the database; the fixtures point the app at a
# reader serve of their own.
FOLDER = Path(tempfile.mkdtemp(prefix="wagtail-site-"))

SECRET_KEY = "tests-only"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "testserver", "127.0.0.1", "cms.example.org"]
INSTALLED_APPS = [
    # Before wagtail.admin: its template adds the audio panel to Wagtail's edit view.
    "voice_reader_wagtail",
    "testsite",
    "wagtail.users",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "testsite.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(FOLDER / "site.sqlite3"),
        # The sending thread writes beside the test's own thread: a transaction takes the
        # write lock when it starts, so neither has to give up a read to upgrade it.
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
STATIC_ROOT = str(FOLDER / "static")
MEDIA_ROOT = str(FOLDER / "media")
USE_TZ = True
WAGTAIL_SITE_NAME = "Clinic"
WAGTAILADMIN_BASE_URL = "http://cms.example.org"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The tests run offline: the admin must not ask the internet for Wagtail's latest release or
# for editors' Gravatar images (a browser test fails on any resource that does not load).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
