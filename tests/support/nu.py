"""The Nu Html Checker (vnu.jar from the npm registry), run over pages the tests fetched."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL = "npm install --no-save vnu-jar@26.9.27 (./scripts/test does)"


def vnu_errors(documents: dict[str, str | bytes], folder: Path) -> list[str]:
    """Check each named document with the Nu Html Checker; return its errors, file:line first."""
    assert VNU.is_file(), f"The Nu Html Checker is missing at {VNU}. Run: {INSTALL}"
    java = shutil.which("java")
    assert java, "java is needed to run the Nu Html Checker (Debian: default-jre-headless)"
    files = []
    for name, html in documents.items():
        path = Path(folder) / f"{name}.html"
        path.write_bytes(html if isinstance(html, bytes) else html.encode("utf-8"))
        files.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stdout)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


def valid_responses(responses: dict, folder: Path) -> list[str]:
    """Check each named test-client response (200 or 400) with the Nu Html Checker."""
    for name, response in responses.items():
        assert response.status_code in (200, 400), name
    return vnu_errors({name: r.get_data() for name, r in responses.items()}, folder)
