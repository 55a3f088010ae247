"""Test reader.admin.callbacks: signed JSON POSTs to allow-listed hosts, with retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import pytest
from click.testing import CliRunner

from reader.admin import callbacks
from reader.cli import main
from tests.support.receiver import Receiver
from tests.support.staff import SMALL_SLUG as SLUG
from tests.support.staff import make_staff

SECRET = "vrs_test-secret"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """Keep the retries' waits short: the backoff's doubling is what is tested."""
    monkeypatch.setattr(callbacks, "BACKOFF", 0.05)


@pytest.fixture
def staff(tmp_path, monkeypatch, content_dir):
    """Give a test an app whose callbacks may reach 127.0.0.1."""
    staff = make_staff(tmp_path, monkeypatch, content_dir)
    staff.app.config["CALLBACK_HOSTS"] = ["127.0.0.1"]
    return staff


def verified(received, secret: str) -> dict:
    """Check the request's signature as a CMS would, and return its JSON."""
    expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    signature = received.headers["X-Voice-Reader-Signature"]
    assert hmac.compare_digest(signature, f"sha256={expected}")
    assert received.headers["Content-Type"] == "application/json"
    return received.json()


def put(staff, body: bytes, **query):
    return staff.client.put(
        f"/api/v1/documents/{SLUG}",
        query_string=query,
        data=body,
        headers={**staff.auth, "Content-Type": "text/html"},
    )


def changed(staff, text: str = "A new paragraph about the liver.") -> bytes:
    source = (staff.content_dir / f"{SLUG}.html").read_bytes()
    return source.replace(b"</main>", f"<p>{text}</p></main>".encode(), 1)


def test_the_signature_is_hmac_sha256_of_the_exact_body():
    body = b'{"event":"built"}'
    digest = hmac.new(b"key", body, hashlib.sha256).hexdigest()
    assert callbacks.sign("key", body) == f"sha256={digest}"


def test_a_delivery_is_signed_json_and_retried_with_backoff_until_it_arrives():
    with Receiver([503, 500]) as receiver:
        assert callbacks.deliver(receiver.url + "/hook", {"event": "built"}, SECRET)
        tries = [receiver.next() for _ in range(3)]
        assert receiver.nothing_more()
    assert [t.path for t in tries] == ["/hook"] * 3
    assert len({t.body for t in tries}) == 1
    assert verified(tries[0], SECRET) == {"event": "built"}
    assert tries[0].headers["X-Voice-Reader-Event"] == "built"


def test_a_delivery_gives_up_after_its_attempts(monkeypatch):
    with Receiver([503] * 10) as receiver:
        assert not callbacks.deliver(receiver.url, {"event": "failed"}, SECRET)
        assert [receiver.next() for _ in range(callbacks.ATTEMPTS)]
        assert receiver.nothing_more()


@pytest.mark.parametrize("code", [400, 404, 302])
def test_a_refusal_or_a_redirect_is_final(code):
    # A redirect is never followed: it could lead past the allow-list.
    with Receiver([code]) as receiver:
        assert not callbacks.deliver(receiver.url, {"event": "built"}, SECRET)
        assert receiver.next().path == "/"
        assert receiver.nothing_more()


def test_nothing_listening_is_retried_and_then_given_up():
    with Receiver() as receiver:
        url = receiver.url
    assert not callbacks.deliver(url, {"event": "built"}, SECRET)


@pytest.mark.parametrize(
    ("url", "hosts", "allowed"),
    [
        ("https://cms.example.org/hook", ["cms.example.org"], True),
        ("https://CMS.example.org:8443/hook", ["cms.example.org"], True),
        ("https://cms.example.org:8443/hook", ["cms.example.org:8443"], True),
        ("https://cms.example.org:9/hook", ["cms.example.org:8443"], False),
        ("https://a.cms.example.org/hook", [".cms.example.org"], True),
        ("https://evil-cms.example.org/hook", [".cms.example.org"], False),
        ("http://169.254.169.254/latest", ["cms.example.org"], False),
        ("http://localhost/admin", ["cms.example.org"], False),
        ("http://[::1]:8/x", ["[::1]"], True),
    ],
)
def test_only_allow_listed_hosts_are_called(url, hosts, allowed):
    assert callbacks.host_allowed(url, hosts) is allowed
    assert (callbacks.refusal(url, hosts) is None) is allowed


def test_refusals_say_why():
    assert "READER_CALLBACK_HOSTS names no host" in callbacks.refusal("https://x.org/", [])
    assert "not one READER_CALLBACK_HOSTS allows" in callbacks.refusal("https://x.org/", ["y"])
    assert "http or https" in callbacks.refusal("file:///etc/passwd", ["x.org"])
    assert "http or https" in callbacks.refusal("/relative", ["x.org"])
    assert "user name or password" in callbacks.refusal("https://u:p@x.org/", ["x.org"])


def test_a_build_ends_with_a_signed_callback_of_the_documents_state(staff):
    secret = staff.app.extensions["reader.admin.tokens"].signing_secret("cms")
    with Receiver([503]) as receiver:
        answer = put(staff, changed(staff), callback_url=receiver.url + "/voice-reader")
        assert answer.status_code == 202
        assert receiver.nothing_more()  # nothing until the job ends
        assert staff.work() == 1
        first, retried = receiver.next(), receiver.next()
        assert first.body == retried.body
        payload = verified(retried, secret)
    assert payload["event"] == "built"
    assert payload["job"]["state"] == "ready"
    assert payload["job"]["document"] == f"/api/v1/documents/{SLUG}"
    document = payload["document"]
    assert document["slug"] == SLUG and document["state"] == "ready"
    assert document["published"]["audio"] is True
    assert document["published"]["source"] == answer.get_json()["source"]
    assert not list((staff.instance / callbacks.NOTES_DIR).iterdir())


def test_a_failed_build_is_told_too(staff):
    with Receiver() as receiver:
        answer = put(staff, changed(staff), callback_url=receiver.url)
        assert answer.status_code == 202
        (staff.content_dir / f"{SLUG}.html").unlink()  # the build cannot read it
        staff.work()
        payload = receiver.next().json()
    assert payload["event"] == "failed"
    assert payload["job"]["state"] == "failed" and payload["job"]["error"]


def test_an_unchanged_put_is_told_at_once(staff):
    source = (staff.content_dir / f"{SLUG}.html").read_bytes()
    assert put(staff, source).status_code == 202  # its first build
    staff.work()
    with Receiver() as receiver:
        answer = put(staff, source, callback_url=receiver.url)
        assert answer.get_json()["status"] == "unchanged"
        payload = receiver.next().json()
    assert payload["event"] == "unchanged" and payload["job"] is None
    assert payload["document"]["slug"] == SLUG


def test_two_puts_joined_into_one_build_call_each_address_once(staff):
    with Receiver() as one, Receiver() as two:
        put(staff, changed(staff, "First."), callback_url=one.url)
        put(staff, changed(staff, "Second."), callback_url=two.url)
        put(staff, changed(staff, "Third."), callback_url=two.url)
        assert staff.work() == 1
        assert one.next().json()["event"] == two.next().json()["event"] == "built"
        assert one.nothing_more() and two.nothing_more()


def test_no_callback_without_a_callback_url(staff):
    with Receiver() as receiver:
        put(staff, changed(staff))
        staff.work()
        assert receiver.nothing_more()


def test_a_revoked_token_signs_nothing(staff):
    with Receiver() as receiver:
        put(staff, changed(staff), callback_url=receiver.url)
        staff.app.extensions["reader.admin.tokens"].revoke("cms")
        staff.work()
        assert receiver.nothing_more()


def test_token_create_prints_the_signing_secret_once_beside_the_token(tmp_path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("READER_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    made = CliRunner().invoke(main, ["token", "create", "wagtail"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("vr_")
    (line,) = [x for x in made.stderr.splitlines() if "signing secret" in x]
    secret = line.split(": ", 1)[1]
    assert secret.startswith("vrs_") and len(secret) > 40
    stored = json.loads((tmp_path / "instance" / "tokens.json").read_text())
    assert stored["wagtail"]["signing_secret"] == secret
    assert secret not in CliRunner().invoke(main, ["token", "list"]).output
