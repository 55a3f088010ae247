"""Lighthouse's accessibility score of the NETs page and its player, mobile and desktop presets.

Run: python benchmarks/bench_lighthouse.py
Builds content/ with the fake engine, serves it on loopback (as bench_widget.py does) and runs
Lighthouse 12's accessibility category with Debian's Chromium, once with the mobile preset and
once with the desktop one; prints each score and every audit that fails. Lighthouse comes from
npm, outside the project: `npm install --prefix /tmp/lh lighthouse@12` (or set LIGHTHOUSE to its
command). Lighthouse sees only the page as it loads, the player at rest: it cannot press Play or
open More. axe-core covers those states (playing, paused, More, the bubble, the mini-player, a
selection's Listen) in the browser tests. Not part of the test suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_widget import CHROMIUM, nets_page

PRESETS = {"mobile": [], "desktop": ["--preset=desktop"]}
INSTALL = "npm install --prefix /tmp/lh lighthouse@12"


def lighthouse_command() -> str | None:
    """The Lighthouse command: $LIGHTHOUSE, /tmp/lh's, or one on the PATH."""
    for candidate in (os.environ.get("LIGHTHOUSE"), "/tmp/lh/node_modules/.bin/lighthouse"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("lighthouse")


def accessibility(command: str, url: str, preset: list[str]) -> tuple[float, list[str]]:
    """Run Lighthouse's accessibility category on `url`; return its score and failed audits."""
    result = subprocess.run(
        [
            command,
            url,
            "--only-categories=accessibility",
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            *preset,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=False,
    )
    if result.returncode:
        sys.exit(f"lighthouse failed: {(result.stderr.strip().splitlines() or ['no output'])[-1]}")
    report = json.loads(result.stdout)
    category = report["categories"]["accessibility"]
    audits = report["audits"]
    failed = [
        f"{ref['id']}: {audits[ref['id']]['title']}"
        for ref in category["auditRefs"]
        if audits[ref["id"]]["scoreDisplayMode"] in ("binary", "numeric")
        and audits[ref["id"]]["score"] is not None
        and audits[ref["id"]]["score"] < 1
    ]
    return category["score"] * 100, failed


def main() -> None:
    command = lighthouse_command()
    if not command:
        sys.exit(f"Lighthouse is not installed: {INSTALL} (or set LIGHTHOUSE to its command)")
    version = subprocess.run([command, "--version"], capture_output=True, text=True).stdout
    with nets_page() as url:
        for name, preset in PRESETS.items():
            score, failed = accessibility(command, url, preset)
            print(f"Lighthouse {version.strip()} accessibility, {name}: {score:.0f} / 100")
            for audit in failed:
                print(f"  failed: {audit}")


if __name__ == "__main__":
    main()
