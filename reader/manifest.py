"""The manifest: the one typed contract between the pipeline, the service and the widget.

The build writes a `Manifest`; the export reads one with `load_manifest`. A page needs only its
`Outline` (everything but the sentences), which `read_outline` checks and reads.
To add a field, declare it on its dataclass with a type and a default (an optional field is
`name: T | None = None`, and is left out of the JSON while it is None); `from_dict` checks its
type from the annotation, and a `_check` method checks anything more.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from dataclasses import MISSING, dataclass, fields, is_dataclass
from functools import cache
from pathlib import Path

# The names of published things live in reader/layout.py, which imports nothing; readers of
# manifests keep using them from here.
from reader import names
from reader.layout import AUDIO_DIR, INDEX_NAME, MANIFEST_NAME, PAGES_DIR, VERSION, is_valid_slug

UNPUBLISHED_NAME = "unpublished.json"
"""Left in a document's folder when it is unpublished: its page answers 410 Gone."""
AUDIO_NAME_PATTERN = r"[0-9a-f]{8,64}"
"""The content hash that names an audio file (without `.mp3`)."""
_AUDIO_RE = re.compile(rf"{AUDIO_DIR}/({AUDIO_NAME_PATTERN})\.mp3")
_PAGE_RE = re.compile(rf"{PAGES_DIR}/[0-9a-f]{{8,64}}\.html")


class ManifestError(ValueError):
    """A manifest is missing, unreadable, malformed or not of a version this code understands."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ManifestError(message)


# ---------------------------------------------------------------- the model


class _Checked:
    """Check every instance, whether the build made it or `from_dict` read it."""

    def __post_init__(self) -> None:
        self._check()

    def _check(self) -> None:
        """Raise ManifestError unless the values make sense together."""

    @classmethod
    def from_dict(cls, data: object, where: str | None = None):
        """Check and convert parsed JSON; raise ManifestError saying where it is wrong."""
        return _convert(cls, data, where or cls.__name__.lower())

    def to_dict(self) -> dict:
        """Return JSON-ready data, optional fields left out while they are None."""
        return _to_json(self)


@dataclass(frozen=True)
class Sentence(_Checked):
    """One sentence of a section's audio, with its time in that section's file."""

    start: float
    """Seconds from the start of the section's audio file."""
    end: float
    text: str
    """Display text exactly as the page shows it, white space collapsed."""
    spoken: str
    """What the engine was asked to say."""
    words: tuple[tuple[float, int, int], ...] | None = None
    """Each word the engine said: (start, offset, length), start in seconds on the same clock
    as `start`, offset and length in UTF-16 code units of `text` (as JavaScript indexes it).
    Several spoken words may share one span ("500mg" is said "500 milligrams"); None for a
    sentence built before word timings existed."""
    lang: str | None = None
    """BCP 47 language of the sentence; None for one built before languages were recorded."""
    voice: str | None = None
    """Engine voice that read the sentence (its main language when it mixes languages)."""
    parts: tuple[SentencePart, ...] | None = None
    """The runs of a sentence that mixes languages, in order, each with its own voice."""

    def _check(self) -> None:
        _require(0 <= self.start <= self.end, f"bad timing: start {self.start}, end {self.end}")
        if self.words is not None:
            _check_words(self.words, self.start, self.end, _utf16_length(self.text))

    @staticmethod
    def _from_wire(data: dict) -> dict:
        """Turn the JSON's word steps back into (start, offset, length) words."""
        steps = data.get("words")
        if not isinstance(steps, list) or not isinstance(data.get("start"), int | float):
            return data
        return {**data, "words": _words_from_steps(steps, data["start"])}

    def _to_wire(self, out: dict) -> dict:
        """Write the words as steps from the word before: the gzipped manifest stays small."""
        if self.words is not None:
            out["words"] = _words_to_steps(self.words, self.start)
        return out


@dataclass(frozen=True)
class SentencePart(_Checked):
    """A run of a sentence in one language, such as a `<span lang="cy">` phrase."""

    text: str
    """Display text of the run, as it stands in the sentence's `text`."""
    lang: str
    voice: str
    start: float
    """Seconds from the start of the section's audio file, as the sentence's `start`."""
    end: float

    def _check(self) -> None:
        _require(bool(self.text) and bool(self.lang) and bool(self.voice), "an empty part")
        _require(0 <= self.start <= self.end, f"bad part timing: {self.start}-{self.end}")


WORD_TIME_SLACK = 0.01
"""Seconds a word's start may fall outside its sentence: the two are rounded differently."""


def _check_words(words, start: float, end: float, text_length: int) -> None:
    previous = start - WORD_TIME_SLACK
    last = end + WORD_TIME_SLACK
    for word_start, offset, length in words:
        # The messages are built only on failure: a page has thousands of words.
        if not previous <= word_start <= last:
            raise ManifestError(
                f"word at {word_start} s is out of order or outside its sentence ({start}-{end} s)"
            )
        if not (offset >= 0 and length > 0 and offset + length <= text_length):
            raise ManifestError(
                f"word span {offset}+{length} is outside the sentence text ({text_length} units)"
            )
        previous = word_start


def _words_to_steps(words, start: float) -> list[list[int]]:
    """Encode words as [centiseconds since the word before, units since its end, length]."""
    # The first step counts from the sentence's start, the first gap from the text's start.
    steps, previous_time, previous_end = [], _centiseconds(start), 0
    for word_start, offset, length in words:
        time = _centiseconds(word_start)
        steps.append([time - previous_time, offset - previous_end, length])
        previous_time, previous_end = time, offset + length
    return steps


def _words_from_steps(steps: list, start: float) -> list:
    """Decode what `_words_to_steps` wrote, refusing anything else."""
    words, time, end = [], _centiseconds(start), 0
    for number, step in enumerate(steps):
        if not (isinstance(step, list) and len(step) == 3 and all(type(n) is int for n in step)):
            error = _Invalid(f"expected a step of three whole numbers, got {step!r:.40}")
            error.path.append(f".words[{number}]")
            raise error
        time += step[0]
        offset = end + step[1]
        end = offset + step[2]
        words.append([time / 100, offset, step[2]])
    return words


def _centiseconds(seconds: float) -> int:
    # Half up, as the widget's Math.floor(x * 100 + 0.5) does: both sides agree to the step.
    return math.floor(seconds * 100 + 0.5)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Download(_Checked):
    """The whole document as one MP3, with a chapter per section, for listening offline."""

    audio: str
    """`audio/<hash>.mp3`, relative to the manifest."""
    bytes: int
    duration: float
    """Seconds the file plays: the sections' audio, joined."""

    def _check(self) -> None:
        _require(_AUDIO_RE.fullmatch(self.audio) is not None, f"bad download path {self.audio!r}")
        _require(self.bytes >= 0, f"bad download bytes {self.bytes!r}")
        _require(self.duration >= 0, f"bad download duration {self.duration!r}")

    @property
    def audio_name(self) -> str:
        """Return the hash that names the file, without `.mp3`."""
        return self.audio[len(AUDIO_DIR) + 1 : -len(".mp3")]


@dataclass(frozen=True)
class SectionOutline(_Checked):
    """A section as its page shows it: its heading and its audio, without sentence timings."""

    id: str
    """The id of the section's heading on the page."""
    heading: str
    level: int
    """1 for the introduction (the title and any text before the first h2), else 2 or 3."""
    audio: str | None = None
    """`audio/<hash>.mp3`, relative to the manifest; None while the audio is being prepared."""
    duration: float | None = None
    """Seconds of audio."""
    bytes: int | None = None
    """Size of the audio file."""

    def _check(self) -> None:
        _require(bool(self.id), "empty id")
        _require(self.level in (1, 2, 3), f"level must be 1, 2 or 3, not {self.level}")
        if self.audio is None:
            return
        _require(_AUDIO_RE.fullmatch(self.audio) is not None, f"bad audio path {self.audio!r}")
        _require(
            self.duration is not None and self.duration >= 0, f"bad duration {self.duration!r}"
        )
        _require(self.bytes is not None and self.bytes >= 0, f"bad bytes {self.bytes!r}")

    @property
    def audio_name(self) -> str | None:
        """Return the hash that names the audio file, without `.mp3`."""
        return None if self.audio is None else self.audio[len(AUDIO_DIR) + 1 : -len(".mp3")]


@dataclass(frozen=True)
class Section(SectionOutline):
    """A navigable part of the document: its heading, and its audio and sentences if any."""

    key: str | None = None
    """Hash of what shaped the audio, so that a rebuild can reuse it; clients ignore it."""
    sentences: tuple[Sentence, ...] = ()
    """In reading order, the heading first; empty while the audio is being prepared."""

    def _check(self) -> None:
        super()._check()
        if self.audio is None:
            _require(not self.sentences, "sentences without audio")
        else:
            _require(bool(self.sentences), "audio without sentences")


@dataclass(frozen=True)
class DocumentInfo(_Checked):
    """Which document, and which version of its source, the manifest is of."""

    slug: str
    title: str
    lang: str
    """BCP 47 language of the document."""
    source_sha256: str
    """SHA-256 of the content file the build read."""
    words: int | None = None
    """Words of display text, to estimate the listening time while audio is prepared."""

    def _check(self) -> None:
        _require(is_valid_slug(self.slug), f"not a document name: {self.slug!r}")
        _require(bool(self.title), "empty title")
        _require(re.fullmatch(r"[0-9a-f]{64}", self.source_sha256) is not None, "bad source_sha256")


@dataclass(frozen=True)
class Voice(_Checked):
    """How the engine spoke: the same settings give the same audio."""

    engine: str
    """Engine and version, e.g. "pyttsx3-2.99/espeak-ng-1.52"."""
    voice: str
    """Engine voice id of the document's own language, e.g. "gmw/en"."""
    rate: int
    """Words per minute."""
    description: str = ""
    """How the page names the voice to listeners, e.g. "Joe, American English"."""


@dataclass(frozen=True)
class Outline(_Checked):
    """What a page shows of a published version: all of its manifest but the sentences.

    The sentences and their word timings are nearly all of a manifest's bytes and objects;
    a page needs none of them, so the service reads them only for the widget.
    """

    document: DocumentInfo
    built_at: str
    """When the build published it, e.g. "2026-11-26T14:00:00Z"."""
    sections: tuple[SectionOutline, ...]
    """In reading order; the first is the introduction."""
    voice: Voice | None = None
    """None while the audio is being prepared."""
    page: str | None = None
    """`pages/<hash>.html`, relative to the manifest: the sanitised article HTML."""
    build_key: str | None = None
    """Hash of every input of the build, so that an unchanged document is skipped."""
    download: Download | None = None
    """The whole document in one MP3; None while the audio is being prepared."""
    version: int = VERSION

    def _check(self) -> None:
        _require(self.version == VERSION, f"not a version {VERSION} manifest")
        _require(bool(self.sections), "no sections")
        ids = [s.id for s in self.sections]
        _require(len(set(ids)) == len(ids), "section ids are not unique")
        with_audio = sum(s.audio is not None for s in self.sections)
        # Text and audio are one version: either every section has audio, or none has yet.
        _require(with_audio in (0, len(ids)), "some sections have audio and some do not")
        _require(not with_audio or self.voice is not None, "audio without a voice")
        _require(with_audio or self.download is None, "a download without section audio")
        _require(self.page is None or _PAGE_RE.fullmatch(self.page) is not None, "bad page path")

    @property
    def has_audio(self) -> bool:
        """Return whether every section has its audio (else it is being prepared)."""
        return self.sections[0].audio is not None

    @property
    def duration(self) -> float:
        """Return the listening time in seconds (0 while audio is being prepared)."""
        return sum(s.duration or 0.0 for s in self.sections)

    @property
    def audio_names(self) -> set[str]:
        """Return the names of the audio files this version uses, with `.mp3`."""
        names = {f"{s.audio_name}.mp3" for s in self.sections if s.audio is not None}
        if self.download is not None:
            names.add(f"{self.download.audio_name}.mp3")
        return names

    @classmethod
    def from_dict(cls, data: object, where: str | None = None) -> typing.Self:
        """Check and convert a parsed manifest; raise ManifestError saying where it is wrong."""
        # The version first: another version's fields mean something else.
        if isinstance(data, dict) and data.get("version") != VERSION:
            raise ManifestError(f"not a version {VERSION} manifest")
        return _convert(cls, data, where or "manifest")


@dataclass(frozen=True)
class Manifest(Outline):
    """One published version of a document: its page, its outline, its audio and timings."""

    sections: tuple[Section, ...]
    """In reading order; the first is the introduction."""


@dataclass(frozen=True)
class IndexEntry(_Checked):
    """What the index page shows of one published document."""

    slug: str
    title: str
    lang: str
    sections: int
    words: int
    """Words of display text, to estimate the listening time while audio is prepared."""
    built_at: str
    duration: float | None = None
    """Seconds of audio; None while the audio is being prepared."""

    @classmethod
    def of(cls, manifest: Outline) -> IndexEntry:
        """Summarise a published manifest for the index."""
        document = manifest.document
        return cls(
            slug=document.slug,
            title=document.title,
            lang=document.lang,
            sections=len(manifest.sections),
            words=document.words or 0,
            built_at=manifest.built_at,
            duration=manifest.duration if manifest.has_audio else None,
        )


@dataclass(frozen=True)
class Index(_Checked):
    """Every published document in one small file, so the service never lists the folder."""

    documents: tuple[IndexEntry, ...]
    """Sorted by slug."""
    version: int = VERSION

    def _check(self) -> None:
        _require(self.version == VERSION, f"not a version {VERSION} index")


# ---------------------------------------------------------------- typed conversion


class _Invalid(Exception):
    """A value that does not fit its type; `path` says where, filled in on the way out."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


def _convert(kind, value, where: str):
    """Convert JSON `value` to the annotated type `kind`, or raise ManifestError saying where."""
    try:
        return _converter(kind)(value)
    except _Invalid as error:
        place = where + "".join(reversed(error.path))
        raise ManifestError(f"{place}: {error.message}") from None


def _fail(expected: str, value) -> typing.NoReturn:
    raise _Invalid(f"expected {expected}, got {value!r:.40}")


@cache
def _converter(kind) -> typing.Callable[[object], object]:
    """Make, once per type, the function that checks and converts a JSON value to it."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        convert_inner = _converter(inner)
        return lambda value: None if value is None else convert_inner(value)
    if is_dataclass(kind):
        return _mapping_converter(kind)
    if origin is tuple:
        return _tuple_converter(typing.get_args(kind))
    if kind is float:

        def to_float(value):
            # type(), not isinstance(): True is an int, but not a number of seconds.
            if type(value) in (float, int) and math.isfinite(value):
                return float(value)
            _fail("a number", value)

        return to_float
    if kind is int:

        def to_int(value):
            if type(value) is not int:
                _fail("a whole number", value)
            return value

        return to_int

    def to_plain(value):
        if not isinstance(value, kind):
            _fail(kind.__name__, value)
        return value

    return to_plain


def _tuple_converter(args: tuple):
    if len(args) == 2 and args[1] is Ellipsis:
        convert_item = _converter(args[0])
        items = None
    else:
        items = [_converter(a) for a in args]

    def to_tuple(value):
        if not isinstance(value, list):
            _fail("a list", value)
        if items is not None and len(value) != len(items):
            raise _Invalid(f"expected {len(items)} items")
        converted = []
        for number, item in enumerate(value):
            try:
                convert = convert_item if items is None else items[number]
                converted.append(convert(item))
            except _Invalid as error:
                error.path.append(f"[{number}]")
                raise
        return tuple(converted)

    return to_tuple


def _mapping_converter(cls):
    hints = typing.get_type_hints(cls)
    # Unknown keys are ignored, so an older reader accepts a newer build's manifest.
    specs = [
        (
            spec.name,
            _converter(hints[spec.name]),
            spec.default is MISSING and spec.default_factory is MISSING,
        )
        for spec in fields(cls)
    ]

    def to_dataclass(data):
        if not isinstance(data, dict):
            _fail("an object", data)
        if hasattr(cls, "_from_wire"):
            # A class whose JSON is packed differently from its fields unpacks it first.
            data = cls._from_wire(data)
        values = {}
        for name, convert, required in specs:
            if name in data:
                try:
                    values[name] = convert(data[name])
                except _Invalid as error:
                    error.path.append(f".{name}")
                    raise
            elif required:
                error = _Invalid("missing")
                error.path.append(f".{name}")
                raise error
        try:
            return cls(**values)
        except ManifestError as error:
            raise _Invalid(str(error)) from None

    return to_dataclass


def _to_json(value):
    # Tens of thousands of values a manifest: the plain ones return first, and each class's
    # fields are looked up once (see _json_fields).
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    if is_dataclass(value):
        out = {}
        for name, omitted_when_none in _json_fields(type(value)):
            item = getattr(value, name)
            if item is None and omitted_when_none:
                continue
            out[name] = _to_json(item)
        return value._to_wire(out) if hasattr(value, "_to_wire") else out
    return value


@cache
def _json_fields(cls) -> tuple[tuple[str, bool], ...]:
    """Name each field of a manifest class, and whether it is left out while it is None."""
    return tuple((spec.name, spec.default is None) for spec in fields(cls))


# ---------------------------------------------------------------- files


def document_dir(out_dir: Path, slug: str) -> Path:
    """Return the folder that holds one document's published files: one flat folder per name."""
    if not is_valid_slug(slug):
        raise ManifestError(f"not a document name: {slug!r}")
    return Path(out_dir) / names.key(slug)


def manifest_path(out_dir: Path, slug: str) -> Path:
    """Return the path of a document's published manifest."""
    return document_dir(out_dir, slug) / MANIFEST_NAME


def read_manifest(path: Path) -> Manifest | None:
    """Read and check the manifest at `path`; None when there is none."""
    return parse_manifest(_read_bytes(path), path)


def read_outline(path: Path) -> Outline | None:
    """Read and check what a page needs of the manifest at `path`; None when there is none."""
    return parse_manifest(_read_bytes(path), path, Outline)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ManifestError(f"{path}: cannot read the manifest: {error}") from error


def parse_manifest(raw: bytes | None, path: Path, kind: type[Outline] = Manifest):
    """Check and convert the bytes of the manifest at `path` to `kind`; None for None."""
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise ManifestError(f"{path}: cannot read the manifest: {error}") from error
    try:
        return kind.from_dict(data)
    except ManifestError as error:
        raise ManifestError(f"{path}: {error}") from None


def load_manifest(out_dir: Path, slug: str) -> Manifest | None:
    """Read a document's published manifest; None when nothing is published yet."""
    return read_manifest(manifest_path(out_dir, slug))


def load_outline(out_dir: Path, slug: str) -> Outline | None:
    """Read what a page needs of a document's published manifest; None when there is none."""
    return read_outline(manifest_path(out_dir, slug))


def published_slugs(out_dir: Path) -> list[str]:
    """List the names of the documents that have a published manifest, sorted."""
    root = Path(out_dir)
    if not root.is_dir():
        return []
    found = ((names.from_key(p.name), p) for p in root.iterdir())
    return sorted(name for name, p in found if name and (p / MANIFEST_NAME).is_file())


def dumps(value: Manifest | Index) -> bytes:
    """Serialise a manifest or the index the one way it is always written: compact JSON."""
    return json.dumps(value.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_index(out_dir: Path) -> Index | None:
    """Read and check the build folder's index; None when there is none."""
    path = Path(out_dir) / INDEX_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ManifestError(f"{path}: cannot read the index: {error}") from error
    return parse_index(raw, path)


def parse_index(raw: bytes, path: Path | str) -> Index:
    """Check and convert the bytes of the index at `path`."""
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise ManifestError(f"{path}: cannot read the index: {error}") from error
    return Index.from_dict(data, where=str(path))
