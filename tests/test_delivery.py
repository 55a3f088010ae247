"""Test file delivery: Range requests, ETags, 304s and caching headers."""

from __future__ import annotations

import gzip
import json

import pytest

from reader.manifest import manifest_path
from tests.support.web import NETS, PLAIN, publish


@pytest.fixture
def audio(site):
    """Return (URL, bytes, name) of the first section's audio."""
    manifest = json.loads(manifest_path(site[1], NETS).read_bytes())
    relative = manifest["sections"][0]["audio"]
    name = relative.removeprefix("audio/").removesuffix(".mp3")
    return f"/audio/{NETS}/{name}.mp3", (site[1] / NETS / relative).read_bytes(), name


def test_audio_is_immutable_with_its_name_as_etag(client, audio):
    url, data, name = audio
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["ETag"] == f'"{name}"'
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["Content-Length"] == str(len(data))
        assert response.get_data() == data


def test_audio_etag_gives_304(client, audio):
    url, _, name = audio
    with client.get(url, headers={"If-None-Match": f'"{name}"'}) as response:
        assert response.status_code == 304
        assert response.get_data() == b""
    with client.get(url, headers={"If-None-Match": '"something-else"'}) as response:
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", None, None)],
)
def test_audio_range_gives_206(client, audio, header, start, end):
    url, data, _ = audio
    with client.get(url, headers={"Range": header}) as response:
        assert response.status_code == 206
        body = response.get_data()
    if header == "bytes=-50":
        expected, start, end = data[-50:], len(data) - 50, len(data) - 1
    else:
        end = len(data) - 1 if end is None else end
        expected = data[start : end + 1]
    assert body == expected
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"
    assert response.headers["Content-Length"] == str(len(expected))
    assert "immutable" in response.headers["Cache-Control"]


def test_audio_range_out_of_bounds_gives_416(client, audio):
    url, data, _ = audio
    with client.get(url, headers={"Range": f"bytes={len(data) + 10}-"}) as response:
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{len(data)}"


def test_audio_range_with_matching_if_range_is_honoured(client, audio):
    url, data, name = audio
    headers = {"Range": "bytes=0-9", "If-Range": f'"{name}"'}
    with client.get(url, headers=headers) as response:
        assert response.status_code == 206
        assert response.get_data() == data[:10]


@pytest.mark.parametrize("extra", [1, 1000, 10**12])
def test_a_suffix_longer_than_the_file_sends_the_whole_file(client, audio, extra):
    url, data, _ = audio
    with client.get(url, headers={"Range": f"bytes=-{len(data) + extra}"}) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes 0-{len(data) - 1}/{len(data)}"
        assert response.get_data() == data


@pytest.mark.parametrize("header", ["bytes=0-1,5-10", "bytes=0-1, 5-", "bytes=-5,0-0"])
def test_several_ranges_send_the_whole_file(client, audio, header):
    url, data, _ = audio
    with client.get(url, headers={"Range": header}) as response:
        assert response.status_code == 200
        assert "Content-Range" not in response.headers
        assert response.headers["Content-Length"] == str(len(data))
        assert response.get_data() == data


@pytest.mark.parametrize("header", ["chars=0-1", "bytes", "bytes=5-2", "bytes=abc", "bytes=1-2-3"])
def test_an_unknown_unit_or_a_bad_range_is_ignored(client, audio, header):
    url, data, _ = audio
    with client.get(url, headers={"Range": header}) as response:
        assert response.status_code == 200
        assert response.get_data() == data


@pytest.mark.parametrize("tag", ['"{name}"', 'W/"{name}"', '"other", "{name}"', "*"])
def test_a_matching_if_none_match_gives_304_even_with_a_range(client, audio, tag):
    url, _, name = audio
    headers = {"If-None-Match": tag.format(name=name), "Range": "bytes=0-9"}
    with client.get(url, headers=headers) as response:
        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == f'"{name}"'
        assert "Content-Range" not in response.headers


def test_if_range_that_does_not_match_sends_the_whole_file(client, audio):
    url, data, name = audio
    for validator in ('"other"', f'W/"{name}"', "Tue, 01 Jan 2002 00:00:00 GMT", "not a date"):
        headers = {"Range": "bytes=0-9", "If-Range": validator}
        with client.get(url, headers=headers) as response:
            assert response.status_code == 200, validator
            assert response.get_data() == data


def test_if_range_with_the_exact_date_is_honoured(client, audio):
    url, data, _ = audio
    with client.get(url) as response:
        modified = response.headers["Last-Modified"]
    with client.get(url, headers={"Range": "bytes=0-9", "If-Range": modified}) as response:
        assert response.status_code == 206
        assert response.get_data() == data[:10]


def test_if_modified_since_gives_304(client, audio):
    url, _, _ = audio
    with client.get(url) as response:
        modified = response.headers["Last-Modified"]
    with client.get(url, headers={"If-Modified-Since": modified}) as response:
        assert response.status_code == 304
    old = {"If-Modified-Since": "Tue, 01 Jan 2002 00:00:00 GMT"}
    with client.get(url, headers=old) as response:
        assert response.status_code == 200


def test_if_match_must_match_strongly(client, audio):
    url, data, name = audio
    for tag in ('"other"', f'W/"{name}"'):
        with client.get(url, headers={"If-Match": tag, "Range": "bytes=0-9"}) as response:
            assert response.status_code == 412, tag
    for tag in (f'"{name}"', "*"):
        with client.get(url, headers={"If-Match": tag, "Range": "bytes=0-9"}) as response:
            assert response.status_code == 206, tag
            assert response.get_data() == data[:10]


@pytest.mark.parametrize("header", ["bytes=-0", "bytes={size}-", "bytes={size}-{size}"])
def test_an_unsatisfiable_range_gives_416_with_the_length(client, audio, header):
    url, data, _ = audio
    with client.get(url, headers={"Range": header.format(size=len(data))}) as response:
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{len(data)}"
        assert response.headers["Cache-Control"] == "no-store"


def test_a_range_past_the_end_is_clipped(client, audio):
    url, data, _ = audio
    with client.get(url, headers={"Range": f"bytes=10-{len(data) * 2}"}) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes 10-{len(data) - 1}/{len(data)}"
        assert response.get_data() == data[10:]


def test_head_ignores_a_range(client, audio):
    url, data, _ = audio
    with client.head(url, headers={"Range": "bytes=0-9"}) as response:
        assert response.status_code == 200
        assert response.headers["Content-Length"] == str(len(data))
        assert response.get_data() == b""


def test_missing_audio_is_404(client):
    assert client.get(f"/audio/{NETS}/{'0' * 20}.mp3").status_code == 404
    assert client.get(f"/audio/no-such-page/{'0' * 20}.mp3").status_code == 404


def test_manifest_is_no_cache_with_an_etag_and_304(client):
    url = f"/api/documents/{NETS}/manifest.json"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    etag = response.headers["ETag"]
    assert etag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_manifest_etag_is_the_same_on_every_host(app):
    app.config["ALLOWED_HOSTS"] = ["localhost", "reader.example.org"]
    client = app.test_client()
    url = f"/api/documents/{NETS}/manifest.json"
    one = client.get(url).headers["ETag"]
    other = client.get(url, base_url="https://reader.example.org").headers["ETag"]
    assert one == other


def test_pages_are_no_cache_with_an_etag_and_304(client):
    for url in ("/", f"/documents/{NETS}"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-cache"
        assert (
            client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
        )


def test_page_etag_changes_when_audio_is_published(client, site):
    url = f"/documents/{PLAIN}"
    before = client.get(url).headers["ETag"]
    publish(site[0], site[1], PLAIN)
    assert client.get(url).headers["ETag"] != before


def test_static_files_are_no_cache_with_an_etag(client):
    with client.get("/static/page.css") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        etag = response.headers["ETag"]
    with client.get("/static/page.css", headers={"If-None-Match": etag}) as response:
        assert response.status_code == 304


def test_static_max_age_is_configurable(app):
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 300
    with app.test_client().get("/static/page.css") as response:
        assert response.headers["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize("url", ["/", f"/documents/{NETS}", f"/api/documents/{NETS}/manifest.json"])
def test_generated_responses_are_gzipped_when_accepted(client, url):
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding"
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert int(packed.headers["Content-Length"]) < int(plain.headers["Content-Length"])
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
