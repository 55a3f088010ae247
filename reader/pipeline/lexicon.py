"""The staff-editable pronunciation lexicon: words eSpeak NG gets wrong, and how to say them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from reader.content import lexicon_paths, read_content
from reader.errors import ContentError

PLS_NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

_TSV_HEADER = ("written", "spoken", "lang", "why")


@dataclass(frozen=True)
class Entry:
    """One word as written on the page and how the reader says it."""

    written: str
    """Matched whole-word and case-sensitively; a lower-case word also matches it capitalised."""
    spoken: str
    """Sent to the engine in place of `written`; never normalised further."""
    lang: str = ""
    """Language the entry applies to ("en" also covers "en-GB"); "" for every language."""
    origin: str = ""
    """Where the entry came from, e.g. "content/lexicon.tsv line 4"."""
    why: str = ""
    """Why the entry is there: what eSpeak NG says without it, for the next editor."""

    def applies_to(self, lang: str) -> bool:
        """Return whether this entry is used for text in `lang`."""
        if not self.lang:
            return True
        mine, theirs = self.lang.lower(), lang.lower()
        return theirs == mine or theirs.startswith(mine + "-")


class Lexicon:
    """Lexicon entries, with per-document entries overriding global ones."""

    def __init__(
        self,
        entries: Iterable[Entry] = (),
        files: Iterable[Path] = (),
        warnings: Iterable[str] = (),
    ):
        self._entries: dict[tuple[str, str], Entry] = {}
        for entry in entries:
            # Later entries win: per-document files are passed after global ones.
            self._entries[(entry.written, entry.lang)] = entry
        self._files = tuple(files)
        self._warnings = tuple(warnings)
        self._patterns: dict[str, tuple[re.Pattern[str] | None, dict[str, Entry]]] = {}

    @property
    def files(self) -> tuple[Path, ...]:
        """The files the entries were loaded from, for the build's content hash."""
        return self._files

    @property
    def warnings(self) -> tuple[str, ...]:
        """Entries that were skipped, with file and line, for `reader check`."""
        return self._warnings

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry, in the order loaded."""
        return tuple(self._entries.values())

    def __contains__(self, written: object) -> bool:
        """Return whether some entry, for any language, is written exactly `written`."""
        return any(entry.written == written for entry in self._entries.values())

    def split(self, text: str, lang: str) -> list[tuple[str, Entry | None]]:
        """Cut `text` into pieces, each paired with the entry that matched it or None."""
        pattern, by_written = self._pattern(lang)
        if pattern is None:
            return [(text, None)] if text else []
        pieces: list[tuple[str, Entry | None]] = []
        position = 0
        for match in pattern.finditer(text):
            if match.start() > position:
                pieces.append((text[position : match.start()], None))
            pieces.append((match[0], by_written[match[0]]))
            position = match.end()
        if position < len(text):
            pieces.append((text[position:], None))
        return pieces

    def _pattern(self, lang: str) -> tuple[re.Pattern[str] | None, dict[str, Entry]]:
        if lang not in self._patterns:
            by_written: dict[str, Entry] = {}
            # Language-specific entries beat entries for every language.
            for entry in sorted(self._entries.values(), key=lambda e: len(e.lang)):
                if entry.applies_to(lang):
                    by_written[entry.written] = entry
            # "octreotide" also covers "Octreotide" at the start of a sentence, unless staff
            # wrote an entry for that spelling too.
            for written, entry in list(by_written.items()):
                capitalised = written[0].upper() + written[1:]
                if written[0].islower() and capitalised not in by_written:
                    by_written[capitalised] = entry
            # Longest first, so "stage IV" wins over "IV".
            alternatives = sorted(by_written, key=len, reverse=True)
            pattern = None
            if alternatives:
                words = "|".join(re.escape(written) for written in alternatives)
                pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)")
            self._patterns[lang] = (pattern, by_written)
        return self._patterns[lang]


def load_lexicon(content_dir: Path, slug: str) -> Lexicon:
    """Load content/lexicon.{tsv,pls}, then content/<slug>.lexicon.{tsv,pls} on top."""
    content_dir = Path(content_dir)
    files = lexicon_paths(content_dir, slug)
    warnings: list[str] = []
    # A word may be in the shared lexicon and in a document's own, but only once in each.
    levels: dict[str, dict[tuple[str, str], Entry]] = {}
    for path in files:
        level = levels.setdefault(path.name.removesuffix(path.suffix), {})
        data = read_content(content_dir, path)
        if path.suffix == ".tsv":
            loaded = parse_tsv(_decode_text(data, path), str(path))
        else:
            loaded, skipped = parse_pls(data, str(path))
            warnings.extend(skipped)
        for entry in loaded:
            key = (entry.written, entry.lang)
            if key in level:
                raise ContentError(
                    f"{entry.origin}: {entry.written!r} is also in {level[key].origin}; keep one"
                )
            level[key] = entry
    entries = [entry for level in levels.values() for entry in level.values()]
    return Lexicon(entries, files, warnings)


def parse_tsv(text: str, name: str) -> list[Entry]:
    """Parse a lexicon.tsv: `written<TAB>spoken[<TAB>lang[<TAB>why]]` lines, `#` comments."""
    entries: list[Entry] = []
    seen: dict[tuple[str, str], int] = {}
    header_allowed = True
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [column.strip() for column in line.split("\t")]
        # Spreadsheets add empty trailing columns; ignore them.
        while len(columns) > 2 and not columns[-1]:
            columns.pop()
        if header_allowed and tuple(c.lower() for c in columns) == _TSV_HEADER[: len(columns)]:
            header_allowed = False
            continue
        header_allowed = False
        where = f"{name} line {number}"
        if len(columns) < 2:
            raise ContentError(
                f"{where}: expected the written word, a tab, then how to say it "
                "(spaces do not separate the columns)"
            )
        if len(columns) > len(_TSV_HEADER):
            raise ContentError(f"{where}: expected at most 4 columns (written, spoken, lang, why)")
        written, spoken, lang, why = [*columns, "", ""][:4]
        entry = _entry(written, spoken, lang, where, why)
        key = (entry.written, entry.lang)
        if key in seen:
            raise ContentError(f"{where}: {written!r} is already on line {seen[key]}")
        seen[key] = number
        entries.append(entry)
    return entries


def parse_pls(source: bytes, name: str) -> tuple[list[Entry], list[str]]:
    """Parse a W3C PLS 1.0 lexicon: each lexeme's graphemes are said as its first alias."""
    reader = _PlsReader(name)
    try:
        reader.feed(source)
    except expat.ExpatError as error:
        raise ContentError(f"{name} line {error.lineno}: not well-formed XML ({error})") from error
    return reader.entries, reader.skipped


def _entry(written: str, spoken: str, lang: str, where: str, why: str = "") -> Entry:
    if not written or not any(ch.isalnum() for ch in written):
        raise ContentError(f"{where}: the written word is empty")
    if not spoken or not any(ch.isalnum() for ch in spoken):
        raise ContentError(f"{where}: how to say {written!r} is empty")
    if lang and not LANG_TAG.fullmatch(lang):
        raise ContentError(f"{where}: {lang!r} is not a language tag like en-GB or cy")
    return Entry(written, spoken, lang, where, why)


def _decode_text(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ContentError(
            f"{path} line {line}: not UTF-8 (byte offset {error.start}); save it as UTF-8"
        ) from error


class _PlsReader:
    """Collect lexemes from PLS XML with expat, which knows the line of each element."""

    def __init__(self, name: str):
        self.name = name
        self.entries: list[Entry] = []
        self.skipped: list[str] = []
        self._lang = ""
        self._lexeme: dict | None = None
        self._text: list[str] | None = None
        self._seen: dict[str, int] = {}
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._characters
        # No DTDs: they are not part of PLS and entity expansion is a denial-of-service risk.
        self._parser.StartDoctypeDeclHandler = self._doctype

    def feed(self, source: bytes) -> None:
        self._parser.Parse(source, True)

    def _where(self) -> str:
        return f"{self.name} line {self._parser.CurrentLineNumber}"

    def _doctype(self, *_args) -> None:
        raise ContentError(f"{self._where()}: a DOCTYPE is not allowed in a lexicon")

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        local = _local_name(tag)
        if local == "lexicon":
            lang = attributes.get("http://www.w3.org/XML/1998/namespace lang", "")
            # Entries follow the primary language, so an en-US lexicon still serves en-GB pages.
            self._lang = lang.split("-", 1)[0] if LANG_TAG.fullmatch(lang) else ""
        elif local == "lexeme":
            self._lexeme = {"line": self._parser.CurrentLineNumber, "grapheme": [], "alias": []}
        elif local in ("grapheme", "alias") and self._lexeme is not None:
            self._text = []

    def _characters(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _end(self, tag: str) -> None:
        local = _local_name(tag)
        if local in ("grapheme", "alias") and self._lexeme is not None and self._text is not None:
            self._lexeme[local].append(" ".join("".join(self._text).split()))
            self._text = None
        elif local == "lexeme" and self._lexeme is not None:
            self._finish(self._lexeme)
            self._lexeme = None

    def _finish(self, lexeme: dict) -> None:
        where = f"{self.name} line {lexeme['line']}"
        graphemes = lexeme["grapheme"]
        if not graphemes:
            raise ContentError(f"{where}: a <lexeme> without a <grapheme>")
        if not lexeme["alias"]:
            # PLS phonemes cannot reach eSpeak through pyttsx3; only respellings can.
            self.skipped.append(
                f"{where}: {graphemes[0]!r} has no <alias>, so the reader cannot use it; "
                "add an <alias> spelling that eSpeak says right"
            )
            return
        for grapheme in graphemes:
            if grapheme in self._seen:
                raise ContentError(
                    f"{where}: {grapheme!r} is already on line {self._seen[grapheme]}"
                )
            self._seen[grapheme] = lexeme["line"]
            self.entries.append(_entry(grapheme, lexeme["alias"][0], self._lang, where))


def _local_name(tag: str) -> str:
    namespace, _, local = tag.rpartition(" ")
    return local if namespace in ("", PLS_NAMESPACE) else ""


def tsv_line(entry: Entry) -> str:
    """Write one entry as a lexicon.tsv line (written, spoken, lang, why; tab-separated)."""
    columns = (entry.written, entry.spoken, entry.lang, entry.why)
    if any(c in column for column in columns for c in "\t\r\n"):
        raise ContentError(f"{entry.written!r}: a lexicon entry cannot hold tabs or line breaks")
    return "\t".join(columns).rstrip("\t")


def make_entry(written: str, spoken: str, lang: str = "", why: str = "") -> Entry:
    """Make an entry typed by a person, checked as a file's would be."""
    try:
        return _entry(written, spoken, lang, "", why)
    except ContentError as error:
        raise ContentError(str(error).removeprefix(": ")) from None
