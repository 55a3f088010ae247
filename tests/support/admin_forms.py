"""Admin forms for tests: CSRF tokens, sign-in and form posts as a browser sends them."""

from __future__ import annotations

import re

from tests.support.staff import PASSWORD

ORIGIN = {"Origin": "http://localhost"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client, url: str = "/admin/sign-in") -> str:
    """Return the CSRF token of the form at `url`."""
    match = _TOKEN.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token in {url}"
    return match[1]


def sign_in(client, password: str = PASSWORD, user: str = "admin", address: str = "127.0.0.1"):
    """Post the sign-in form as a browser at `address` would."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/admin/sign-in", environ_base=environ).get_data(as_text=True)
    data = {"user": user, "password": password, "csrf_token": _TOKEN.search(page)[1]}
    return client.post("/admin/sign-in", data=data, headers=ORIGIN, environ_base=environ)


def post(client, url: str, data: dict | None = None, form: str = "/admin", **options):
    """Post a form of the admin pages, with the token of the page it is on."""
    data = {"csrf_token": csrf(client, form), **(data or {})}
    return client.post(url, data=data, headers=ORIGIN, **options)
