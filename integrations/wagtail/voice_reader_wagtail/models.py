"""What this site last told voice-reader about each page, for the editor's panel."""

from django.db import models


class AudioRecord(models.Model):
    """One page's document at voice-reader, and how the last request about it went."""

    page_id = models.PositiveIntegerField(unique=True)
    """The page's id: not a foreign key, so the record outlives a deleted page's request."""
    name = models.CharField(max_length=255, blank=True)
    """The document's name at voice-reader; empty when it holds none for this page."""
    action = models.CharField(max_length=16)
    """The last request: publish, unpublish, delete or move."""
    ok = models.BooleanField(default=False)
    """Whether voice-reader accepted it."""
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    """The HTTP status it answered; null when it could not be reached."""
    message = models.TextField(blank=True)
    """What went wrong, in words, or "" when it went well."""
    source = models.CharField(max_length=64, blank=True)
    """The version voice-reader gave the last page sent (the PUT's `source`)."""
    at = models.DateTimeField(auto_now=True)
    """When the last request ended."""
    reported_state = models.CharField(max_length=16, blank=True)
    """The document's state in voice-reader's last callback (ready, failed, …); "" if none came."""
    reported_error = models.TextField(blank=True)
    """Why that build failed, in voice-reader's words."""
    reported_source = models.CharField(max_length=64, blank=True)
    """The version the published audio is of, as that callback said."""
    reported_audio = models.BooleanField(default=False)
    """Whether the published version had audio, as that callback said."""
    reported_finished = models.FloatField(null=True, blank=True)
    """When that callback's job ended, on voice-reader's clock: a late older one is not kept."""
    reported_at = models.DateTimeField(null=True, blank=True)
    """When that callback arrived."""

    def __str__(self):
        return f"{self.name or '-'}: {self.action} {'ok' if self.ok else 'failed'}"
