"""The web service: serves what the pipeline published, and never synthesises."""
