"""Test the security headers on every response and CORS on shared files only."""

from __future__ import annotations

import json

import pytest

from reader import create_app
from reader.manifest import manifest_path
from reader.web.widget import read_widget
from tests.support.web import NETS

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; object-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@pytest.fixture
def urls(site, app) -> dict[str, str]:
    """Return one URL of each kind."""
    manifest = json.loads(manifest_path(site[1], NETS).read_bytes())
    widget = read_widget(app.config["STATIC_DIR"])
    return {
        "index": "/",
        "page": f"/documents/{NETS}",
        "missing": "/documents/no-such-page",
        "health": "/healthz",
        "manifest": f"/api/documents/{NETS}/manifest.json",
        "audio": f"/audio/{NETS}/{manifest['sections'][0]['audio'][6:]}",
        "static": "/static/page.css",
        "embed": f"/embed/{NETS}",
        "widget": f"/{widget.path()}",
    }


SHARED = {"manifest", "audio", "static", "widget"}


def test_every_response_has_the_security_headers(client, urls):
    for kind, url in urls.items():
        with client.get(url) as response:
            headers = response.headers
        assert headers["Content-Security-Policy"] == CSP, kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", kind
        policy = headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, kind
        assert headers["X-Frame-Options"] == "DENY", kind


def test_frame_ancestors_lets_sites_frame_the_embed_page_only(site):
    content_dir, build_dir = site
    app = create_app(
        {
            "CONTENT_DIR": content_dir,
            "BUILD_DIR": build_dir,
            "FRAME_ANCESTORS": "'self' https://www.example.org",
        }
    )
    client = app.test_client()
    for url in (f"/embed/{NETS}", "/embed/no-such-page"):
        headers = client.get(url).headers
        assert headers["Content-Security-Policy"].endswith(
            "frame-ancestors 'self' https://www.example.org"
        ), url
        assert "X-Frame-Options" not in headers, url
    # Every other page stays unframeable, so a site allowed to frame the player cannot
    # frame (and overlay) the rest of the service.
    for url in ("/", f"/documents/{NETS}", f"/api/documents/{NETS}/manifest.json"):
        headers = client.get(url).headers
        assert headers["Content-Security-Policy"] == CSP, url
        assert headers["X-Frame-Options"] == "DENY", url


def test_cors_only_on_manifests_audio_and_static(client, urls):
    for kind, url in urls.items():
        with client.get(url, headers={"Origin": "https://elsewhere.example"}) as response:
            headers = response.headers
        if kind in SHARED:
            assert headers["Access-Control-Allow-Origin"] == "*", kind
            assert headers["Access-Control-Expose-Headers"] == (
                "Content-Range, Accept-Ranges, ETag, Content-Length"
            )
            assert "Access-Control-Allow-Credentials" not in headers
        else:
            assert "Access-Control-Allow-Origin" not in headers, kind


def test_preflight_allows_range(client, urls):
    for kind in SHARED:
        response = client.options(
            urls[kind],
            headers={
                "Origin": "https://elsewhere.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "range",
            },
        )
        assert response.status_code == 200, kind
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Range" in response.headers["Access-Control-Allow-Headers"]
        assert "GET" in response.headers["Access-Control-Allow-Methods"]
    page = client.options(urls["page"], headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in page.headers


def test_trusted_hosts_refuse_other_hosts(site):
    content_dir, build_dir = site
    app = create_app(
        {
            "CONTENT_DIR": content_dir,
            "BUILD_DIR": build_dir,
            "TRUSTED_HOSTS": ["reader.example.org"],
        }
    )
    client = app.test_client()
    assert client.get("/", base_url="http://evil.example").status_code == 400
    assert client.get("/", base_url="http://reader.example.org").status_code == 200


def test_proxy_count_checks_the_forwarded_host(site):
    content_dir, build_dir = site
    config = {"CONTENT_DIR": content_dir, "BUILD_DIR": build_dir, "PROXY_COUNT": 1}
    app = create_app({**config, "TRUSTED_HOSTS": ["reader.example.org"]})
    client = app.test_client()
    url = f"/api/documents/{NETS}/manifest.json"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "reader.example.org"}
    response = client.get(url, headers=forwarded)
    assert response.status_code == 200
    # Relative audio URLs: the forwarded scheme and host never reach the manifest.
    assert response.get_json()["sections"][0]["audio"].startswith("audio/")
    evil = client.get(url, headers={**forwarded, "X-Forwarded-Host": "evil.example"})
    assert evil.status_code == 400


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "localhost.evil.example"])
def test_unknown_hosts_are_refused_by_default(app, host):
    client = app.test_client()
    for url in ("/", f"/documents/{NETS}", f"/api/documents/{NETS}/manifest.json"):
        response = client.get(url, headers={"Host": host})
        assert response.status_code == 400, url
        assert b"evil.example" not in response.get_data()


@pytest.mark.parametrize("host", ["127.0.0.1:5000", "localhost", "[::1]:5000", "[::1]"])
def test_loopback_hosts_are_allowed_by_default(app, host):
    response = app.test_client().get(f"/api/documents/{NETS}/manifest.json", headers={"Host": host})
    assert response.status_code == 200
    assert host.encode() not in response.get_data()


def test_a_host_header_never_appears_in_a_manifest(site):
    content_dir, build_dir = site
    app = create_app({"CONTENT_DIR": content_dir, "BUILD_DIR": build_dir, "TRUSTED_HOSTS": ["*"]})
    client = app.test_client()
    url = f"/api/documents/{NETS}/manifest.json"
    poisoned = client.get(url, headers={"Host": "evil.example"})
    assert poisoned.status_code == 200
    # What a cache would have stored from that request is what everyone else gets.
    assert poisoned.get_data() == client.get(url).get_data()
    assert b"evil.example" not in poisoned.get_data()
