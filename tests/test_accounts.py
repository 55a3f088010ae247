"""Test people, roles and server-side sessions: sign-out ends a session, roles are enforced."""

from __future__ import annotations

import sqlite3
import time

import pytest
from click.testing import CliRunner

from reader import create_app
from reader.admin.people import People, PeopleError
from reader.admin.sessions import SEEN_EVERY
from reader.cli import main
from reader.errors import ReaderError
from tests.support.admin_forms import ORIGIN, csrf, post, sign_in
from tests.support.staff import PASSWORD, PASSWORD_HASH, SMALL_SLUG, make_staff, staff_app

EDITOR_PASSWORD = "editor's own long password"


@pytest.fixture
def staff(tmp_path, monkeypatch, content_dir):
    """Give a test the admin pages with the upgraded admin and an editor, Erin."""
    staff = make_staff(tmp_path, monkeypatch, content_dir)
    People(staff.instance).add("erin", "editor", EDITOR_PASSWORD)
    return staff


def cookie(client) -> str:
    """Return the admin session cookie's value."""
    return client.get_cookie("vr_admin").value


def test_the_single_admin_of_older_versions_becomes_the_first_admin(staff):
    people = {p.name: p.role for p in People(staff.instance).list()}
    assert people == {"admin": "admin", "erin": "editor"}
    assert sign_in(staff.client).status_code == 303
    # Once someone has an account, the old variable no longer overrides anything.
    People(staff.instance).set_password("admin", "a brand new password")
    again = staff.app.test_client()
    assert sign_in(again).status_code == 401
    assert sign_in(again, "a brand new password").status_code == 303


def test_a_mixed_case_admin_of_older_versions_signs_in_as_typed_or_in_lowercase(
    tmp_path, monkeypatch, content_dir
):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = staff_app(tmp_path, content_dir, tmp_path / "build", ADMIN_USER="Jane")
    # Kept as sign-in reads a typed name: the old password opens it however it is typed.
    assert [(p.name, p.role) for p in People(app.instance_path).list()] == [("jane", "admin")]
    for typed in ("Jane", "jane", " JANE "):
        assert sign_in(app.test_client(), PASSWORD, typed).status_code == 303, typed


@pytest.mark.parametrize("name", ["Jane Doe", "", "jane@example.org"])
def test_an_admin_user_that_cannot_be_an_account_is_one_clear_error_at_start_up(
    tmp_path, monkeypatch, name
):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("READER_ADMIN_USER", name)
    monkeypatch.setenv("READER_ADMIN_PASSWORD_HASH", PASSWORD_HASH)
    ran = CliRunner().invoke(main, ["user", "list"])
    assert ran.exit_code == 1 and "Traceback" not in ran.output
    (line,) = ran.output.splitlines()
    assert line.startswith("Error: READER_ADMIN_USER cannot become the first admin: ")
    assert "is not a user name" in line
    assert not People(tmp_path / "instance").anyone()


def test_a_cookie_copied_before_sign_out_goes_back_to_sign_in(staff):
    client = staff.client
    assert sign_in(client).status_code == 303
    token = csrf(client, "/admin")
    copied = cookie(client)  # the session id and the seed of that form's CSRF token
    assert post(client, "/admin/sign-out").status_code == 303

    thief = staff.app.test_client()
    thief.set_cookie("vr_admin", copied)
    response = thief.get("/admin")
    assert response.status_code == 303 and "/admin/sign-in" in response.headers["Location"]
    posted = thief.post(
        "/admin/pronunciation/hear",
        data={"written": "x", "spoken": "x", "csrf_token": token},
        headers=ORIGIN,
    )
    assert posted.status_code == 401 and "Sign in first" in posted.get_data(as_text=True)


def test_sign_in_gives_a_new_session_id(staff):
    client = staff.client
    client.get("/admin/sign-in")
    before = cookie(client)
    assert sign_in(client).status_code == 303
    first = cookie(client)
    assert first != before
    assert sign_in(client).status_code == 303
    assert cookie(client) != first


def _age_sessions(staff, column: str, seconds: float) -> None:
    with sqlite3.connect(staff.instance / "accounts.db") as db:
        db.execute(f"UPDATE sessions SET {column} = {column} - ?", (seconds,))


@pytest.mark.parametrize(
    ("column", "seconds"),
    [("seen", 30 * 60 + SEEN_EVERY + 5), ("created", 12 * 3600 + 5)],
    ids=["idle 30 minutes", "older than 12 hours"],
)
def test_sessions_end_when_idle_or_too_old(staff, column, seconds):
    assert sign_in(staff.client).status_code == 303
    assert staff.client.get("/admin").status_code == 200
    _age_sessions(staff, column, seconds)
    assert staff.client.get("/admin").status_code == 303


def test_a_session_in_use_never_ends_early_for_a_use_left_unwritten(staff):
    assert sign_in(staff.client).status_code == 303
    # Used again within SEEN_EVERY of the last use written: this use is not written down.
    _age_sessions(staff, "seen", SEEN_EVERY - 10)
    assert staff.client.get("/admin").status_code == 200
    # Unused since that use for a little less than the idle timeout: still open.
    _age_sessions(staff, "seen", 30 * 60 - 10)
    assert staff.client.get("/admin").status_code == 200
    # That use wrote `seen`; unused past the idle timeout (and its minute of slack), it ends.
    _age_sessions(staff, "seen", 30 * 60 + SEEN_EVERY + 5)
    assert staff.client.get("/admin").status_code == 303


def test_the_session_limits_are_settings(tmp_path, monkeypatch, content_dir):
    monkeypatch.setenv("READER_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("READER_SESSION_MAX_HOURS", "1")
    app = create_app({"ADMIN_PASSWORD_HASH": PASSWORD_HASH, "SECRET_KEY": "k" * 32})
    sessions = app.extensions["reader.admin.sessions"]
    assert (sessions.idle, sessions.lifetime) == (300, 3600)


@pytest.mark.parametrize("setting", ["SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS"])
@pytest.mark.parametrize("value", ["0", "-5", "soon", "1.5"])
def test_session_limits_of_zero_less_or_not_a_number_are_one_clear_error(
    tmp_path, monkeypatch, setting, value
):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv(f"READER_{setting}", value)
    with pytest.raises(ReaderError, match=f"^READER_{setting} must be a whole number"):
        create_app({"SECRET_KEY": "k" * 32})
    ran = CliRunner().invoke(main, ["user", "list"])
    assert ran.exit_code == 1 and "Traceback" not in ran.output
    (line,) = ran.output.splitlines()
    assert line.startswith(f"Error: READER_{setting} must be a whole number") and value in line


@pytest.mark.parametrize("value", [0, -1, 0.5, "30", True, None])
def test_session_limits_in_a_config_file_are_checked_too(tmp_path, monkeypatch, value):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text(f"SESSION_MAX_HOURS = {value!r}\n")
    with pytest.raises(ReaderError, match=r"^READER_SESSION_MAX_HOURS must be a whole number of"):
        create_app({"SECRET_KEY": "k" * 32})


def test_a_new_password_or_removal_ends_that_persons_sessions(staff):
    erin, admin = staff.app.test_client(), staff.client
    assert sign_in(erin, EDITOR_PASSWORD, "erin").status_code == 303
    assert sign_in(admin).status_code == 303
    data = {"password": "another long password", "again": "another long password"}
    assert post(admin, "/admin/people/erin/password", data, "/admin/people").status_code == 303
    assert erin.get("/admin").status_code == 303
    assert admin.get("/admin").status_code == 200  # only Erin's sessions ended

    assert sign_in(erin, "another long password", "erin").status_code == 303
    assert post(admin, "/admin/people/erin/remove", form="/admin/people").status_code == 303
    assert erin.get("/admin").status_code == 303
    assert sign_in(erin, "another long password", "erin").status_code == 401


@pytest.mark.parametrize(
    "url", ["/admin/people", "/admin/tokens", "/admin/audit", "/admin/audit?person=admin"]
)
def test_an_editor_gets_403_on_people_tokens_and_the_log(staff, url):
    erin = staff.client
    assert sign_in(erin, EDITOR_PASSWORD, "erin").status_code == 303
    refused = erin.get(url)
    assert refused.status_code == 403
    assert "Only an admin can manage people" in refused.get_data(as_text=True)
    html = erin.get("/admin").get_data(as_text=True)
    assert 'href="/admin/people"' not in html and 'href="/admin/pronunciation"' in html


def test_an_editor_cannot_post_to_people_or_tokens(staff):
    erin = staff.client
    assert sign_in(erin, EDITOR_PASSWORD, "erin").status_code == 303
    token = csrf(erin, "/admin")
    forms = {
        "/admin/people": {
            "name": "mallory",
            "role": "admin",
            "password": "x" * 12,
            "again": "x" * 12,
        },
        "/admin/people/erin/role": {"role": "admin"},
        "/admin/tokens": {"name": "mine"},
        "/admin/tokens/cms/revoke": {},
    }
    for url, data in forms.items():
        response = erin.post(url, data={**data, "csrf_token": token}, headers=ORIGIN)
        assert response.status_code == 403, url
    assert People(staff.instance).get("erin").role == "editor"
    assert People(staff.instance).get("mallory") is None


def test_an_editor_works_on_documents_and_the_lexicon(staff):
    erin = staff.client
    assert sign_in(erin, EDITOR_PASSWORD, "erin").status_code == 303
    assert post(erin, "/admin/build", {"slug": SMALL_SLUG}).status_code == 303
    data = {"written": "Small", "spoken": "smorl", "lang": "", "why": ""}
    assert post(erin, "/admin/pronunciation", data, form="/admin/pronunciation").status_code == 303
    assert erin.get("/admin/documents/new").status_code == 200


def test_admins_manage_people_and_tokens_in_the_admin(staff):
    admin = staff.client
    assert sign_in(admin).status_code == 303
    html = admin.get("/admin/people").get_data(as_text=True)
    assert "erin" in html and "admin (you)" in html
    new = {"name": "sam", "role": "editor", "password": "sam's long password", "again": "x"}
    mismatch = post(admin, "/admin/people", new, "/admin/people")
    assert mismatch.status_code == 400 and "not the same" in mismatch.get_data(as_text=True)
    new["again"] = new["password"]
    assert post(admin, "/admin/people", new, "/admin/people").status_code == 303
    assert post(admin, "/admin/people", new, "/admin/people").status_code == 400  # taken
    assert (
        post(admin, "/admin/people/sam/role", {"role": "admin"}, "/admin/people").status_code == 303
    )
    assert People(staff.instance).get("sam").role == "admin"

    made = post(admin, "/admin/tokens", {"name": "wp", "owner": "sam"}, "/admin/tokens")
    assert made.status_code == 200
    value = made.get_data(as_text=True).split('id="made-token" readonly value="')[1].split('"')[0]
    headers = {"Authorization": f"Bearer {value}"}
    assert staff.app.test_client().get("/api/v1/documents", headers=headers).status_code == 200
    # Removing Sam revokes Sam's token.
    assert post(admin, "/admin/people/sam/remove", form="/admin/people").status_code == 303
    assert staff.app.test_client().get("/api/v1/documents", headers=headers).status_code == 401
    listed = admin.get("/admin/tokens").get_data(as_text=True)
    assert "Owned by sam" in listed and "revoked" in listed


def test_the_last_admin_cannot_be_removed_or_demoted(staff):
    admin = staff.client
    assert sign_in(admin).status_code == 303
    removed = post(admin, "/admin/people/admin/remove", form="/admin/people")
    assert removed.status_code == 400 and "only admin" in removed.get_data(as_text=True)
    demoted = post(admin, "/admin/people/admin/role", {"role": "editor"}, "/admin/people")
    assert demoted.status_code == 400
    assert People(staff.instance).get("admin").role == "admin"


def test_the_admin_is_on_with_accounts_and_no_legacy_password(tmp_path, monkeypatch):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    assert create_app({"SECRET_KEY": "k" * 32}).test_client().get("/admin").status_code == 404
    People(tmp_path / "instance").add("ann", "admin", PASSWORD)
    client = create_app({"SECRET_KEY": "k" * 32}).test_client()
    assert sign_in(client, PASSWORD, "ann").status_code == 303
    assert client.get("/admin/people").status_code == 200


def test_user_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("READER_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    typed = "a long enough password\na long enough password\n"
    added = runner.invoke(main, ["user", "add", "ann", "--role", "admin"], input=typed)
    assert added.exit_code == 0, added.output
    assert "a long enough password" not in added.output  # asked hidden
    assert runner.invoke(main, ["user", "add", "bob"], input=typed).exit_code == 0
    listed = runner.invoke(main, ["user", "list"]).output
    assert "ann\tadmin" in listed and "bob\teditor" in listed

    short = runner.invoke(main, ["user", "add", "cy"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert "Traceback" not in short.output
    taken = runner.invoke(main, ["user", "add", "bob"])
    assert taken.exit_code == 1 and "already a person called 'bob'" in taken.output
    bad = runner.invoke(main, ["user", "add", "Bob Smith"])
    assert bad.exit_code == 1 and "not a user name" in bad.output

    people = People(tmp_path / "instance")
    assert people.authenticate("bob", "a long enough password") is not None
    new = "another long password\nanother long password\n"
    reset = runner.invoke(main, ["user", "reset-password", "bob"], input=new)
    assert reset.exit_code == 0 and "sessions have ended" in reset.output
    assert people.authenticate("bob", "another long password") is not None
    nobody = runner.invoke(main, ["user", "reset-password", "zed"])
    assert nobody.exit_code == 1 and "nobody called 'zed'" in nobody.output

    made = runner.invoke(main, ["token", "create", "bobs-cms", "--owner", "bob"])
    assert made.exit_code == 0, made.output
    assert "owner bob" in runner.invoke(main, ["token", "list"]).output
    unknown = runner.invoke(main, ["token", "create", "x", "--owner", "zed"])
    assert unknown.exit_code == 1 and "nobody called 'zed'" in unknown.output

    removed = runner.invoke(main, ["user", "remove", "bob"])
    assert removed.exit_code == 0 and "revoked their tokens bobs-cms" in removed.output
    last = runner.invoke(main, ["user", "remove", "ann"])
    assert last.exit_code == 1 and "only admin" in last.output
    log = (tmp_path / "instance" / "audit.jsonl").read_text()
    for action in ("add person", "reset password", "create token", "remove person"):
        assert f'"action": "{action}"' in log
    assert '"via": "command line"' in log


def test_people_refuse_bad_names_roles_and_passwords(tmp_path):
    people = People(tmp_path)
    for name, role, password in [
        ("", "editor", PASSWORD),
        ("ok", "owner", PASSWORD),
        ("ok", "editor", "short"),
    ]:
        with pytest.raises(PeopleError):
            people.add(name, role, password)
    assert not people.anyone()
    people.add("ok", "editor", PASSWORD)
    assert (tmp_path / "accounts.db").stat().st_mode & 0o077 == 0


def test_a_wrong_name_costs_as_much_as_a_wrong_password(tmp_path):
    people = People(tmp_path)
    people.add("ann", "editor", PASSWORD)
    timings = {}
    for name in ("ann", "nobody"):
        started = time.perf_counter()
        assert people.authenticate(name, "wrong password!!") is None
        timings[name] = time.perf_counter() - started
    # Both run one scrypt check; an unknown name must not answer at once.
    assert timings["nobody"] > timings["ann"] / 4
