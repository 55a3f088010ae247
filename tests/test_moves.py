"""A moved document's old addresses: they follow it while it is on the site, and are gone after."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote, urljoin

import pytest

from reader import manifest as mf
from reader import moves
from reader.listening_store import ListeningStore
from reader.web.export import export_site
from tests.support.admin_forms import post, sign_in
from tests.support.content import SMALL

HTML = {"Content-Type": "text/html; charset=utf-8"}
OLD, NEW = "conditions/fever", "conditions/high-temperature"


def publish(staff, name: str, title: str = "Fever") -> None:
    """PUT a page under `name` and run its build."""
    body = SMALL.replace("Small page", title).encode("utf-8")
    response = staff.client.put(
        f"/api/v1/documents/{quote(name, safe='/')}", data=body, headers={**staff.auth, **HTML}
    )
    assert response.status_code == 202, response.get_json()
    assert staff.work() == 1


def move(staff, name: str, to: str) -> None:
    """Move document `name` to `to` through the API."""
    response = staff.client.post(
        f"/api/v1/documents/{quote(name, safe='/')}/move", json={"to": to}, headers=staff.auth
    )
    assert response.status_code == 200, response.get_json()


def unpublish(staff, name: str) -> None:
    """DELETE document `name` through the API and let the worker retire its audio."""
    response = staff.client.delete(f"/api/v1/documents/{name}", headers=staff.auth)
    assert response.status_code == 204
    staff.work()


def answers(staff, *addresses: str) -> dict[str, tuple[int, str | None]]:
    """Return each address's status and Location."""
    found = {}
    for address in addresses:
        response = staff.client.get(address)
        found[address] = (response.status_code, response.headers.get("Location"))
    return found


def pages(name: str) -> list[str]:
    """Return a document's page and embed addresses."""
    return [f"/documents/{name}", f"/embed/{name}"]


def test_unpublishing_the_new_name_makes_the_old_pages_gone_and_publishing_again_forwards(
    staff,
):
    publish(staff, OLD)
    move(staff, OLD, NEW)
    unpublish(staff, NEW)

    # The old pages answer 410 at once, as the new ones do: no redirect to a removed page.
    assert answers(staff, *pages(OLD), *pages(NEW)) == {
        address: (410, None) for address in pages(OLD) + pages(NEW)
    }
    assert "Page removed" in staff.client.get(f"/documents/{OLD}").get_data(as_text=True)
    # The old manifest answers as the new one does: no audio here.
    for name in (OLD, NEW):
        response = staff.client.get(f"/api/documents/{name}/manifest.json")
        assert response.status_code == 404 and response.is_json
    assert staff.client.get(f"/api/v1/documents/{NEW}", headers=staff.auth).status_code == 404

    # Sent again by the CMS: the old addresses follow the move again.
    publish(staff, NEW)
    assert answers(staff, *pages(OLD), f"/api/documents/{OLD}/manifest.json") == {
        f"/documents/{OLD}": (301, f"/documents/{NEW}"),
        f"/embed/{OLD}": (301, f"/embed/{NEW}"),
        f"/api/documents/{OLD}/manifest.json": (301, f"/api/documents/{NEW}/manifest.json"),
    }
    assert staff.client.get(f"/documents/{NEW}").status_code == 200


def test_the_admins_publish_again_makes_the_old_pages_forward_again(staff):
    publish(staff, OLD)
    move(staff, OLD, NEW)
    assert sign_in(staff.client).status_code == 303
    response = post(staff.client, f"/admin/documents/{NEW}/unpublish")
    assert response.status_code == 303
    staff.work()
    assert answers(staff, f"/documents/{OLD}")[f"/documents/{OLD}"] == (410, None)

    response = post(staff.client, f"/admin/documents/{NEW}/publish-again")
    assert response.status_code == 303
    assert staff.work() == 1
    assert answers(staff, f"/documents/{OLD}")[f"/documents/{OLD}"] == (301, f"/documents/{NEW}")


def test_the_old_audio_still_plays_for_a_listener_midway_after_an_unpublish(staff):
    """As the new name's own audio stays until the grace ends, the old address reaches it."""
    publish(staff, OLD)
    first = mf.load_manifest(staff.build_dir, OLD).sections[0].audio
    move(staff, OLD, NEW)
    unpublish(staff, NEW)
    response = staff.client.get(f"/api/documents/{OLD}/{first}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/api/documents/{NEW}/{first}"
    with staff.client.get(response.headers["Location"]) as audio:
        assert audio.status_code == 200 and audio.get_data()


def test_a_chain_of_moves_is_gone_when_its_last_document_is_unpublished(staff):
    publish(staff, "a")
    move(staff, "a", "b")
    move(staff, "b", "c")
    assert moves.destination(staff.build_dir, "a") == "c"
    assert answers(staff, "/documents/a", "/documents/b") == {
        "/documents/a": (301, "/documents/b"),
        "/documents/b": (301, "/documents/c"),
    }
    unpublish(staff, "c")
    assert answers(staff, "/documents/a", "/documents/b", "/documents/c") == {
        "/documents/a": (410, None),
        "/documents/b": (410, None),
        "/documents/c": (410, None),
    }
    publish(staff, "c")
    assert answers(staff, "/documents/a")["/documents/a"] == (301, "/documents/b")


def test_a_loop_of_notes_made_by_hand_forwards_nowhere(tmp_path):
    moves.note_move(tmp_path / "a", "b")
    moves.note_move(tmp_path / "b", "a")
    assert moves.moved_to(tmp_path, "a") == "b"
    assert moves.destination(tmp_path, "a") is None
    assert moves.forwards(tmp_path, "a") is None
    assert moves.all_moves(tmp_path) == {}


def test_the_export_has_no_forwarding_page_for_a_move_to_an_unpublished_document(staff, tmp_path):
    publish(staff, OLD)
    move(staff, OLD, NEW)
    unpublish(staff, NEW)
    site = tmp_path / "site"
    export_site(staff.app, site)
    for kind in ("documents", "embed", "api/documents"):
        assert not (site / kind / OLD).exists(), kind
        assert not (site / kind / NEW).exists(), kind


def exported_audio(site, manifest_path: str, at: str) -> list:
    """Return the export's file for each audio URL of the manifest at `manifest_path`.

    The URLs are resolved as the widget does, against the manifest's address when the export is
    hosted at `at`.
    """
    manifest = json.loads((site / manifest_path).read_bytes())
    files = []
    for section in manifest["sections"]:
        url = urljoin(at + quote(manifest_path), section["audio"])
        assert url.startswith(at), url
        files.append(site / unquote(url.removeprefix(at)))
    return files


@pytest.mark.parametrize("base_url", [None, "https://example.org/health/"])
def test_the_export_gives_an_old_manifest_address_the_new_manifest_and_its_audio(
    staff, tmp_path, base_url
):
    publish(staff, "santé/fever")
    move(staff, "santé/fever", "a")
    move(staff, "a", "conditions/fièvre")
    site = tmp_path / "site"
    export_site(staff.app, site, base_url)
    at = base_url or "https://any.example/some/folder/"
    new = exported_audio(site, "api/documents/conditions/fièvre/manifest.json", at)
    assert new and all(path.is_file() for path in new)
    for old in ("santé/fever", "a"):
        path = f"api/documents/{old}/manifest.json"
        manifest = json.loads((site / path).read_bytes())
        assert manifest["document"]["slug"] == "conditions/fièvre"
        # Resolved against the old address, each audio URL is the new name's exported file.
        assert exported_audio(site, path, at) == new
    if base_url:
        audio = json.loads((site / "api/documents/a/manifest.json").read_bytes())["sections"]
        assert audio[0]["audio"].startswith(f"{base_url}api/documents/conditions/fi%C3%A8vre/")


def test_a_beacon_sent_to_the_old_name_counts_for_the_document_until_it_is_unpublished(staff):
    """A player embedded under the old name sends its beacons beside the old manifest address."""
    publish(staff, OLD)
    section = mf.load_manifest(staff.build_dir, OLD).sections[0].id
    move(staff, OLD, NEW)
    beacon = {"section": section, "event": "play"}
    text = {"Content-Type": "text/plain"}
    sent = staff.client.post(f"/api/documents/{OLD}/listening", json=beacon, headers=text)
    assert sent.status_code == 204
    store = ListeningStore(staff.app.instance_path)
    assert [(c.document, c.section, c.event) for c in store.counts("2000-01-01")] == [
        (NEW, section, "play")
    ]
    unpublish(staff, NEW)
    sent = staff.client.post(f"/api/documents/{OLD}/listening", json=beacon, headers=text)
    assert sent.status_code == 404
