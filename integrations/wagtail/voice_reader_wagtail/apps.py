"""The Django app: connects the page signals once the models are loaded."""

from django.apps import AppConfig


class VoiceReaderConfig(AppConfig):
    """voice-reader for Wagtail."""

    name = "voice_reader_wagtail"
    label = "voice_reader_wagtail"
    verbose_name = "voice-reader"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Listen to Wagtail's publish, unpublish, move and delete signals."""
        # Imported here because the handlers import models, which Django allows only once
        # the app registry is ready.
        from voice_reader_wagtail import handlers

        handlers.connect()
