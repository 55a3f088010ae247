"""The voice a document names for itself: `<meta name="voice-reader-voice" content="…">`.

Free of the pipeline's imports: the content API writes it into a page without loading them.
"""

from __future__ import annotations

import html
import re

META_NAME = "voice-reader-voice"
VOICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./+-]{0,99}")
"""A voice id as engines name them: "en_US-joe-medium", "gmw/en"; no spaces or markup."""
_META = re.compile(
    rb"<meta\b[^>]*\bname\s*=\s*[\"']?" + META_NAME.encode() + rb"[\"']?[^>]*>", re.IGNORECASE
)
_HEAD = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)


def is_voice_id(value: str) -> bool:
    """Return whether `value` could name a voice."""
    return VOICE_ID.fullmatch(value) is not None


def read_voice(page, warnings: list[str]) -> str:
    """Return the voice a parsed page names in its meta element, or "" when it names none."""
    meta = page.find("meta", attrs={"name": META_NAME})
    if meta is None:
        return ""
    value = str(meta.get("content") or "").strip()
    if not is_voice_id(value):
        warnings.append(f'<meta name="{META_NAME}"> names no voice: {value[:60]!r}; ignored')
        return ""
    return value


def with_voice(source: bytes, voice: str) -> bytes:
    """Return the page's bytes naming `voice` in its meta element, replacing any it had."""
    if not is_voice_id(voice):
        raise ValueError(f"not a voice id: {voice!r}")
    meta = f'<meta name="{META_NAME}" content="{html.escape(voice)}">'.encode()
    source = _META.sub(b"", source)
    head = _HEAD.search(source)
    if head is None:
        return meta + b"\n" + source
    return source[: head.end()] + meta + source[head.end() :]
