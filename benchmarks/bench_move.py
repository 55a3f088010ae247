"""Time a move through the content API: the document keeps its audio, nothing is synthesised.

Run: .venv/bin/python benchmarks/bench_move.py [--rounds 21]

It builds NETs (the largest shipped page) with the fake engine into a temporary folder, makes
an API token, and moves the document back and forth between two path names
(`conditions/neuroendocrine-tumours` and `cancer/nets`) through the API in this process, as a
CMS would on a page move. Prints the median and slowest move, the audio files and bytes kept
(the same each round, as no audio is made again), and the 301 of the old address.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from reader import create_app
from reader import manifest as mf
from reader.pipeline.build import BuildOptions, build_documents

REPO = Path(__file__).resolve().parents[1]
SLUG = "neuroendocrine-tumours"
NAMES = ("conditions/neuroendocrine-tumours", "cancer/nets")


def main() -> None:
    """Build NETs, then time moves between two names; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        content, build = root / "content", root / "build"
        content.mkdir()
        shutil.copyfile(REPO / "content" / f"{SLUG}.html", content / f"conditions~{SLUG}.html")
        build_documents(content, build, [NAMES[0]], BuildOptions(engine="fake", jobs=2))
        os.environ["READER_INSTANCE_PATH"] = str(root / "instance")
        app = create_app({"CONTENT_DIR": content, "BUILD_DIR": build, "ENGINE": "fake"})
        token = app.extensions["reader.admin.tokens"].create("bench")
        client = app.test_client()
        auth = {"Authorization": f"Bearer {token}"}
        seconds, kept = [], set()
        for number in range(rounds):
            old, new = NAMES[number % 2], NAMES[(number + 1) % 2]
            started = time.perf_counter()
            response = client.post(f"/api/v1/documents/{old}/move", json={"to": new}, headers=auth)
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_json()
            audio = mf.document_dir(build, new) / mf.AUDIO_DIR
            kept.add(tuple(sorted((p.name, p.stat().st_size) for p in audio.glob("*.mp3"))))
        # After the last move the document is at NAMES[rounds % 2]; the other name redirects.
        redirect = client.get(f"/documents/{NAMES[(rounds + 1) % 2]}")
    [files] = kept
    median, slowest = statistics.median(seconds) * 1000, max(seconds) * 1000
    print(f"moves: {rounds}, median {median:.1f} ms, slowest {slowest:.1f} ms")
    print(f"audio kept each time: {len(files)} files, {sum(s for _, s in files) / 1e6:.1f} MB")
    print(f"old address: {redirect.status_code} to {redirect.headers.get('Location')}")


if __name__ == "__main__":
    main()
