"""Embedding on another origin: the snippet with SRI, a CMS's copy of the text, the iframe page."""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.request

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from reader.cli import main
from tests.support.browser import (
    PLAYER,
    START,
    axe_violations,
    controls,
    expect_http_errors,
    keyboard_journey,
    open_player,
    playing_status,
    sentence_at,
    state,
    wait_playing,
)
from tests.support.content import REPO
from tests.support.host import FRAMING_HOSTS, WATCH_CSP_JS, cms_copy, csp_reports, csp_violations

# What a careless host stylesheet does; none of it may reach the player or its buttons.
HOST_CSS = """
button { display: none !important; }
* { font-size: 9px; }
audio { display: none !important; }
voice-reader { display: none !important; font: 30px serif !important; color: red !important; }
.vr-listen-control, [role="region"] { display: none !important; }
p { margin: 0 !important; }
"""
FRAME_CSS = "iframe { width: 100%; height: 24em; border: 0; }"

MAPPED_JS = "() => document.querySelector('voice-reader').pageText()"
# Computed styles of the host's own elements, to compare with and without the player.
HOST_STYLES_JS = """() => [...document.querySelectorAll('main *')]
  .filter(e => !e.closest('voice-reader, .vr-listen-control'))
  .map(e => { const s = getComputedStyle(e);
    return [e.tagName, s.display, s.fontSize, s.fontFamily, s.color, s.backgroundColor,
            s.margin, s.padding, s.lineHeight].join('|'); })"""
HEADINGS_JS = """() => {
  const count = (root) => root.querySelectorAll('h1,h2,h3,h4,h5,h6').length
    + [...root.querySelectorAll('*')].reduce((n, e) => n + (e.shadowRoot ? count(e.shadowRoot) : 0),
      0);
  return count(document); }"""
GLOBALS_JS = "() => Object.getOwnPropertyNames(window)"


@pytest.fixture(scope="module")
def snippet(site, published, tmp_path_factory) -> tuple[str, str]:
    """Run `reader embed-snippet` over the served build: (script tag, element)."""
    env = {
        "READER_CONTENT_DIR": str(published.content_dir),
        "READER_BUILD_DIR": str(published.out_dir),
        "READER_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
    }
    args = ["embed-snippet", site.slug, "--base-url", site.url]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    script, element = result.stdout.splitlines()
    return script, element


@pytest.fixture
def article_host(host, snippet):
    """Serve a host page with its own copy of the NETs article and the snippet's player."""
    script, element = snippet
    body = '<p class="cms-site">Our clinic&#8217;s health pages</p>' + cms_copy(
        REPO / "content" / "neuroendocrine-tumours.html", element
    )
    return host(body, HOST_CSS, script=script)


def script_url(snippet) -> str:
    """Return the widget script's URL from the snippet's script tag."""
    return re.search(r'src="([^"]+)"', snippet[0])[1]


def outline(page) -> list[str]:
    """The page's accessibility tree without the player's own region and buttons."""
    lines, skip = [], None
    for line in page.locator("main").aria_snapshot().splitlines():
        depth = len(line) - len(line.lstrip())
        if skip is not None and depth > skip:
            continue
        skip = None
        if 'region "Listen to this page"' in line:
            skip = depth
        elif 'button "Listen from here: ' not in line:
            lines.append(line)
    return lines


def test_sri_of_the_snippet_matches_the_served_script(site, snippet):
    url = script_url(snippet)
    assert url.startswith(f"{site.url}/static/v/")
    with urllib.request.urlopen(url) as response:
        served = response.read()
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    integrity = re.search(r'integrity="([^"]+)"', snippet[0])[1]
    assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(served).digest()).decode()
    assert served == (REPO / "static" / "voice-reader.js").read_bytes()
    # The script fetches its stylesheet from beside itself: the same versioned folder.
    with urllib.request.urlopen(url.replace("voice-reader.js", "voice-reader.css")) as response:
        assert response.read() == (REPO / "static" / "voice-reader.css").read_bytes()


def test_keyboard_journey_on_a_host_with_its_own_copy(page, site, article_host):
    messages = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.add_init_script(WATCH_CSP_JS)
    assert not article_host.startswith(site.url)
    open_player(page, article_host)
    keyboard_journey(page, site)
    page.wait_for_timeout(300)  # reports are sent after the event
    assert csp_violations(page) == []
    assert csp_reports(article_host) == []
    assert messages == []  # nothing at all in the console in normal use
    assert page.context.cookies() == []


def test_host_headings_get_listen_from_here_and_the_highlight(page, site, article_host):
    open_player(page, article_host)
    # Every sentence was found in the host's own markup (other ids or none, other wrappers).
    assert page.evaluate(MAPPED_JS) == [
        [s["text"] for s in sec["sentences"]] for sec in site.sections
    ]
    expect(page.locator("voice-reader .vr-caption")).to_be_hidden()
    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("button", name="Click to listen")).to_be_visible()
    # One "Listen from here" straight after each of the host's headings.
    after = page.evaluate("""() => [...document.querySelectorAll('.vr-listen-control')]
        .map(c => c.previousElementSibling.textContent.replace(/\\s+/g, ' ').trim())""")
    assert after == [s["heading"] for s in site.sections[1:]]  # none for the title alone
    listen = page.get_by_role("button", name=f"Listen from here: {site.heading(5)}")
    expect(listen).to_be_visible()
    box = listen.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    listen.click()
    wait_playing(page, site.sections[5]["sentences"][1]["start"] + 0.2, section=5)
    controls(page).get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")
    now = state(page)
    assert now["highlight"] == sentence_at(site, 5, now["time"])
    assert now["status"] == "Paused"


def test_a_host_with_only_the_title_gets_the_caption(page, site, host, snippet):
    script, element = snippet
    body = f"<h1>{site.heading(0)}</h1>{element}<p>Our own summary, in other words.</p>"
    open_player(page, host(body, HOST_CSS, script=script))
    # No "Listen from here" for the title alone: the player under it starts there.
    title = page.get_by_role("button", name=f"Listen from here: {site.heading(0)}")
    expect(title).to_have_count(0)
    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()
    expect(page.get_by_role("button", name="Click to listen")).to_be_hidden()
    page.keyboard.press("Escape")
    page.get_by_role("button", name=START).click()
    wait_playing(page, 0.2)
    caption = page.locator("voice-reader .vr-caption")
    expect(caption).to_be_visible()
    expect(caption).to_have_text(site.sections[0]["sentences"][0]["text"])


def test_host_keeps_its_outline_styles_and_globals(new_page, site, article_host):
    bare = new_page()  # the same host page without the player's script
    bare.goto(f"{article_host}/bare")
    before = {
        "outline": outline(bare),
        "styles": bare.evaluate(HOST_STYLES_JS),
        "headings": bare.evaluate(HEADINGS_JS),
        "globals": set(bare.evaluate(GLOBALS_JS)),
    }
    page = new_page()
    open_player(page, article_host)
    page.get_by_role("button", name="More").click()
    page.get_by_role("button", name="Keyboard shortcuts").click()
    assert outline(page) == before["outline"]
    assert page.evaluate(HOST_STYLES_JS) == before["styles"]
    assert page.evaluate(HEADINGS_JS) == before["headings"]
    assert set(page.evaluate(GLOBALS_JS)) - before["globals"] == set()
    # The host's CSS did not reach the player: its own size, its buttons shown.
    play = page.get_by_role("button", name=START)
    expect(play).to_be_visible()
    more = page.get_by_role("button", name="More")
    assert more.evaluate("b => getComputedStyle(b).fontSize") == "16px"
    box = play.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44


def test_axe_on_the_host_in_every_state(page, site, article_host):
    page.route(site.sections[2]["audio"], lambda route: route.fulfill(status=404, body="gone"))
    open_player(page, article_host)
    assert axe_violations(page) == [], "idle"
    page.get_by_role("button", name=START).click()
    wait_playing(page)
    assert axe_violations(page) == [], "playing"
    controls(page).get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")
    assert axe_violations(page) == [], "paused"
    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("button", name=site.heading(7), exact=True)).to_be_visible()
    assert axe_violations(page) == [], "More open"
    page.get_by_role("button", name=site.heading(2), exact=True).click()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "error")
    expect(page.get_by_role("button", name="Skip to next section")).to_be_visible()
    assert axe_violations(page) == [], "error"
    expect_http_errors(page, 404)


def test_resume_status_and_media_session_on_the_host(page, site, article_host):
    open_player(page, article_host)
    page.get_by_role("button", name=f"Listen from here: {site.heading(7)}").click()
    wait_playing(page, 1.5, section=7)
    assert state(page)["status"] == playing_status(site, 7)
    meta = page.evaluate("""() => { const m = navigator.mediaSession.metadata;
        return [m.title, m.artist, m.album]; }""")
    assert meta == [site.manifest["document"]["title"], site.heading(7), site.heading(7)]
    controls(page).get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "paused")
    page.reload()
    page.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    resume = page.get_by_role("button", name=f"Resume {site.heading(7)}", exact=True)
    expect(resume).to_be_visible()
    resume.click()
    wait_playing(page, 1, section=7)


def test_the_csp_watch_sees_a_violation(page, site, article_host):
    # The proof that the empty lists above mean something: an image the host's CSP refuses.
    page.add_init_script(WATCH_CSP_JS)
    open_player(page, article_host)
    page.evaluate(
        """(src) => document.body.append(Object.assign(document.createElement('img'), {src}))""",
        f"{site.url}/favicon.ico",
    )
    # Through the violation event itself: the page's CSP refuses a polled string predicate.
    page.evaluate(
        """() => new Promise((resolve) => (window.__cspViolations || []).length ? resolve()
             : document.addEventListener('securitypolicyviolation', resolve, {once: true}))"""
    )
    assert csp_violations(page) == [f"img-src {site.url}/favicon.ico"]
    page.wait_for_timeout(500)
    assert [r["csp-report"]["violated-directive"] for r in csp_reports(article_host)] == ["img-src"]
    refused = [p for p in page.problems if "Content Security Policy" in p]
    assert len(refused) == 1 and "img-src" in refused[0], page.problems
    page.problems.remove(refused[0])


def test_a_tampered_script_is_refused(page, site, snippet, article_host):
    url = script_url(snippet)
    with urllib.request.urlopen(url) as response:
        tampered = response.read() + b"\nconsole.log('tampered');\n"
    page.route(
        url,
        lambda route: route.fulfill(
            status=200,
            body=tampered,
            headers={"Content-Type": "text/javascript", "Access-Control-Allow-Origin": "*"},
        ),
    )
    page.goto(article_host)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert page.evaluate("() => customElements.get('voice-reader') === undefined")
    assert page.locator(PLAYER).get_attribute("data-state") is None
    assert page.locator(".vr-listen-control").count() == 0
    refused = [p for p in page.problems if "integrity" in p]
    assert len(refused) == 1 and url in refused[0], page.problems
    page.problems.remove(refused[0])


def test_iframe_page_plays_when_framed_by_an_allowed_origin(page, site, host):
    title = site.manifest["document"]["title"]
    frame_tag = f'<iframe src="{site.url}/embed/{site.slug}" title="Listen: {title}"></iframe>'
    url = host(
        f"<h1>About our clinic</h1>{frame_tag}",
        FRAME_CSS,
        script="",
        csp_extra=f"frame-src {site.url}; ",
    )
    assert url.startswith("http://localhost:")
    page.goto(url)
    frame = page.frame(url=f"{site.url}/embed/{site.slug}")
    frame.wait_for_selector("voice-reader[data-state='ready']", state="attached")
    inside = page.frame_locator("iframe")
    inside.get_by_role("button", name=START).click()
    wait_playing(frame, 1.2)
    caption = inside.locator("voice-reader .vr-caption")
    expect(caption).to_be_visible()
    expect(caption).to_have_text(site.sections[0]["sentences"][0]["text"])
    link = inside.get_by_role("link", name=re.compile("^Read the full page"))
    expect(link).to_have_attribute("href", f"/documents/{site.slug}")
    # One audit of the host page with the frame's content in it, as a screen reader meets it:
    # the frame adds no h1 of its own to the host's outline.
    assert axe_violations(page, frames=True) == []


def test_iframe_page_is_refused_to_any_other_origin(page, site, host):
    frame_tag = f'<iframe src="{site.url}/embed/{site.slug}" title="Listen"></iframe>'
    url = host(
        f"<h1>Elsewhere</h1>{frame_tag}",
        FRAME_CSS,
        address="127.0.0.1",
        script="",
        csp_extra=f"frame-src {site.url}; ",
    )
    assert not url.startswith("http://localhost:")
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    # Chromium puts an error page in the frame instead of ours, and says why in the console.
    frame = page.frames[1]
    assert frame.url != f"{site.url}/embed/{site.slug}"
    assert frame.evaluate("() => document.querySelector('voice-reader')") is None
    refused = [p for p in page.problems if f"Framing '{site.url}/'" in p]
    assert len(refused) == 1, page.problems
    assert f'"frame-ancestors {FRAMING_HOSTS}"' in refused[0] and "blocked" in refused[0]
    page.problems.remove(refused[0])
