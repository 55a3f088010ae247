"""Test the audit log: who, via what, from where, which document and sections, and the outcome."""

from __future__ import annotations

import json

import pytest

from reader import manifest as mf
from reader.admin import work
from reader.admin.people import People
from reader.errors import ReaderError
from tests.support.admin_forms import post, sign_in
from tests.support.staff import PASSWORD, SMALL_SLUG, make_staff

ALICE = "alice's long password"
HTML = {"Content-Type": "text/html"}


@pytest.fixture
def staff(tmp_path, monkeypatch, content_dir):
    """Give a test the admin pages, Alice (an editor) and her own API token."""
    staff = make_staff(tmp_path, monkeypatch, content_dir)
    People(staff.instance).add("alice", "editor", ALICE)
    token = staff.app.extensions["reader.admin.tokens"].create("alices-cms", "alice")
    staff.alice = {"Authorization": f"Bearer {token}", **HTML}
    return staff


def entries(staff) -> list[dict]:
    """Return every audit entry, oldest first."""
    lines = (staff.instance / "audit.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def source(staff) -> bytes:
    return (staff.content_dir / f"{SMALL_SLUG}.html").read_bytes()


def put(staff, body: bytes, address: str = "198.51.100.20"):
    return staff.client.put(
        f"/api/v1/documents/{SMALL_SLUG}",
        data=body,
        headers=staff.alice,
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_change_through_the_api_is_logged_with_who_where_what_and_outcome(staff):
    assert put(staff, source(staff) + b"<p>First.</p>").status_code == 202
    staff.work()
    first_ids = [s.id for s in mf.load_manifest(staff.build_dir, SMALL_SLUG).sections]
    edited = source(staff).replace(b"The detail.", b"The new detail.")
    assert put(staff, edited, address="192.0.2.44").status_code == 202
    staff.work()
    assert put(staff, edited).status_code == 200  # identical: unchanged, nothing queued

    queued, built, second, rebuilt, unchanged = entries(staff)
    assert queued["who"] == "alice" and queued["via"] == "token alices-cms"
    assert queued["address"] == "198.51.100.20" and queued["when"].endswith("Z")
    assert (queued["action"], queued["document"], queued["outcome"]) == (
        "put",
        SMALL_SLUG,
        "queued",
    )
    assert built["job"] == queued["job"] and built["document"] == SMALL_SLUG
    assert built["outcome"] == "built" and built["sections"]["added"] == first_ids
    assert second["address"] == "192.0.2.44"
    assert rebuilt["job"] == second["job"] and rebuilt["outcome"] == "built"
    assert rebuilt["sections"] == {"changed": ["detail"], "added": [], "removed": []}
    published = mf.load_manifest(staff.build_dir, SMALL_SLUG).build_key
    assert built["version"] != rebuilt["version"] and published.startswith(rebuilt["version"])
    assert unchanged["outcome"] == "unchanged" and "job" not in unchanged


def test_a_rebuild_with_nothing_new_is_unchanged(staff):
    assert sign_in(staff.client, ALICE, "alice").status_code == 303
    for _ in range(2):
        assert post(staff.client, "/admin/build", {"slug": SMALL_SLUG}).status_code == 303
        staff.work()
    outcomes = [e for e in entries(staff) if e["via"] == "build queue"]
    assert [e["outcome"] for e in outcomes] == ["built", "unchanged"]
    assert outcomes[1]["result"] == "built: nothing changed"


def test_a_build_that_fails_in_the_worker_is_logged_failed_with_its_error(staff, monkeypatch):
    def disk_full(*args, **options):
        raise ReaderError("disk full")

    # The build the worker's own job runs; everything around it is the worker's code.
    monkeypatch.setattr(work, "build_document", disk_full)
    assert put(staff, source(staff) + b"<p>Never built.</p>").status_code == 202
    assert staff.work() == 1

    queued, failed = entries(staff)
    assert (queued["who"], queued["outcome"]) == ("alice", "queued")
    assert (failed["outcome"], failed["error"], failed["job"]) == (
        "failed",
        "disk full",
        queued["job"],
    )
    assert (failed["who"], failed["via"], failed["document"]) == (
        "worker",
        "build queue",
        SMALL_SLUG,
    )
    assert failed["result"] == "failed: disk full" and "sections" not in failed
    # The admin's log says whose change failed, and why.
    assert sign_in(staff.client, PASSWORD).status_code == 303
    by_alice = staff.client.get("/admin/audit?person=alice").get_data(as_text=True)
    assert "Build for alice" in by_alice and "failed: disk full" in by_alice


def test_sign_ins_sign_outs_and_failures_are_logged_without_what_was_typed(staff):
    client = staff.client
    assert sign_in(client, "not alice's password", "alice").status_code == 401
    assert sign_in(client, "a secret typed as a name", "a secret typed").status_code == 401
    assert sign_in(client, ALICE, "alice", "192.0.2.9").status_code == 303
    assert post(client, "/admin/sign-out").status_code == 303
    wrong, unknown, signed_in, signed_out = entries(staff)
    assert (wrong["who"], wrong["target"], wrong["action"]) == ("", "alice", "sign in")
    assert wrong["result"].startswith("refused") and unknown["target"] == "(unknown)"
    assert (signed_in["who"], signed_in["via"], signed_in["address"]) == (
        "alice",
        "session",
        "192.0.2.9",
    )
    assert signed_out["action"] == "sign out" and signed_out["who"] == "alice"
    text = (staff.instance / "audit.jsonl").read_text()
    assert "a secret typed" not in text and "not alice's password" not in text


def test_admins_read_the_log_filtered_by_document_and_person(staff):
    assert put(staff, source(staff) + b"<p>By Alice.</p>").status_code == 202
    staff.work()
    admin = staff.client
    assert sign_in(admin, PASSWORD).status_code == 303
    made = post(admin, "/admin/tokens", {"name": "wp", "owner": ""}, "/admin/tokens")
    assert made.status_code == 200
    assert post(admin, "/admin/tokens/wp/revoke", form="/admin/tokens").status_code == 303
    assert post(admin, "/admin/build", {"slug": "neuroendocrine-tumours"}).status_code == 303

    everything = admin.get("/admin/audit").get_data(as_text=True)
    assert "create token wp" in everything and "revoke token wp" in everything
    by_alice = admin.get("/admin/audit?person=alice").get_data(as_text=True)
    assert "put small" in by_alice and "Build for alice" in by_alice
    assert "Added: small-page" in by_alice
    assert "rebuild neuroendocrine" not in by_alice and "create token" not in by_alice
    about_small = admin.get(f"/admin/audit?document={SMALL_SLUG}").get_data(as_text=True)
    assert "put small" in about_small and "rebuild neuroendocrine" not in about_small
    about_nets = admin.get("/admin/audit?document=neuroendocrine-tumours").get_data(as_text=True)
    assert "rebuild neuroendocrine-tumours" in about_nets and "put small" not in about_nets
    assert '<option value="alice" selected>' in by_alice


def test_the_log_is_only_ever_appended_to(staff):
    assert sign_in(staff.client, ALICE, "alice").status_code == 303
    before = (staff.instance / "audit.jsonl").read_bytes()
    assert put(staff, source(staff) + b"<p>More.</p>").status_code == 202
    staff.work()
    after = (staff.instance / "audit.jsonl").read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    assert (staff.instance / "audit.jsonl").stat().st_mode & 0o077 == 0
