"""Third-party host pages for embedding tests: strict CSP, hostile CSS, a CMS's copy of the text."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from flask import Flask, Response, jsonify, request, send_from_directory

# The only pages allowed to frame the test service's embed page: any port of localhost.
FRAMING_HOSTS = "http://localhost:*"
HOSTILE = """
button, span, voice-reader { display: none !important; }
* { color: transparent !important; background: red !important; font-size: 4px !important; }
"""


def page_html(body: str, title: str, head: str = "", scripts: str = "") -> str:
    """Wrap body HTML in a plain page."""
    return (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>{head}</head><body>"
        f'<main id="main">{body}</main>{scripts}</body></html>'
    )


def host_app(
    folder: Path,
    reader_origin: str,
    body: str,
    hostile_css: str = "",
    script: str | None = None,
    csp_extra: str = "",
) -> Flask:
    """Serve a third-party page that embeds the player from `reader_origin` under a strict CSP.

    `/` is the page with `script` (by default the unversioned widget script), `/bare` the same
    page with no script, and `/csp-reports` collects (POST) and lists (GET) CSP violation reports.
    """
    (folder / "hostile.css").write_text(hostile_css)
    if script is None:
        script = f'<script src="{reader_origin}/static/voice-reader.js" defer></script>'
    app = Flask(__name__, static_folder=None)
    reports: list[dict] = []
    # The host lets our origin in for scripts, fetches and media only: never for styles.
    csp = (
        f"default-src 'none'; style-src 'self'; script-src {reader_origin}; "
        f"connect-src {reader_origin}; media-src {reader_origin}; {csp_extra}"
        "report-uri /csp-reports"
    )

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = csp
        return response

    @app.get("/")
    def index():
        head = '<link rel="stylesheet" href="/hostile.css">'
        return page_html(body, "A host page", head, script)

    @app.get("/bare")
    def bare():
        return page_html(body, "A host page", '<link rel="stylesheet" href="/hostile.css">')

    @app.post("/csp-reports")
    def collect():
        reports.append(json.loads(request.get_data() or b"{}"))
        return Response(status=204)

    @app.get("/csp-reports")
    def listing():
        return jsonify(reports)

    @app.get("/hostile.css")
    def css():
        return send_from_directory(folder, "hostile.css", mimetype="text/css")

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    return app


def csp_reports(host_url: str) -> list[dict]:
    """Return the CSP violation reports the host page at `host_url` has received."""
    with urllib.request.urlopen(f"{host_url}/csp-reports") as response:
        return json.load(response)


# Registered before any page script runs, so no violation can slip by unseen.
WATCH_CSP_JS = """document.addEventListener('securitypolicyviolation', (e) => {
  (window.__cspViolations ||= []).push(e.violatedDirective + ' ' + e.blockedURI);
});"""


def csp_violations(page) -> list[str]:
    """Return the `securitypolicyviolation` events seen since WATCH_CSP_JS was installed."""
    return page.evaluate("() => window.__cspViolations || []")


def cms_copy(source: Path, player: str) -> str:
    """Re-mark an article as a CMS would: other ids or none, its own wrappers, the same text.

    Each h2 opens a `<section>`, headings wrap their words in a `<span>`, classes are the CMS's
    own and every other heading gets an id unlike the reader's; `player` goes after the h1.
    """
    soup = BeautifulSoup(source.read_bytes(), "html.parser")
    article = soup.find("article")
    for tag in article.find_all(True):
        tag.attrs.pop("id", None)
    out = soup.new_tag("div", attrs={"class": "cms-article"})
    block = out
    headings = 0
    for child in list(article.children):
        if not isinstance(child, Tag):
            block.append(child.extract())
            continue
        child = child.extract()
        if child.name in ("h1", "h2", "h3"):
            words = soup.new_tag("span", attrs={"class": "cms-heading-text"})
            words.extend(list(child.contents))
            child.append(words)
            child["class"] = f"cms-{child.name}"
            headings += 1
            if headings % 2:
                child["id"] = f"cms-block-{headings}"
            wrapper = soup.new_tag("div", attrs={"class": "cms-heading"})
            wrapper.append(child)
            if child.name == "h2":
                block = soup.new_tag("section", attrs={"class": "cms-block"})
                out.append(block)
            block.append(wrapper)
            if child.name == "h1":
                block.append(BeautifulSoup(player, "html.parser"))
        else:
            child["class"] = f"cms-{child.name}"
            block.append(child)
    return str(out)
