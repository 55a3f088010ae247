"""Every setting the integration reads is in its README's table, and nothing else is."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def test_the_readme_documents_exactly_the_settings_the_app_reads():
    code = (PACKAGE / "voice_reader_wagtail" / "conf.py").read_text(encoding="utf-8")
    read = set(re.findall(r'getattr\(settings, "(VOICE_READER_[A-Z_]+)"', code))
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(VOICE_READER_[A-Z_]+)` \|", readme, re.M))
    assert read == documented
    assert {"VOICE_READER_URL", "VOICE_READER_TOKEN"} <= read
