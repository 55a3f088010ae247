"""Helpers that tests import: constants, content builders and browser utilities (no fixtures)."""
