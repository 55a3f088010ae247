"""HTML bytes → Document: pick the content, drop chrome, sanitise, fix the outline, cut sections."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import warnings as python_warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.dammit import EntitySubstitution
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
from bs4.formatter import HTMLFormatter

from reader.content import MAX_SOURCE_BYTES
from reader.document_voice import read_voice
from reader.errors import ContentError
from reader.model import Block, Document, Section
from reader.pipeline.sentences import collapse_whitespace, split_sentences
from reader.source_url import META_NAME, address_problem

MAX_SENTENCES = 20_000
DEFAULT_LANG = "en-GB"
MAX_DEPTH = 200
"""Elements nested deeper are unwrapped: no real page comes near it."""

# Page chrome, scripts and controls: never read and never shown on the reader's page.
DROPPED_TAGS = frozenset(
    {
        "nav",
        "header",
        "footer",
        "aside",
        "script",
        "style",
        "form",
        "iframe",
        "noscript",
        "template",
        "head",
        "title",
        "button",
        "select",
        "textarea",
        "input",
        "svg",
        "math",
        "canvas",
        "object",
        "embed",
        "audio",
        "video",
        "dialog",
    }
)

ALLOWED_TAGS = frozenset(
    {
        *(f"h{level}" for level in range(1, 7)),
        *("p", "br", "div", "span", "blockquote"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
        *("abbr", "em", "strong", "b", "i", "sub", "sup", "q", "a", "time"),
        *("figure", "figcaption"),
    }
)
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "id", "dir"},
    "abbr": {"title"},
    "a": {"href"},
    "time": {"datetime"},
    "table": {"role"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""Link schemes kept; relative links are kept too, everything else (javascript:) is removed."""

MEDIA_TAGS = frozenset({"iframe", "video", "audio", "object", "embed"})
"""Embedded media: not read aloud, so each becomes a link to it and a finding."""
VIDEO_HOSTS = frozenset(
    {"youtube.com", "youtube-nocookie.com", "youtu.be", "vimeo.com", "player.vimeo.com"}
)
"""Hosts whose frames are videos (with or without "www.")."""
_BLOCK_PARENTS = frozenset({"body", "main", "article", "section", "div", "figure", "blockquote"})
"""Where an image's text stands as a paragraph of its own; elsewhere it stays inline."""

RESERVED_IDS = frozenset({"main"})
"""Ids the service's page uses itself (as do all ids starting "vr-")."""

LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
HEADINGS = tuple(f"h{level}" for level in range(1, 7))
SECTION_LEVELS = (2, 3)
"""h2 and h3 start sections; h4-h6 stay headings inside their section."""

_BLOCK_KINDS = {
    **{tag: "heading" for tag in HEADINGS},
    "p": "paragraph",
    "div": "paragraph",
    "blockquote": "paragraph",
    "caption": "paragraph",
    "figcaption": "paragraph",
    "li": "item",
    "dt": "item",
    "dd": "item",
    "td": "cell",
    "th": "cell",
}
_CONTAINERS = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "figure"})
_LAYOUT_ROLES = frozenset({"presentation", "none"})
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_FORMATTER = HTMLFormatter(
    entity_substitution=EntitySubstitution.substitute_xml,
    void_element_close_prefix="",
    empty_attributes_are_booleans=True,
)
_MAX_HTML_PROBLEMS = 10


def parse_document(source: bytes, slug: str) -> Document:
    """Parse a content file's bytes into a sanitised Document; raise ContentError if unusable."""
    if len(source) > MAX_SOURCE_BYTES:
        raise ContentError(
            f"the file is {len(source):,} bytes; the limit is {MAX_SOURCE_BYTES:,} "
            "bytes (2 MB); split it into smaller documents"
        )
    if not source.strip():
        raise ContentError("the file is empty")
    text = _decode(source)
    warnings = [f"malformed HTML, {problem}" for problem in _html_problems(text)]

    page = _soup(text)
    _flatten(page, warnings)
    _validate_langs(page, warnings)
    source_url = _source_url(page, warnings)
    voice = read_voice(page, warnings)
    _drop_unread(page)
    container = page.find("main") or page.find("article") or page.find("body") or page
    if source_url:
        _absolute_links(container, source_url)
    _link_media(container, warnings)
    _read_images(container, warnings)
    lang = _inherited_lang(container)
    if lang is None:
        lang = DEFAULT_LANG
        warnings.append(f"no lang attribute on <html> or the content; assuming {DEFAULT_LANG}")

    clean = _soup(_sanitise(container.decode_contents()))
    _flatten(clean, [])
    if not any(ch.isalnum() for ch in clean.get_text()):
        raise ContentError("the document has no readable text")
    headings = _drop_empty_headings(clean.find_all(HEADINGS), warnings)
    title = clean.find("h1")
    if title is None:
        raise ContentError("no h1; the document needs one <h1> heading, its title, at the top")
    section_headings = _normalise_outline(headings, title, warnings)
    _assign_ids(clean, title, section_headings, warnings)

    found = _BlockCollector(lang).collect(clean)
    # Counted as reader.pipeline.speech cuts them: a heading is one sentence.
    sentences = sum(
        1 if block.kind == "heading" else len(split_sentences(block.text)) for block, _ in found
    )
    if sentences > MAX_SENTENCES:
        raise ContentError(
            f"the document has {sentences:,} sentences; the limit is "
            f"{MAX_SENTENCES:,}; split it into smaller documents"
        )
    # Tags compare equal by content, so sections are found by identity: two "Tests" differ.
    sections = _sections(found, title, set(map(id, section_headings)), warnings)
    return Document(
        slug=slug,
        title=sections[0].heading,
        lang=lang,
        sections=sections,
        html=clean.decode(formatter=_FORMATTER).strip() + _original_page(source_url),
        source_sha256=hashlib.sha256(source).hexdigest(),
        warnings=tuple(warnings),
        voice=voice,
    )


def slugify(text: str) -> str:
    """Make an id from heading text: lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))
    if len(slug) > 80:
        slug = slug[:80].rsplit("-", 1)[0]
    return slug or "section"


def normalise_lang(value: str) -> str | None:
    """Return a BCP 47 tag in its usual case ("en-gb" → "en-GB"), or None if it is not one."""
    value = value.strip().replace("_", "-")
    if not LANG_TAG.fullmatch(value):
        return None
    first, *rest = value.split("-")
    subtags = [first.lower()]
    for subtag in rest:
        if len(subtag) == 2 and subtag.isalpha():
            subtags.append(subtag.upper())
        elif len(subtag) == 4 and subtag.isalpha():
            subtags.append(subtag.title())
        else:
            subtags.append(subtag.lower())
    return "-".join(subtags)


def _flatten(page: BeautifulSoup, warnings: list[str]) -> None:
    """Replace what is nested deeper than MAX_DEPTH by its text, with a space between blocks.

    beautifulsoup4 recurses on depth when it serialises and compares tags, so a document
    nested a few hundred levels deep would otherwise raise RecursionError.
    """
    cut = 0
    stack = [(page, 0)]
    while stack:
        element, depth = stack.pop()
        tags = [child for child in element.children if isinstance(child, Tag)]
        if depth < MAX_DEPTH:
            stack.extend((child, depth + 1) for child in tags)
        elif tags:
            parts = []
            for node in element.descendants:
                if isinstance(node, Tag):
                    cut += 1
                    if node.name in _BLOCK_KINDS or node.name in ("br", "li"):
                        parts.append(" ")
                elif _is_text(node):
                    parts.append(str(node))
            element.clear()
            element.append(NavigableString("".join(parts)))
    if cut:
        warnings.append(
            f"markup is nested more than {MAX_DEPTH} levels deep; {cut:,} deeper "
            "elements were replaced by their text"
        )


def _soup(text: str) -> BeautifulSoup:
    with python_warnings.catch_warnings():
        # Short documents can look like file names or URLs to bs4; they are still HTML.
        python_warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(text, "html.parser")


def _decode(source: bytes) -> str:
    skipped = len(codecs.BOM_UTF8) if source.startswith(codecs.BOM_UTF8) else 0
    try:
        return source[skipped:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + skipped
        line = source.count(b"\n", 0, offset) + 1
        hint = (
            " (it looks like UTF-16)"
            if source[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
            else ""
        )
        raise ContentError(
            f"not valid UTF-8 at byte offset {offset} (line {line}){hint}; save the file as UTF-8"
        ) from error


def _validate_langs(page: BeautifulSoup, warnings: list[str]) -> None:
    for element in page.find_all(lang=True):
        value = element["lang"]
        normal = normalise_lang(value) if isinstance(value, str) else None
        if normal is None:
            if isinstance(value, str) and value.strip():
                warnings.append(
                    f'lang="{value}" on <{element.name}> is not a language tag '
                    "like en-GB or cy; it is ignored"
                )
            del element["lang"]
        else:
            element["lang"] = normal


def _drop_unread(page: BeautifulSoup) -> None:
    for element in page.find_all(_is_unread):
        if not element.decomposed:
            element.decompose()


def _is_unread(element: Tag) -> bool:
    if element.name in ("header", "footer"):
        # A header or footer inside main or article belongs to the content (its title,
        # review dates); elsewhere it is site chrome.
        return element.find_parent(("main", "article")) is None
    if element.name in DROPPED_TAGS and element.name not in MEDIA_TAGS:
        # Media are kept for _link_media, which turns each into a link and a finding.
        return True
    if element.has_attr("hidden"):
        return True
    if str(element.get("aria-hidden", "")).strip().lower() == "true":
        return True
    if str(element.get("data-reader", "")).strip().lower() == "skip":
        return True
    return bool(_HIDING_STYLE.search(str(element.get("style", ""))))


def _source_url(page: BeautifulSoup, warnings: list[str]) -> str | None:
    """Return the address of the CMS page the document came from, if its source names one."""
    meta = page.find("meta", attrs={"name": META_NAME})
    if meta is None:
        return None
    value = str(meta.get("content", "")).strip()
    problem = address_problem(value, f'<meta name="{META_NAME}">')
    if problem:
        warnings.append(f"{problem}; relative links are left as they are")
        return None
    return value


def _absolute_links(container: Tag, base: str) -> None:
    """Make relative link and media addresses absolute against the page's own address."""
    # A CMS's "/" and "/documents/1/leaflet.pdf" mean its own site, never the reader's.
    for element in container.find_all(("a", "iframe", "video", "audio", "source", "embed")):
        name = "href" if element.name == "a" else "src"
        value = element.get(name)
        if isinstance(value, str) and not value.strip().startswith("#"):
            _join(element, name, base)
    for element in container.find_all("object", data=True):
        _join(element, "data", base)


def _join(element: Tag, name: str, base: str) -> None:
    """Make one address absolute against `base`; remove it when it is no address at all."""
    try:
        element[name] = urljoin(base, str(element[name]).strip())
    except ValueError:
        # "http://[x" cannot be joined; it must not stop the parse, and leads nowhere.
        del element[name]


def _link_media(container: Tag, warnings: list[str]) -> None:
    """Replace each embedded video, audio or frame by a link to it, and say so."""
    outermost = [
        element
        for element in container.find_all(MEDIA_TAGS)
        if element.find_parent(MEDIA_TAGS) is None
    ]
    for element in outermost:
        address = _media_address(element)
        host = (urlsplit(address).hostname or "") if address else ""
        kind = _media_kind(element.name, host)
        name = collapse_whitespace(str(element.get("title") or element.get("aria-label") or ""))
        heading = element.find_previous(HEADINGS)
        where = f', after the heading "{_inline_text(heading)}"' if heading else ""
        what = f'"{name}"' if name else (address or "with no address")
        if address:
            warnings.append(
                f"{_ARTICLE[kind]} {kind} here is not read aloud ({what}{where}); "
                "the page links to it instead"
            )
            paragraph = _soup(
                f'<p>{kind.capitalize()}: <a href="{escape(address)}">'
                f"{escape(name or host or address)}</a></p>"
            ).p
            element.replace_with(paragraph)
        else:
            warnings.append(
                f"{_ARTICLE[kind]} {kind} here is not read aloud{where}, and it has no web "
                "address to link to, so it was left out"
            )
            element.decompose()


_ARTICLE = {"video": "a", "audio clip": "an", "embedded page": "an"}


def _media_address(element: Tag) -> str | None:
    """Return the http(s) or relative address an embedded element shows, if it has one."""
    candidates = [element.get("data" if element.name == "object" else "src")]
    candidates += [source.get("src") for source in element.find_all("source")]
    for value in candidates:
        if isinstance(value, str) and value.strip():
            try:
                parts = urlsplit(value.strip())
                parts.hostname  # noqa: B018 - reading it checks the host, as _link_media will
            except ValueError:
                continue
            if parts.scheme.lower() in ("", "http", "https"):
                return value.strip()
    return None


def _media_kind(tag: str, host: str) -> str:
    if tag == "video" or host.removeprefix("www.") in VIDEO_HOSTS:
        return "video"
    if tag == "audio":
        return "audio clip"
    return "embedded page"


def _read_images(container: Tag, warnings: list[str]) -> None:
    """Replace each image by "Image: " and its alt text; say which images have none."""
    for image in container.find_all("img"):
        alt = image.get("alt")
        role = str(image.get("role", "")).strip().lower()
        if alt is None and role not in ("presentation", "none"):
            heading = image.find_previous(HEADINGS)
            where = f' after the heading "{_inline_text(heading)}"' if heading else ""
            source = str(image.get("src") or "with no address")[:80]
            warnings.append(
                f"an image ({source}){where} has no alt text, so listeners do not hear it: "
                'give it alt text that says what it shows, or alt="" if it is decoration'
            )
        text = collapse_whitespace(str(alt or ""))
        if not text or role in ("presentation", "none"):
            # alt="" marks an image as decoration on purpose: nothing to read.
            image.decompose()
            continue
        spoken = NavigableString(f"Image: {text}")
        if image.parent is not None and image.parent.name in _BLOCK_PARENTS:
            paragraph = Tag(name="p")
            paragraph.append(spoken)
            image.replace_with(paragraph)
        else:
            image.replace_with(spoken)


def _original_page(source_url: str | None) -> str:
    """Return the line that says where the page came from, shown but not read aloud."""
    if not source_url:
        return ""
    address = escape(source_url)
    return f'\n<p class="vr-source">Original page: <a href="{address}">{address}</a></p>'


def _inherited_lang(element: Tag) -> str | None:
    for node in (element, *element.parents):
        value = node.get("lang") if isinstance(node, Tag) else None
        if value:
            return value
    return None


def _sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "dir":
        return value if value in ("ltr", "rtl", "auto") else None
    if name == "role":
        # Only the roles that mark a layout table: its cells are read without headers.
        return value if value in _LAYOUT_ROLES else None
    if name == "scope":
        return value if value in ("row", "col", "rowgroup", "colgroup") else None
    if name in ("colspan", "rowspan", "start"):
        return value if value.isdigit() else None
    return value


def _drop_empty_headings(headings: list[Tag], warnings: list[str]) -> list[Tag]:
    """Remove headings with no text, as a CMS exports them, saying which; return the others."""
    # Read aloud, an empty heading is a silent, nameless section; skipped levels are
    # repaired the same way, with a warning instead of failing the whole document.
    kept, previous = [], None
    for number, heading in enumerate(headings, start=1):
        text = _inline_text(heading)
        if any(ch.isalnum() for ch in text):
            kept.append(heading)
            previous = text
            continue
        after = f', after "{previous}"' if previous else ", the first heading"
        warnings.append(
            f"an <{heading.name}> with no text (heading {number}{after}) was dropped; "
            "give it text or remove it"
        )
        heading.decompose()
    return kept


def _normalise_outline(headings: list[Tag], title: Tag, warnings: list[str]) -> list[Tag]:
    """Give the page one h1 and no skipped levels; return the headings that start sections."""
    # A stack of (level as written, level now); the title is the root, below any other h1.
    stack: list[tuple[int, int]] = [(0, 1)]
    seen_title = False
    sections = []
    for heading in headings:
        text = _inline_text(heading)
        if heading is title:
            seen_title = True
            continue
        if not seen_title:
            warnings.append(
                f'the <{heading.name}> "{text}" comes before the h1; '
                "it is read as part of the introduction"
            )
            continue
        written = int(heading.name[1])
        while stack[-1][0] >= written:
            stack.pop()
        level = stack[-1][1] + 1
        stack.append((written, level))
        if written == 1:
            warnings.append(f'a second h1 "{text}" is now an h2: a page has one h1')
        elif level != written:
            warnings.append(
                f'heading "{text}" was an h{written} under an h{level - 1}, skipping a level; '
                f"it is now an h{level}"
            )
        heading.name = f"h{level}"
        if level in SECTION_LEVELS:
            sections.append(heading)
    return sections


def _assign_ids(clean: BeautifulSoup, title: Tag, sections: list[Tag], warnings: list[str]) -> None:
    """Keep valid unique ids; give the title and section headings ids from their text."""
    taken: set[str] = set()
    for element in clean.find_all(id=True):
        value = element["id"]
        if VALID_ID.fullmatch(value) and value not in taken and not _reserved(value):
            taken.add(value)
            continue
        reason = "is used twice" if value in taken else "cannot be used"
        warnings.append(f'id "{value}" on <{element.name}> {reason}; it was removed')
        del element["id"]
    for heading in (title, *sections):
        if heading.has_attr("id"):
            continue
        base = slugify(_inline_text(heading))
        candidate, number = base, 1
        while candidate in taken or _reserved(candidate):
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        heading["id"] = candidate


def _reserved(value: str) -> bool:
    return value in RESERVED_IDS or value.startswith("vr-")


def _inline_text(element: Tag) -> str:
    return collapse_whitespace("".join(text for text, _ in _inline_runs(element)))


def _inline_runs(element: Tag) -> list[tuple[str, str | None]]:
    """Return an element's text as (text, lang) runs; lang is None where it is the element's."""
    runs: list[tuple[str, str | None]] = []
    # An explicit stack, as in _BlockCollector: nesting may be thousands of levels deep.
    stack: list[tuple[Iterator, str | None]] = [(iter(element.children), None)]
    while stack:
        children, lang = stack[-1]
        node = next(children, _DONE)
        if node is _DONE:
            stack.pop()
        elif isinstance(node, Tag):
            if node.name == "br":
                runs.append((" ", lang))
            else:
                stack.append((iter(node.children), node.get("lang") or lang))
        elif _is_text(node):
            runs.append((str(node), lang))
    return runs


def _block(runs: list[tuple[str, str | None]], lang: str, kind: str) -> Block | None:
    """Make a Block of text runs, noting the spans in another language; None if it is empty."""
    if all(run_lang in (None, lang) for _, run_lang in runs):
        text = collapse_whitespace("".join(text for text, _ in runs))
        return Block(text, lang, kind) if text else None
    text, spans = _collapse_runs(runs, lang)
    return Block(text, lang, kind, spans) if text else None


def _collapse_runs(
    runs: list[tuple[str, str | None]], lang: str
) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """Collapse white space as collapse_whitespace does, keeping each character's language."""
    chars: list[str] = []
    langs: list[str] = []
    space = False
    for text, run_lang in runs:
        for char in text:
            if char.isspace():
                space = bool(chars)
                continue
            if space:
                # A space between two runs belongs to neither: it goes with the one before.
                chars.append(" ")
                langs.append(langs[-1])
                space = False
            chars.append(char)
            langs.append(run_lang or lang)
    spans = []
    start = 0
    for end in range(1, len(chars) + 1):
        if end == len(chars) or langs[end] != langs[start]:
            first, last = start, end
            while chars[last - 1] == " ":
                last -= 1
            if langs[start] != lang and first < last:
                spans.append((first, last, langs[start]))
            start = end
    return "".join(chars), tuple(spans)


def _is_text(node: object) -> bool:
    return isinstance(node, NavigableString) and not isinstance(
        node, Comment | Declaration | Doctype | ProcessingInstruction
    )


def _nearest_lang(element: Tag, default: str) -> str:
    return _inherited_lang(element) or default


class _BlockCollector:
    """Walk sanitised HTML in reading order, cutting it into Blocks."""

    def __init__(self, lang: str):
        self.lang = lang
        self.found: list[tuple[Block, Tag | None]] = []
        self.buffer: list[tuple[str, str | None]] = []
        """Text runs of the block being read, each with its inline `lang` (None: the block's)."""
        self.label = ""
        """The row and column headers of the data cell being read, said before its first block."""
        self.tables: dict[int, TableHeaders] = {}
        """Each table's headers, found once: by the id of its <table> tag."""

    def _cell_label(self, cell: Tag) -> str:
        table = cell.find_parent("table")
        if table is None:
            return ""
        if id(table) not in self.tables:
            self.tables[id(table)] = table_headers(table)
        return cell_label(cell, self.tables[id(table)])

    def collect(self, root: Tag) -> list[tuple[Block, Tag | None]]:
        # An explicit stack, not recursion: a document may nest thousands of levels deep.
        # Each frame is (children still to visit, kind, owner, the block to end on leaving,
        # the inline language of the children).
        stack: list[tuple[Iterator, str, Tag, tuple[str, Tag] | None, str | None]] = [
            (iter(root.children), "paragraph", root, ("paragraph", root), None)
        ]
        while stack:
            children, kind, owner, ends, inline = stack[-1]
            child = next(children, _DONE)
            if child is _DONE:
                stack.pop()
                if ends is not None:
                    self._flush(*ends)
            elif (frame := self._visit(child, kind, owner, inline)) is not None:
                stack.append(frame)
        return self.found

    def _visit(self, node: object, kind: str, owner: Tag, inline: str | None):
        """Take one node; return the frame for its children, or None if it has none to walk."""
        if not isinstance(node, Tag):
            if _is_text(node):
                self.buffer.append((str(node), inline))
            return None
        name = node.name
        if name in HEADINGS:
            self._flush(kind, owner)
            lang = _nearest_lang(node, self.lang)
            # Every heading is found, even one with no text: its section starts here.
            block = _block(_inline_runs(node), lang, "heading") or Block("", lang, "heading")
            self.found.append((block, node))
            return None
        if name in _BLOCK_KINDS:
            self._flush(kind, owner)
            inner = _BLOCK_KINDS[name]
            if inner == "paragraph" and kind in ("item", "cell"):
                # A paragraph inside a list item or cell still reads as that item or cell.
                inner = kind
            if name == "td":
                self.label = self._cell_label(node)
            return iter(node.children), inner, node, (inner, node), None
        if name in _CONTAINERS:
            self._flush(kind, owner)
            return iter(node.children), kind, owner, (kind, owner), None
        if name == "br":
            # A line break ends a sentence: address lines and dates must not run together.
            self._flush(kind, owner)
            return None
        # An inline element: a `lang` on it (a Welsh phrase in an English sentence) holds for
        # its text only, which is read in that language's voice.
        return iter(node.children), kind, owner, None, node.get("lang") or inline

    def _flush(self, kind: str, owner: Tag) -> None:
        if all(text.isspace() for text, _ in self.buffer):
            # Finding the language walks up the tree: not for every empty flush of a deep one.
            self.buffer.clear()
            return
        block = _block(self.buffer, _nearest_lang(owner, self.lang), kind)
        self.buffer.clear()
        if block is not None:
            if kind == "cell" and self.label:
                block = replace(block, label=self.label)
                self.label = ""  # a cell of several blocks has its header said once
            self.found.append((block, None))


_DONE = object()


@dataclass(frozen=True)
class TableHeaders:
    """A data table's header rows: the text, first column and span of each header cell."""

    rows: frozenset[int]
    """The ids of the header rows' <tr> tags."""
    cells: tuple[tuple[str, int, int], ...]
    layout: bool = False
    """A layout table: no cell of it has a header, not even a row header."""


def table_headers(table: Tag) -> TableHeaders:
    """Find a table's header cells; none in a layout table.

    A table marked role="presentation" or "none", or with no <th> at all, lays out text: its
    cells are read as they are. Otherwise header rows are those in <thead>, or made only of
    <th> (a <th scope="row"> names its row, not a column).
    """
    if table.get("role") in _LAYOUT_ROLES:
        return TableHeaders(frozenset(), (), layout=True)
    rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
    header_rows = [row for row in rows if _is_header_row(row)]
    cells = tuple(
        (collapse_whitespace(cell.get_text(" ")), start, span)
        for row in header_rows
        for cell, start, span in _cells_with_columns(row)
        if cell.name == "th"
    )
    return TableHeaders(frozenset(map(id, header_rows)), cells)


def cell_label(cell: Tag, headers: TableHeaders) -> str:
    """Return what a screen reader says before a data cell: its row header, then its column's.

    "Sodium, Normal range" for the range cell of a row headed by a <th scope="row">Sodium</th>
    (or by a <th> first in a body row); the column header alone in a table without row headers.
    """
    if headers.layout:
        return ""
    names = [name for name in (row_header(cell, headers), column_header(cell, headers)) if name]
    return ", ".join(names)


def row_header(cell: Tag, headers: TableHeaders) -> str:
    """Return the text of the header cell that names a data cell's row; "" if none does."""
    row = cell.find_parent("tr")
    if row is None or id(row) in headers.rows:
        return ""
    cells = row.find_all(("td", "th"), recursive=False)
    marked = [c for c in cells if c.name == "th" and c.get("scope") in ("row", "rowgroup")]
    # A <th> first in a body row names the row, as screen readers take it, scope or not.
    header = marked[0] if marked else (cells[0] if cells and cells[0].name == "th" else None)
    if header is None or header is cell:
        return ""
    return collapse_whitespace(header.get_text(" "))


def column_header(cell: Tag, headers: TableHeaders) -> str:
    """Return the text of the header cells over a data cell's column, joined; "" if none."""
    row = cell.find_parent("tr")
    if row is None or id(row) in headers.rows:
        return ""
    column = _column_of(row, cell)
    names: list[str] = []
    for text, start, span in headers.cells:
        if start <= column < start + span and text and text not in names:
            names.append(text)
    label = ", ".join(names)
    # "Test" over a cell that reads "Test": no header is needed to say what it is.
    return "" if label == collapse_whitespace(cell.get_text(" ")) else label


def _is_header_row(row: Tag) -> bool:
    cells = row.find_all(("td", "th"), recursive=False)
    if row.find_parent("thead") is not None:
        return bool(cells)
    # An empty corner cell (often a <td>) above the row headers does not make it a body row.
    headers = [c for c in cells if c.name == "th" or c.get_text(strip=True)]
    return bool(headers) and all(
        c.name == "th" and c.get("scope") not in ("row", "rowgroup") for c in headers
    )


def _cells_with_columns(row: Tag) -> list[tuple[Tag, int, int]]:
    found, column = [], 0
    for cell in row.find_all(("td", "th"), recursive=False):
        span = int(cell.get("colspan") or 1)
        found.append((cell, column, span))
        column += span
    return found


def _column_of(row: Tag, cell: Tag) -> int:
    for candidate, start, _span in _cells_with_columns(row):
        if candidate is cell:
            return start
    return 0


def _sections(
    found: list[tuple[Block, Tag | None]],
    title: Tag,
    starts: set[int],
    warnings: list[str],
) -> tuple[Section, ...]:
    before: list[Block] = []
    built: list[tuple[str, str, int, list[Block]]] = []
    for block, heading in found:
        if heading is title:
            built.append((title["id"], block.text, 1, [block, *before]))
            if before:
                warnings.append(
                    f'text before the h1 ("{before[0].text[:40]}") is read after the title'
                )
        elif heading is not None and id(heading) in starts:
            built.append((heading["id"], block.text, int(heading.name[1]), [block]))
        elif built:
            built[-1][3].append(block)
        else:
            before.append(block)
    return tuple(
        Section(id=section_id, heading=heading, level=level, blocks=tuple(blocks))
        for section_id, heading, level, blocks in built
    )


def _html_problems(text: str) -> list[str]:
    checker = _TagBalance()
    checker.feed(text)
    checker.close()
    problems = checker.problems
    if len(problems) > _MAX_HTML_PROBLEMS:
        more = len(problems) - _MAX_HTML_PROBLEMS
        problems = [*problems[:_MAX_HTML_PROBLEMS], f"and {more} more problems"]
    return problems


_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
_OPTIONAL_END = frozenset(
    {"html", "head", "body", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th"}
    | {"thead", "tbody", "tfoot", "colgroup", "caption", "rt", "rp"}
)


class _TagBalance(HTMLParser):
    """Find unclosed and stray tags, which html.parser otherwise repairs silently."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in _VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        # In HTML "<div/>" opens a div; only inside SVG or MathML does "/>" close it.
        if not any(name in ("svg", "math") for name, _ in self.stack):
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        line = self.getpos()[0]
        if tag in _VOID:
            return
        if all(name != tag for name, _ in self.stack):
            self.problems.append(f"line {line}: </{tag}> closes nothing")
            return
        while True:
            name, opened = self.stack.pop()
            if name == tag:
                return
            if name not in _OPTIONAL_END:
                self.problems.append(f"line {opened}: <{name}> is not closed before </{tag}>")

    def close(self):
        super().close()
        for name, opened in self.stack:
            if name not in _OPTIONAL_END:
                self.problems.append(f"line {opened}: <{name}> is never closed")
        self.stack.clear()
