"""Time from a Wagtail publish to served audio, on a real Wagtail site and a real reader serve.

Run: .venv/bin/python benchmarks/bench_wagtail.py [--rounds 5] [--engine pyttsx3|fake]

It makes the Wagtail integration's test site (integrations/wagtail/tests/testsite: Wagtail on
SQLite, voice_reader_wagtail installed, as ./scripts/test installs it) and starts `reader serve`
with the real engine (eSpeak NG) on empty folders. Each round publishes a new three-section page
through Wagtail's Python API (`page.save_revision().publish()`), then publishes it again with one
sentence changed, and measures the seconds from the call to publish until voice-reader serves
that version with its audio: the document's `published.source` is the one the PUT answered and
`published.audio` is true (polled every 20 ms), and its manifest is served.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The test site lives beside the integration's tests; it is a folder, not an installed package.
sys.path.insert(0, str(REPO / "integrations" / "wagtail" / "tests"))

from testsite import settings as site_settings  # noqa: E402
from testsite.site import configure  # noqa: E402

configure()

from django.test import override_settings  # noqa: E402
from testsite.editing import add_published  # noqa: E402
from testsite.service import Service, reader_serve  # noqa: E402
from testsite.site import make_site  # noqa: E402
from voice_reader_wagtail.models import AudioRecord  # noqa: E402

POLL_SECONDS = 0.02
BODY = (
    "<p>Hay fever is an allergy to pollen. It is worse between late March and September.</p>"
    "<h2>Symptoms</h2><p>Sneezing, a runny nose and itchy eyes. Some people lose their sense"
    " of smell.</p><h2>Treatment</h2><p>A pharmacist can help. Antihistamine tablets and nasal"
    " sprays work for most people. {edit}</p>"
)
EDITS = ("Keep windows shut on days with a high pollen count.", "Shower after being outside.")


def served(service: Service, page_id: int, started: float, before: str = "") -> float:
    """Wait until voice-reader serves the page's new PUT with audio; return the seconds.

    `before` is the version sent before this publish, which is not the one awaited.
    """
    while True:
        record = AudioRecord.objects.filter(page_id=page_id).first()
        if record is not None and not record.ok and record.action == "publish":
            raise SystemExit(f"voice-reader refused the page: {record.message}")
        if record is not None and record.source and record.source != before:
            answer = service.get(f"/api/v1/documents/{record.name}")
            published = answer.json().get("published") or {} if answer.ok else {}
            if published.get("audio") and published.get("source") == record.source:
                manifest = service.get(f"/api/documents/{record.name}/manifest.json")
                if manifest.status_code == 200:
                    heard = time.perf_counter() - started
                    print(f"  {record.name}: {published['duration']} s of audio in {heard:.3f} s")
                    return heard
        time.sleep(POLL_SECONDS)


def one_round(service: Service, parent, number: int) -> tuple[float, float]:
    """Publish a new page, then an edit of it; return the seconds until each is heard."""
    started = time.perf_counter()
    page = add_published(parent, f"hay-fever-{number}", "Hay fever", BODY.format(edit=EDITS[0]))
    new = served(service, page.pk, started)
    before = AudioRecord.objects.get(page_id=page.pk).source
    page = page.specific
    page.body = BODY.format(edit=EDITS[1])
    started = time.perf_counter()
    page.save_revision().publish()
    edit = served(service, page.pk, started, before)
    return new, edit


def main() -> None:
    """Print the medians of "new page heard" and "edit heard" after a Wagtail publish."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--engine", default="pyttsx3", choices=["pyttsx3", "fake"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            root = make_site()
            parent = add_published(root, "conditions", "Conditions")
            with (
                reader_serve(Path(tmp), engine=args.engine) as service,
                override_settings(VOICE_READER_URL=service.url, VOICE_READER_TOKEN=service.token),
            ):
                parent.save_revision().publish()
                runs = [one_round(service, parent, n) for n in range(args.rounds)]
        finally:
            shutil.rmtree(site_settings.FOLDER, ignore_errors=True)
    new, edit = [r[0] for r in runs], [r[1] for r in runs]
    print(f"Wagtail publish to served audio, engine {args.engine}:")
    print(f"  new page   median {statistics.median(new):.3f} s, fastest {min(new):.3f} s")
    print(f"  edit       median {statistics.median(edit):.3f} s, fastest {min(edit):.3f} s")
    print(f"{args.rounds} rounds; load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
