"""Test that limits slow a guessing client without locking staff or the CMS out."""

from __future__ import annotations

import sys

import pytest

from reader.admin.people import People
from reader.errors import ReaderError
from tests.support.admin_forms import sign_in
from tests.support.staff import PASSWORD, make_staff, staff_app

BOB_PASSWORD = "bob's own long password"
ATTACKER, OFFICE, HOME = "203.0.113.7", "198.51.100.20", "192.0.2.44"


@pytest.fixture
def staff(tmp_path, monkeypatch, content_dir):
    """Give a test the admin pages, the API, and a second person, Bob."""
    staff = make_staff(tmp_path, monkeypatch, content_dir)
    People(staff.instance).add("bob", "editor", BOB_PASSWORD)
    return staff


def api(client, token: str, address: str, **environ):
    """GET the document list with `token` from `address`."""
    return client.get(
        "/api/v1/documents",
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": address, **environ},
    )


def assert_retry_after(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_a_guessing_client_is_slowed_and_nobody_else_is(staff):
    attacker = staff.app.test_client()
    codes = [sign_in(attacker, "wrong password!", "admin", ATTACKER).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    refused = sign_in(attacker, PASSWORD, "admin", ATTACKER)
    assert_retry_after(refused)
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    # Another person at the guesser's address, and the same person elsewhere, still get in.
    assert sign_in(staff.app.test_client(), BOB_PASSWORD, "bob", ATTACKER).status_code == 303
    assert sign_in(staff.app.test_client(), PASSWORD, "admin", OFFICE).status_code == 303
    assert sign_in(staff.app.test_client(), PASSWORD, "ADMIN ", HOME).status_code == 303


def test_only_failures_count(staff):
    client = staff.app.test_client()
    for _ in range(8):
        assert sign_in(client, PASSWORD, "admin", OFFICE).status_code == 303
    # Four typos between successes never add up to a refusal.
    for _ in range(4):
        assert sign_in(client, "typo typo typo", "admin", OFFICE).status_code == 401
    assert sign_in(client, PASSWORD, "admin", OFFICE).status_code == 303


def test_a_client_trying_many_accounts_is_slowed_per_address(staff):
    client = staff.app.test_client()
    codes = [
        sign_in(client, "wrong password!", f"user{n}", ATTACKER).status_code for n in range(31)
    ]
    assert codes[:30] == [401] * 30 and codes[30] == 429
    assert sign_in(staff.app.test_client(), BOB_PASSWORD, "bob", OFFICE).status_code == 303
    # The price docs/service.md states: everyone behind that address (a NAT, or an uncounted
    # proxy) waits out the minute, the right password too.
    assert_retry_after(sign_in(staff.app.test_client(), BOB_PASSWORD, "bob", ATTACKER))


def test_a_flood_of_bad_tokens_never_stops_a_valid_token(staff):
    client = staff.client
    codes = [api(client, "vr_guess", ATTACKER).status_code for _ in range(12)]
    assert codes == [401] * 10 + [429, 429]
    refused = api(client, "vr_guess", ATTACKER)
    assert_retry_after(refused)
    assert refused.get_json()["error"]
    # The CMS's token works from the flooded address and from anywhere else.
    assert api(client, staff.token, ATTACKER).status_code == 200
    assert api(client, staff.token, OFFICE).status_code == 200
    # A client at another address with a bad token is still told 401, not 429.
    assert api(client, "vr_typo", OFFICE).status_code == 401


def test_forwarded_addresses_are_trusted_only_behind_a_counted_proxy(staff, tmp_path):
    def flood(client, forwarded_for) -> list[int]:
        return [
            api(client, "vr_guess", ATTACKER, HTTP_X_FORWARDED_FOR=forwarded_for(n)).status_code
            for n in range(11)
        ]

    # No proxy counted: a client cannot escape its limit by making up X-Forwarded-For.
    assert flood(staff.client, lambda n: f"10.0.0.{n}")[-1] == 429
    behind = staff_app(tmp_path, staff.content_dir, staff.build_dir, PROXY_COUNT=1).test_client()
    # One proxy: its X-Forwarded-For names the client, so the limit is per real client.
    assert flood(behind, lambda n: f"10.0.0.{n}") == [401] * 11
    assert flood(behind, lambda n: "10.9.9.9")[-1] == 429


def test_with_redis_the_counters_are_shared_between_processes(staff, tmp_path, redis_url):
    # Two apps with their own limiters stand for two processes or machines.
    first, second = (
        staff_app(tmp_path, staff.content_dir, staff.build_dir, QUEUE_URL=redis_url)
        for _ in range(2)
    )
    limiter = first.extensions["reader.admin.limiter"]
    assert limiter._storage_uri == redis_url
    one, two = first.test_client(), second.test_client()
    for client in (one, two) * 2 + (one,):
        assert sign_in(client, "wrong password!", "admin", ATTACKER).status_code == 401
    assert_retry_after(sign_in(two, PASSWORD, "admin", ATTACKER))
    assert sign_in(one, PASSWORD, "admin", OFFICE).status_code == 303

    for client in (one, two) * 5:
        assert api(client, "vr_guess", ATTACKER).status_code == 401
    assert_retry_after(api(one, "vr_guess", ATTACKER))
    assert api(two, staff.token, ATTACKER).status_code == 200


def test_a_redis_url_without_the_redis_package_is_one_clear_error(staff, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # as if `voice-reader[redis]` were missing
    with pytest.raises(ReaderError, match=r"pip install 'voice-reader\[redis\]'"):
        staff_app(tmp_path, staff.content_dir, staff.build_dir, QUEUE_URL="redis://127.0.0.1:1/0")
