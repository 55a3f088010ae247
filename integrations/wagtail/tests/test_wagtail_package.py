"""The package stands alone on a CMS's server, and documents every setting it reads."""

from __future__ import annotations

import ast
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


def test_the_package_imports_nothing_of_the_reader_itself():
    # It runs on the CMS's server, which talks to voice-reader through the content API only.
    imported = set()
    for path in (PACKAGE / "voice_reader_wagtail").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert "reader" not in imported and "wagtail" in imported
