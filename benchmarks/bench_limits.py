"""Measure what a flood costs: refused sign-ins and bad tokens beside the requests they guard.

Run: .venv/bin/python benchmarks/bench_limits.py [--rounds 200]

Prints medians, in one process with the Flask test client (no network): a wrong password
(401, one scrypt check) beside a refused one (429, no hashing); an admin page with and without
a server-side session lookup; a bad token refused with 429 beside a valid token from the same
flooded address; and their ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ATTACKER, OFFICE = "203.0.113.7", "198.51.100.1"


def median_ms(call, rounds: int):
    """Return the median milliseconds of `call` over `rounds` runs, and its last response."""
    times, response = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, response


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    folder = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    os.environ["READER_INSTANCE_PATH"] = str(folder / "instance")
    # Imported once the instance folder is set: the app reads it as it is made.
    from tests.support.admin_forms import sign_in
    from tests.support.content import SMALL, write_document
    from tests.support.staff import PASSWORD, staff_app

    write_document(folder / "content", "small", SMALL)
    app = staff_app(folder, folder / "content", folder / "build")
    guesser = app.test_client()

    def wrong():
        return sign_in(guesser, "wrong password!", "admin", ATTACKER)

    hashed, _ = median_ms(wrong, 5)
    refused, response = median_ms(wrong, rounds)
    assert response.status_code == 429, response.status_code
    print(
        f"sign-in, wrong password (401): {hashed:.1f} ms; refused (429): {refused:.2f} ms; "
        f"ratio {hashed / refused:.0f}"
    )

    staff = app.test_client()
    assert sign_in(staff, PASSWORD, "admin", OFFICE).status_code == 303
    signed, _ = median_ms(lambda: staff.get("/admin/sign-in"), rounds)
    anonymous, _ = median_ms(lambda: app.test_client().get("/admin/sign-in"), rounds)
    print(
        f"GET /admin/sign-in signed in (session lookup): {signed:.2f} ms; "
        f"not signed in: {anonymous:.2f} ms"
    )

    token = app.extensions["reader.admin.tokens"].create("cms")
    client = app.test_client()

    def with_token(value: str):
        headers = {"Authorization": f"Bearer {value}"}
        return client.get(
            "/api/v1/jobs/none", headers=headers, environ_base={"REMOTE_ADDR": ATTACKER}
        )

    bad, response = median_ms(lambda: with_token("vr_guess"), rounds)
    assert response.status_code == 429, response.status_code
    good, response = median_ms(lambda: with_token(token), rounds)
    assert response.status_code == 404, response.status_code  # let through: no such job
    print(f"bad token (429): {bad:.2f} ms; valid token from the flooded address: {good:.2f} ms")


if __name__ == "__main__":
    main()
