"""The whole-page download: every section's MP3 joined into one file, with ID3 chapters."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags

from reader import manifest as mf
from reader.errors import PublishError

DOWNLOAD_VERSION = "1"
"""Bump when the joined file's bytes change for the same sections: its name changes with it."""
TOC_ID = "toc"
MAX_CHILDREN = 255
"""A CTOC counts its children in one byte: longer documents get a table per group of sections."""
NO_OFFSET = 0xFFFFFFFF
"""ID3's "no byte offset": chapters are found by their times."""

_BITRATES_KBPS = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}
_VERSIONS = {0b11: 1, 0b10: 2, 0b00: 25}


@dataclass(frozen=True)
class Chapter:
    """One section of the download: its id, its heading and its MP3."""

    id: str
    title: str
    mp3: bytes


@dataclass(frozen=True)
class Frames:
    """The MPEG audio frames of one MP3 (Layer III, as encode.py writes)."""

    count: int
    samples_per_frame: int
    sample_rate: int
    shape: tuple[int, int, int]
    """(MPEG version, sample rate, channel mode): files can be joined only if these match."""

    @property
    def seconds(self) -> float:
        """Return how long the frames play."""
        return self.count * self.samples_per_frame / self.sample_rate


def mp3_frames(mp3: bytes) -> Frames:
    """Walk the frames of a Layer III MP3 with no tag, checking that they all match."""
    position, count, shape, first = 0, 0, None, None
    known: tuple[bytes, ...] = ()
    size = 0
    while position < len(mp3):
        # A constant-bitrate file repeats one header but for its padding bit: a header is
        # decoded once, so walking the 28,000 frames of a page's sections costs little.
        if not mp3.startswith(known, position):
            header = mp3[position : position + 4]
            size, samples, sample_rate, frame_shape = _frame_header(header, position)
            if shape is None:
                shape, first = frame_shape, (samples, sample_rate)
            elif frame_shape != shape:
                raise PublishError("a section's MP3 changes format midway; it cannot be joined")
            known = tuple(
                header[:2] + bytes((header[2] & 0xFD | padding,)) + header[3:] for padding in (0, 2)
            )
        position += size + ((mp3[position + 2] >> 1) & 1)
        count += 1
    if first is None:
        raise PublishError("a section's MP3 has no audio frames")
    return Frames(count, first[0], first[1], shape)


def _frame_header(header: bytes, position: int) -> tuple[int, int, int, tuple[int, int, int]]:
    """Decode one frame header: its size without padding, samples, sample rate and shape."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        raise PublishError(f"not an MPEG audio frame at byte {position} of a section's MP3")
    mpeg = _VERSIONS.get((header[1] >> 3) & 0b11)
    layer, bitrate_index = (header[1] >> 1) & 0b11, header[2] >> 4
    rate_index, mode = (header[2] >> 2) & 0b11, header[3] >> 6
    if mpeg is None or layer != 0b01 or bitrate_index in (0, 15) or rate_index == 3:
        raise PublishError(f"unsupported MP3 frame at byte {position}: not Layer III CBR")
    sample_rate = _SAMPLE_RATES[mpeg][rate_index]
    bitrate = _BITRATES_KBPS[1 if mpeg == 1 else 2][bitrate_index] * 1000
    samples = 1152 if mpeg == 1 else 576
    return samples // 8 * bitrate // sample_rate, samples, sample_rate, (mpeg, sample_rate, mode)


def join_sections(title: str, chapters: Sequence[Chapter]) -> tuple[bytes, float]:
    """Join the sections' MP3s frame by frame, behind an ID3v2.3 tag with one chapter each.

    Returns the file and its playing time in seconds. Every section was encoded with the same
    settings and starts with a fresh bit reservoir, so the frames join without a gap or click.
    """
    if not chapters:
        raise PublishError("a download needs at least one section")
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[title]))
    ids = [_element_id(chapter.id, number) for number, chapter in enumerate(chapters, 1)]
    for toc in tables_of_contents(title, ids):
        tags.add(toc)
    elapsed, shape = 0.0, None
    for element_id, chapter in zip(ids, chapters, strict=True):
        frames = mp3_frames(chapter.mp3)
        if shape not in (None, frames.shape):
            raise PublishError(f"section {chapter.id!r} is encoded differently from the others")
        shape = frames.shape
        start, elapsed = elapsed, elapsed + frames.seconds
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=round(start * 1000),
                end_time=round(elapsed * 1000),
                start_offset=NO_OFFSET,
                end_offset=NO_OFFSET,
                sub_frames=[TIT2(encoding=3, text=[chapter.title])],
            )
        )
    tag = io.BytesIO()
    # ID3v2.3 rather than 2.4: the version that Windows and older players read.
    tags.save(tag, v1=0, v2_version=3, padding=lambda info: 0)
    return tag.getvalue() + b"".join(chapter.mp3 for chapter in chapters), round(elapsed, 3)


def tables_of_contents(title: str, ids: Sequence[str]) -> list:
    """Return the CTOC frames listing the chapters `ids` in order.

    Up to 255 chapters: one top-level table. More: the top-level table lists ordered
    sub-tables (`toc-1`, `toc-2`, …) of at most 255 chapters each, as ID3's chapter
    addendum allows, so a document may have up to 65,025 sections.
    """
    if len(ids) <= MAX_CHILDREN:
        groups, children = [], list(ids)
    else:
        groups = [ids[start : start + MAX_CHILDREN] for start in range(0, len(ids), MAX_CHILDREN)]
        if len(groups) > MAX_CHILDREN:
            raise PublishError(
                f"a download holds at most {MAX_CHILDREN * MAX_CHILDREN} sections, "
                f"not {len(ids)}: split the document"
            )
        children = [f"{TOC_ID}-{number}" for number in range(1, len(groups) + 1)]
    top = CTOC(
        element_id=TOC_ID,
        flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
        child_element_ids=children,
        sub_frames=[TIT2(encoding=3, text=[title])],
    )
    start = 1
    tables = [top]
    for element_id, group in zip(children, groups, strict=False):
        end = start + len(group) - 1
        tables.append(
            CTOC(
                element_id=element_id,
                flags=CTOCFlags.ORDERED,
                child_element_ids=list(group),
                sub_frames=[TIT2(encoding=3, text=[f"Sections {start} to {end}"])],
            )
        )
        start = end + 1
    return tables


_RESERVED = re.compile(rf"{TOC_ID}(-[0-9]+)?")


def _element_id(section_id: str, number: int) -> str:
    # Element ids are Latin-1 text; a section id normally is plain ASCII, so players that
    # show it show the section's own id. The tables' own ids are kept for the tables.
    if section_id.isascii() and section_id.isprintable() and not _RESERVED.fullmatch(section_id):
        return section_id
    return f"section-{number}"


def download_name(title: str, sections: Sequence[mf.Section]) -> str:
    """Name the download by everything that shapes its bytes, as audio files are named."""
    parts = [DOWNLOAD_VERSION, mutagen.version_string, title]
    parts += [(s.id, s.heading, s.audio) for s in sections]
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:20] + ".mp3"


def build_download(
    folder: Path,
    title: str,
    sections: Sequence[mf.Section],
    old: mf.Manifest | None,
    fresh: Mapping[str, bytes],
) -> tuple[mf.Download, dict[str, bytes]]:
    """Return the manifest's download, and its file by path when it is new, to publish with it.

    The file is joined only when its name is new. `fresh` holds the new sections' audio by
    path; the rest is read from the folder.
    """
    path = f"{mf.AUDIO_DIR}/{download_name(title, sections)}"
    previous = old.download if old else None
    if previous is not None and previous.audio == path and (folder / path).is_file():
        return previous, {}
    chapters = [
        Chapter(s.id, s.heading, fresh.get(s.audio) or _read(folder, s.audio)) for s in sections
    ]
    mp3, duration = join_sections(title, chapters)
    return mf.Download(audio=path, bytes=len(mp3), duration=duration), {path: mp3}


def _read(folder: Path, audio: str | None) -> bytes:
    if audio is None:
        raise PublishError("a section has no audio to put in the download")
    try:
        return (folder / audio).read_bytes()
    except OSError as error:
        raise PublishError(f"cannot read {folder / audio}: {error.strerror}") from None
