"""Document names as paths: their rules, their files on disk, the API and pages that serve them."""

from __future__ import annotations

import hashlib
import http.client
import json
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
import waitress
from click.testing import CliRunner

from reader import create_app, names
from reader import manifest as mf
from reader.cli import main
from reader.layout import AUDIO_DIR, INDEX_NAME, MANIFEST_NAME, PAGES_DIR, SPOKEN_CACHE_NAME
from reader.pipeline.publish import document_lock
from reader.web.embed import embed_snippet
from reader.web.export import export_site
from tests.support.admin_forms import post
from tests.support.content import SMALL, write_document
from tests.support.nu import valid_responses
from tests.support.web import NETS, make_site

HTML = {"Content-Type": "text/html; charset=utf-8"}
RESERVED = {AUDIO_DIR, PAGES_DIR, MANIFEST_NAME, INDEX_NAME, SPOKEN_CACHE_NAME, ".lock"}


def page(title: str) -> bytes:
    """Return SMALL with its own title, so that two documents can be told apart."""
    return SMALL.replace("Small page", title).encode("utf-8")


def put(staff, name: str, body: bytes):
    return staff.client.put(f"/api/v1/documents/{name}", data=body, headers={**staff.auth, **HTML})


def publish(staff, name: str, title: str = "Fever") -> None:
    """PUT a page under `name` and run its build."""
    response = put(staff, quote(name, safe="/"), page(title))
    assert response.status_code == 202, response.get_json()
    assert staff.work() == 1


def move(staff, name: str, to, **headers):
    body = json.dumps({"to": to}) if not isinstance(to, bytes) else to
    return staff.client.post(
        f"/api/v1/documents/{quote(name, safe='/')}/move",
        data=body,
        headers={**staff.auth, "Content-Type": "application/json", **headers},
    )


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    "name",
    [
        "fever",
        "neuroendocrine-tumours",
        "conditions/fever",
        "flu_jab",
        "café-info",
        "a--b",
        "_drafts/x",
        "2026/01/news",
        "疾病/发烧",
        "ελληνικά",
        "x" * names.MAX_BYTES,
        "/".join("a" * names.MAX_DEPTH),
    ],
)
def test_names_a_cms_gives_are_accepted(name):
    assert names.problem(name) is None
    assert names.from_key(names.key(name)) == name


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Upper-Case", "names are lower case, e.g. 'upper-case'"),
        ("Conditions/Fever", "e.g. 'conditions/fever'"),
        ("ÉTÉ", "e.g. 'été'"),
        ("", "'' is not a valid document name: it is empty"),
        ("../etc/passwd", "a '..' part; a name cannot step up"),
        ("a/./b", "a '.' part"),
        ("a//b", "an empty part (//)"),
        ("/fever", "starts or ends with /; write it as 'fever'"),
        ("fever/", "starts or ends with /; write it as 'fever'"),
        ("cough and cold", "a space; join words with -, e.g. 'cough-and-cold'"),
        ("fever.html", "holds '.'"),
        ("a%2fb", "holds '%'"),
        ("a\\b", "holds '\\\\'"),
        ("a~b", "holds '~'"),
        ("a\x00b", "a control character"),
        ("a\u200bb", "a control character"),
        ("-rf", "starts with -"),
        ("x" * (names.MAX_BYTES + 1), "at most 200 bytes in UTF-8 (this one has 201"),
        ("é" * 101, "this one has 202"),
        ("/".join("a" * (names.MAX_DEPTH + 1)), "11 levels deep; a name has at most 10"),
        ("cafe\u0301", "not in Unicode NFC; send it as 'café'"),
    ],
)
def test_refusals_say_what_is_wrong(name, says):
    problem = names.problem(name)
    assert problem is not None and says in problem, problem
    assert not names.is_valid(name)
    with pytest.raises(ValueError):
        names.key(name)


def test_a_key_never_collides_with_another_name_or_a_folders_own_files():
    keys = {names.key(n) for n in ("a/b", "a-b", "a_b", "ab", "a/b/c", "a/bc", "ab/c")}
    assert len(keys) == 7
    assert not keys & RESERVED
    assert all("/" not in k for k in keys)
    # A name that is a flat slug, as before paths, is its own key: old sites keep their files.
    assert names.key("neuroendocrine-tumours") == "neuroendocrine-tumours"
    assert mf.document_dir(Path("build"), "a/b") == Path("build") / "a~b"


# ---------------------------------------------------------------- the API and the pages


def test_two_documents_of_one_name_under_different_parents_are_independent(staff):
    publish(staff, "a/fever", "Fever in adults")
    publish(staff, "b/fever", "Fever in children")
    assert (staff.content_dir / "a~fever.html").is_file()
    assert (staff.build_dir / "a~fever" / MANIFEST_NAME).is_file()
    adults = staff.client.get("/documents/a/fever")
    children = staff.client.get("/documents/b/fever")
    assert adults.status_code == children.status_code == 200
    assert "Fever in adults" in adults.get_data(as_text=True)
    assert "Fever in children" in children.get_data(as_text=True)
    index = staff.client.get("/").get_data(as_text=True)
    assert 'href="/documents/a/fever"' in index and 'href="/documents/b/fever"' in index
    listed = staff.client.get("/api/v1/documents", headers=staff.auth).get_json()["documents"]
    assert {"a/fever", "b/fever"} <= {d["slug"] for d in listed}

    response = staff.client.delete("/api/v1/documents/a/fever", headers=staff.auth)
    assert response.status_code == 204
    staff.work()
    assert staff.client.get("/documents/a/fever").status_code == 410
    assert staff.client.get("/documents/b/fever").status_code == 200
    assert staff.client.get("/api/documents/b/fever/manifest.json").status_code == 200
    assert 'href="/documents/a/fever"' not in staff.client.get("/").get_data(as_text=True)


def test_a_path_serves_its_manifest_audio_and_embed(staff):
    publish(staff, "conditions/fever")
    manifest = staff.client.get("/api/documents/conditions/fever/manifest.json")
    assert manifest.status_code == 200
    assert manifest.get_json()["document"]["slug"] == "conditions/fever"
    first = manifest.get_json()["sections"][0]["audio"]
    with staff.client.get(f"/api/documents/conditions/fever/{first}") as audio:
        assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
    page_html = staff.client.get("/documents/conditions/fever").get_data(as_text=True)
    assert "/api/documents/conditions/fever/manifest.json" in page_html
    embed = staff.client.get("/embed/conditions/fever")
    assert embed.status_code == 200
    assert "/api/documents/conditions/fever/manifest.json" in embed.get_data(as_text=True)
    state = staff.client.get("/api/v1/documents/conditions/fever", headers=staff.auth).get_json()
    assert state["slug"] == "conditions/fever" and state["state"] == "ready"


def test_a_unicode_name_round_trips_through_its_percent_encoded_address(staff):
    publish(staff, "santé/café-info", "Café")
    address = "/documents/" + quote("santé/café-info")
    assert address == "/documents/sant%C3%A9/caf%C3%A9-info"
    assert staff.client.get(address).status_code == 200
    assert f'href="{address}"' in staff.client.get("/").get_data(as_text=True)
    assert (staff.build_dir / "santé~café-info" / MANIFEST_NAME).is_file()
    manifest = staff.client.get("/api/documents/" + quote("santé/café-info") + "/manifest.json")
    assert manifest.get_json()["document"]["slug"] == "santé/café-info"

    # The same name typed decomposed (e + combining accent) is the same page, at one address.
    decomposed = "/documents/" + quote("sante\u0301/cafe\u0301-info")
    response = staff.client.get(decomposed + "?from=x")
    assert response.status_code == 301
    assert response.headers["Location"] == address + "?from=x"
    # ...and a PUT of it is stored under the composed name.
    assert put(staff, quote("sante\u0301/cafe\u0301-info"), page("Café 2")).status_code == 202
    assert not list(staff.content_dir.glob("sante*"))
    assert (staff.content_dir / "santé~café-info.html").read_bytes() == page("Café 2")


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("Upper-Case", "lower case, e.g. 'upper-case'"),
        ("flu.jab", "holds '.'"),
        ("a/", "starts or ends with /"),
        ("/a", "starts or ends with /"),
        ("a//b", "an empty part (//)"),
        ("%2e%2e/%2e%2e/etc", "a '..' part"),
        ("..%2f..%2fetc", "a '..' part"),
        ("a/%2E%2E/%2E%2E/x", "a '..' part"),
        ("a%00b", "a control character"),
        ("a%7eb", "holds '~'"),
        ("x" * 201, "at most 200 bytes"),
    ],
)
def test_the_api_refuses_a_bad_name_with_400_and_writes_nothing(staff, tmp_path, address, says):
    before = files_under(tmp_path)
    for method in ("put", "get", "delete"):
        response = getattr(staff.client, method)(
            f"/api/v1/documents/{address}", data=page("x"), headers={**staff.auth, **HTML}
        )
        assert response.status_code == 400, (method, response.get_data())
        assert says in response.get_json()["error"]
    assert move(staff, "small", address.replace("%2f", "/")).status_code in (400, 404)
    after = files_under(tmp_path)
    # Nothing new anywhere, the audit log aside.
    assert {p for p in after - before if "audit" not in p.name} == set()


def test_pages_of_a_bad_name_are_not_found(staff):
    for address in ("/documents/Fever", "/documents/a..b", "/embed/a%2e%2e", "/documents/a~b"):
        assert staff.client.get(address).status_code == 404


# ---------------------------------------------------------------- moves


def audio_bytes(staff, name: str) -> dict[str, bytes]:
    folder = mf.document_dir(staff.build_dir, name) / AUDIO_DIR
    return {p.name: p.read_bytes() for p in folder.glob("*.mp3")}


def test_a_move_keeps_the_audio_and_redirects_the_old_addresses(staff):
    publish(staff, "conditions/fever")
    before = mf.load_manifest(staff.build_dir, "conditions/fever")
    audio = audio_bytes(staff, "conditions/fever")
    first = before.sections[0].audio

    response = move(staff, "conditions/fever", "conditions/high-temperature")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "moved" and body["to"] == "conditions/high-temperature"
    assert body["document"] == "/api/v1/documents/conditions/high-temperature"
    assert body["audio"] is True and body["audio_files"] == len(audio)
    # No re-synthesis: nothing is queued, and the same bytes are published under the new name.
    assert staff.work() == 0
    after = mf.load_manifest(staff.build_dir, "conditions/high-temperature")
    assert after.document.slug == "conditions/high-temperature"
    assert [s.audio for s in after.sections] == [s.audio for s in before.sections]
    assert after.build_key == before.build_key
    assert audio_bytes(staff, "conditions/high-temperature") == audio
    assert (staff.content_dir / "conditions~high-temperature.html").read_bytes() == page("Fever")
    assert not (staff.content_dir / "conditions~fever.html").exists()

    new = staff.client.get("/documents/conditions/high-temperature")
    assert new.status_code == 200 and "Fever" in new.get_data(as_text=True)
    for old, target in [
        ("/documents/conditions/fever", "/documents/conditions/high-temperature"),
        ("/embed/conditions/fever", "/embed/conditions/high-temperature"),
        (
            "/api/documents/conditions/fever/manifest.json",
            "/api/documents/conditions/high-temperature/manifest.json",
        ),
        (
            f"/api/documents/conditions/fever/{first}",
            f"/api/documents/conditions/high-temperature/{first}",
        ),
    ]:
        response = staff.client.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"] == target
        # Not cached for good: the old name may be published again.
        assert response.headers["Cache-Control"] == "public, max-age=3600"
    index = staff.client.get("/").get_data(as_text=True)
    assert "/documents/conditions/high-temperature" in index
    assert 'href="/documents/conditions/fever"' not in index
    state = staff.client.get(body["document"], headers=staff.auth).get_json()
    assert state["state"] == "ready" and state["published"]["current"] is True
    gone = staff.client.get("/api/v1/documents/conditions/fever", headers=staff.auth)
    assert gone.status_code == 404
    assert gone.get_json()["moved_to"] == "/api/v1/documents/conditions/high-temperature"

    # The audit log names the token's owner and both names.
    lines = (staff.instance / "audit.jsonl").read_text("utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    [moved] = [e for e in entries if e["action"] == "move"]
    assert moved["who"] == "cms" and moved["via"] == "token cms"
    assert moved["documents"] == ["conditions/fever", "conditions/high-temperature"]


def test_a_put_to_the_old_name_replaces_the_redirect(staff):
    publish(staff, "fever")
    assert move(staff, "fever", "high-temperature").status_code == 200
    assert staff.client.get("/documents/fever").status_code == 301
    publish(staff, "fever", "A new fever page")
    response = staff.client.get("/documents/fever")
    assert response.status_code == 200 and "A new fever page" in response.get_data(as_text=True)
    assert staff.client.get("/documents/high-temperature").status_code == 200
    # ...and the new document can itself move back onto a name that only redirects.
    assert move(staff, "high-temperature", "fever").status_code == 409


def test_a_document_can_move_back_onto_its_old_name(staff):
    publish(staff, "fever")
    audio = audio_bytes(staff, "fever")
    assert move(staff, "fever", "temp").status_code == 200
    assert move(staff, "temp", "fever").status_code == 200
    assert audio_bytes(staff, "fever") == audio
    assert staff.client.get("/documents/fever").status_code == 200
    assert staff.client.get("/documents/temp").headers["Location"] == "/documents/fever"
    assert staff.work() == 0


def test_a_move_onto_a_deleted_name_keeps_the_deleted_audio_retiring(staff):
    publish(staff, "old", "Old page")
    deleted = audio_bytes(staff, "old")
    assert staff.client.delete("/api/v1/documents/old", headers=staff.auth).status_code == 204
    staff.work()
    publish(staff, "fever")
    assert move(staff, "fever", "old").status_code == 200
    kept = audio_bytes(staff, "old")
    assert set(deleted) <= set(kept)
    ledger = json.loads((mf.document_dir(staff.build_dir, "old") / "retired.json").read_text())
    used = mf.load_manifest(staff.build_dir, "old").audio_names
    assert set(deleted) - used <= set(ledger)  # deleted after the grace, as before the move
    assert "Fever" in staff.client.get("/documents/old").get_data(as_text=True)


@pytest.mark.parametrize(
    ("source", "target", "code", "says"),
    [
        ("nowhere", "elsewhere", 404, "there is no document 'nowhere'"),
        ("fever", "fever", 400, "already that document's name"),
        ("fever", "other", 409, "there is already a document 'other'"),
        ("fever", "Other", 400, "the new name: 'Other' is not a valid document name"),
        ("fever", "a/../b", 400, "a '..' part"),
        ("fever", "", 400, "it is empty"),
    ],
)
def test_moves_that_cannot_be_made_say_why_and_change_nothing(staff, source, target, code, says):
    publish(staff, "fever")
    publish(staff, "other", "Other")
    before = {p: p.read_bytes() for p in files_under(staff.build_dir) if p.is_file()}
    response = move(staff, source, target)
    assert response.status_code == code
    assert says in response.get_json()["error"]
    assert {p: p.read_bytes() for p in files_under(staff.build_dir) if p.is_file()} == before
    assert staff.client.get("/documents/fever").status_code == 200


def test_a_move_to_or_from_a_document_being_built_is_409(staff):
    publish(staff, "fever")
    assert put(staff, "queued", page("Queued")).status_code == 202  # queued, not yet built
    response = move(staff, "fever", "queued")
    assert response.status_code == 409 and "queued" in response.get_json()["error"]
    response = move(staff, "queued", "somewhere")
    assert response.status_code == 409 and "being built" in response.get_json()["error"]
    assert staff.client.get("/documents/fever").status_code == 200
    assert staff.work() == 1


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b'{"to": 3}', "application/json", 400),
        (b'{"to": "x", "also": 1}', "application/json", 400),
        (b"[]", "application/json", 400),
        (b"not json", "application/json", 400),
        (b"to=x", "application/x-www-form-urlencoded", 415),
    ],
)
def test_a_move_body_that_cannot_be_read_is_refused(staff, body, content_type, code):
    publish(staff, "fever")
    response = move(staff, "fever", body, **{"Content-Type": content_type})
    assert response.status_code == code
    assert response.get_json()["error"]


def test_a_move_needs_a_token(staff):
    publish(staff, "fever")
    response = staff.client.post(
        "/api/v1/documents/fever/move", json={"to": "x"}, headers={"Authorization": "Bearer no"}
    )
    assert response.status_code == 401
    assert staff.client.get("/documents/fever").status_code == 200


# ---------------------------------------------------------------- upgrading


def test_a_build_folder_of_flat_slugs_from_before_paths_is_still_served(tmp_path):
    """A site that upgrades keeps every document: flat slugs have the same files as before."""
    content, build = make_site(tmp_path / "made")
    # Laid out by hand, with the paths of the layout before names were paths.
    old_content, old_build = tmp_path / "content", tmp_path / "build"
    old_content.mkdir()
    shutil.copyfile(content / f"{NETS}.html", old_content / "neuroendocrine-tumours.html")
    shutil.copytree(build / NETS, old_build / "neuroendocrine-tumours")
    shutil.copyfile(build / "index.json", old_build / "index.json")
    app = create_app({"TESTING": True, "CONTENT_DIR": old_content, "BUILD_DIR": old_build})
    client = app.test_client()
    assert client.get("/documents/neuroendocrine-tumours").status_code == 200
    manifest = client.get("/api/documents/neuroendocrine-tumours/manifest.json")
    assert manifest.status_code == 200
    first = manifest.get_json()["sections"][0]["audio"]
    with client.get(f"/api/documents/neuroendocrine-tumours/{first}") as response:
        served = response.get_data()
    on_disk = (old_build / "neuroendocrine-tumours" / first).read_bytes()
    assert hashlib.sha256(served).digest() == hashlib.sha256(on_disk).digest()
    assert 'href="/documents/neuroendocrine-tumours"' in client.get("/").get_data(as_text=True)


# ---------------------------------------------------------------- commands, export, embed


def test_reader_build_takes_names_that_are_paths(tmp_path):
    content, out = tmp_path / "content", tmp_path / "build"
    write_document(content, "conditions~fever", SMALL)
    write_document(content, "conditions~flu_jab", SMALL.replace("Small page", "Flu jab"))
    runner = CliRunner()
    args = ["--content", str(content), "--out", str(out), "--engine", "fake", "--jobs", "1"]
    result = runner.invoke(main, ["build", "conditions/fever", *args])
    assert result.exit_code == 0, result.output
    assert mf.load_manifest(out, "conditions/fever").document.slug == "conditions/fever"
    assert not (out / "conditions~flu_jab").exists()
    result = runner.invoke(main, ["build", *args])  # every document in the folder
    assert result.exit_code == 0, result.output
    assert mf.published_slugs(out) == ["conditions/fever", "conditions/flu_jab"]
    result = runner.invoke(main, ["build", "conditions/../../etc", *args])
    assert result.exit_code == 1 and "a '..' part" in result.output


def test_the_export_writes_each_name_at_its_address(staff, tmp_path):
    publish(staff, "a/fever", "Fever in adults")
    publish(staff, "b/fever", "Fever in children")
    publish(staff, "santé/café-info", "Café")
    publish(staff, "a", "A page above")
    summary = export_site(staff.app, tmp_path / "site")
    site = tmp_path / "site"
    for name, title in [("a/fever", "adults"), ("b/fever", "children"), ("a", "above")]:
        assert title in (site / "documents" / name / "index.html").read_text("utf-8")
        assert (site / "embed" / name / "index.html").is_file()
        manifest = json.loads((site / "api/documents" / name / MANIFEST_NAME).read_bytes())
        assert manifest["document"]["slug"] == name
        for section in manifest["sections"]:
            assert (site / "api/documents" / name / section["audio"]).is_file()
    assert (site / "documents/santé/café-info/index.html").is_file()
    assert 'href="/documents/sant%C3%A9/caf%C3%A9-info"' in (site / "index.html").read_text()
    assert summary.manifests == 4


def test_the_embed_snippet_of_a_path(staff):
    publish(staff, "santé/café-info", "Café")
    text = embed_snippet(staff.app, "santé/café-info", "https://reader.example.org")
    assert 'document="santé/café-info"' in text
    assert 'href="https://reader.example.org/documents/sant%C3%A9/caf%C3%A9-info"' in text


def test_the_export_sends_a_moved_documents_old_address_on(staff, tmp_path):
    publish(staff, "conditions/fever")
    assert move(staff, "conditions/fever", "high-temperature").status_code == 200
    site = tmp_path / "site"
    export_site(staff.app, site)
    assert "Fever" in (site / "documents/high-temperature/index.html").read_text("utf-8")
    for kind in ("documents", "embed"):
        old = (site / kind / "conditions/fever/index.html").read_text("utf-8")
        # Served at /<kind>/conditions/fever/, the page refreshes to /<kind>/high-temperature/.
        assert '<meta http-equiv="refresh" content="0; url=../../high-temperature/">' in old


def test_a_move_while_a_build_holds_either_folder_is_409_and_changes_nothing(staff):
    publish(staff, "fever")
    for held in ("fever", "elsewhere"):
        with document_lock(mf.document_dir(staff.build_dir, held), timeout=1):
            response = move(staff, "fever", "elsewhere")
        assert response.status_code == 409
        assert f"'{held}' is being built; try again shortly" in response.get_json()["error"]
        assert staff.client.get("/documents/fever").status_code == 200
        assert staff.client.get("/documents/elsewhere").status_code == 404
    # The queue's locks were let go: the next move goes through.
    assert staff.queue.huey.get("lock:fever", peek=True) is None
    assert move(staff, "fever", "elsewhere").status_code == 200


# ---------------------------------------------------------------- the admin's move


def test_the_admin_moves_a_document_and_keeps_its_audio(admin, staff):
    publish(staff, "conditions/fever")
    audio = audio_bytes(staff, "conditions/fever")
    dashboard = admin.get("/admin").get_data(as_text=True)
    assert 'href="/admin/documents/move?document=conditions/fever"' in dashboard
    form = "/admin/documents/move?document=conditions/fever"
    page = admin.get(form).get_data(as_text=True)
    assert 'value="conditions/fever"' in page and "Move or rename conditions/fever" in page

    data = {"document": "conditions/fever", "to": "conditions/high-temperature"}
    response = post(admin, "/admin/documents/move", data, form=form)
    assert response.status_code == 303
    notice = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moved conditions/fever to conditions/high-temperature" in notice
    assert audio_bytes(staff, "conditions/high-temperature") == audio
    assert staff.work() == 0
    assert admin.get("/documents/conditions/fever").status_code == 301
    lines = (staff.instance / "audit.jsonl").read_text("utf-8").splitlines()
    [moved] = [json.loads(line) for line in lines if '"move"' in line]
    assert moved["who"] == "admin" and moved["via"] == "session"


@pytest.mark.parametrize(
    ("to", "code", "says"),
    [
        ("Fever", 400, "names are lower case, e.g. &#39;fever&#39;"),
        ("other", 409, "there is already a document &#39;other&#39;"),
        ("fever", 400, "already that document&#39;s name"),
    ],
)
def test_the_admin_says_why_a_move_cannot_be_made_and_keeps_the_name_typed(
    admin, staff, to, code, says
):
    publish(staff, "fever")
    publish(staff, "other", "Other")
    form = "/admin/documents/move?document=fever"
    response = post(admin, "/admin/documents/move", {"document": "fever", "to": to}, form=form)
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert says in page and f'value="{to}"' in page and 'role="alert"' in page
    assert admin.get("/documents/fever").status_code == 200


def test_the_admin_move_of_no_document_is_404(admin):
    assert admin.get("/admin/documents/move?document=nowhere").status_code == 404
    assert admin.get("/admin/documents/move?document=../x").status_code == 404


def test_admin_pages_with_paths_are_valid_html(admin, staff, tmp_path):
    publish(staff, "santé/café-info", "Café")
    form = "/admin/documents/move?document=" + quote("santé/café-info")
    pages = {
        "dashboard": admin.get("/admin"),
        "move": admin.get(form),
        "move-refused": post(
            admin, "/admin/documents/move", {"document": "santé/café-info", "to": "A"}, form=form
        ),
        "page": admin.get("/documents/" + quote("santé/café-info")),
    }
    assert valid_responses(pages, tmp_path) == []


def test_a_move_never_turns_a_link_to_outside_the_content_folder_into_a_file(staff, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text(SMALL.replace("An introduction.", "Secret words."), "utf-8")
    (staff.content_dir / "linked.html").symlink_to(secret)
    assert move(staff, "linked", "moved").status_code == 200
    moved = staff.content_dir / "moved.html"
    assert moved.is_symlink() and not (staff.content_dir / "linked.html").exists()
    assert put(staff, "moved", page("Mine")).status_code == 202  # a PUT replaces the link
    assert secret.read_text("utf-8").count("Secret words.") == 1


def test_a_lexicon_file_in_the_way_of_a_move_is_named(staff):
    publish(staff, "fever")
    (staff.content_dir / "fever.lexicon.tsv").write_text("NHS\tN H S\n", "utf-8")
    (staff.content_dir / "other.lexicon.tsv").write_text("GP\tG P\n", "utf-8")
    response = move(staff, "fever", "other")
    assert response.status_code == 409
    assert "other.lexicon.tsv is already in the content folder" in response.get_json()["error"]
    assert (staff.content_dir / "fever.html").is_file()
    assert not (staff.content_dir / "other.html").exists()
    (staff.content_dir / "other.lexicon.tsv").unlink()
    assert move(staff, "fever", "other").status_code == 200
    assert (staff.content_dir / "other.lexicon.tsv").read_text("utf-8") == "NHS\tN H S\n"


# ---------------------------------------------------------------- through the real server


@pytest.fixture
def served(staff):
    """Serve the staff app with waitress, as `reader serve` does; yield a way to ask it."""
    server = waitress.create_server(staff.app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def ask(method: str, path: str, **options) -> tuple[int, bytes]:
        # http.client sends the path exactly as written: no client tidies away a "..".
        connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        try:
            connection.request(method, path, **options)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    yield ask
    server.close()
    thread.join(timeout=5)


def test_waitress_serves_unicode_paths_and_refuses_raw_dot_dot(staff, served, tmp_path):
    publish(staff, "santé/café-info", "Café")
    status, body = served("GET", "/documents/sant%C3%A9/caf%C3%A9-info")
    assert status == 200 and "Café" in body.decode("utf-8")

    before = files_under(tmp_path)
    for path in ("/api/v1/documents/../../outside", "/api/v1/documents/%2e%2e/%2E%2E/outside"):
        status, body = served("PUT", path, body=page("x"), headers={**staff.auth, **HTML})
        assert status == 400, path
        assert "a '..' part" in json.loads(body)["error"]
    status, body = served("GET", "/documents/%2e%2e/%2e%2e/etc/passwd")
    assert status == 404 and b"root:" not in body
    assert {p for p in files_under(tmp_path) - before if "audit" not in p.name} == set()


def test_two_moves_to_one_name_at_once_one_wins(staff):
    publish(staff, "first", "First")
    publish(staff, "second", "Second")
    answers: dict[str, int] = {}

    def move_to_shared(name: str) -> None:
        client = staff.app.test_client()
        response = client.post(
            f"/api/v1/documents/{name}/move", json={"to": "shared"}, headers=staff.auth
        )
        answers[name] = response.status_code

    threads = [threading.Thread(target=move_to_shared, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers.values()) == [200, 409]
    [winner] = [name for name, code in answers.items() if code == 200]
    [loser] = [name for name, code in answers.items() if code == 409]
    assert winner.capitalize() in staff.client.get("/documents/shared").get_data(as_text=True)
    assert staff.client.get(f"/documents/{loser}").status_code == 200
    assert staff.client.get(f"/documents/{winner}").status_code == 301
