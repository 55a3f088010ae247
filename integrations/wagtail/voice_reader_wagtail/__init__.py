"""Send Wagtail pages to voice-reader on publish, and show their audio in the editor."""
