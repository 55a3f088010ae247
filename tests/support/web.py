"""Make small content and build folders for the service's tests, without the speech engine."""

from __future__ import annotations

import hashlib
import math
import struct
from pathlib import Path

import lameenc

from reader import manifest as mf
from tests.support.content import NETS, write_document

NETS_HTML = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Neuroendocrine tumours (NETs)</title></head>
<body>
<h1>Neuroendocrine tumours (NETs)</h1>
<p>A neuroendocrine tumour (NET) is a tumour that develops from cells of the neuroendocrine
system.</p>
<p>Cells that are similar to nerve cells make up the neuroendocrine system. They make chemical
messengers called hormones. Hormones control how different organs in the body work.</p>
<h2>Types of NETs</h2>
<p>Some NETs make extra hormones and cause symptoms. These are called functioning tumours.</p>
<p>NETs are grouped according to where the cancer started (the primary tumour). For example:</p>
<ul>
<li>small bowel NETs</li>
<li>appendix NETs</li>
<li>pancreatic NETs</li>
<li>lung NETs.</li>
</ul>
<h2>Symptoms of neuroendocrine tumours (NETs)</h2>
<p>Symptoms will depend on where in the body the NET is. A NET in the lung may cause chest
infections and shortness of breath.</p>
<p>If you are worried about NETs, <a href="https://example.org/signs">we have more information
about the signs and symptoms</a>.</p>
<h2>Diagnosis of neuroendocrine tumours (NETs)</h2>
<p>You usually start by seeing your GP. If they are unsure of the problem, they will refer you to
a specialist at the hospital.</p>
<h3>Urine and blood tests</h3>
<p>If you have a NET, the levels of some chemicals in the blood may rise. This is mainly serotonin
and a protein called chromogranin A (CgA).</p>
<h3>Scans</h3>
<p>An ultrasound scan uses soundwaves to build up a picture of inside your body. A CT scan uses
x-rays to build a 3D picture of the inside of the body.</p>
<h2>Treatment for neuroendocrine tumours (NETs)</h2>
<p>A team of specialists will meet to discuss the best possible treatment for you. This is called
a multidisciplinary team (MDT).</p>
<p>The main treatment is surgery to remove the tumour. The aim of this is to cure the cancer.</p>
</body>
</html>
"""
PLAIN = "coughs-and-colds"
PLAIN_HTML = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Coughs and colds</title></head>
<body>
<h1>Coughs and colds</h1>
<p>Most coughs and colds get better on their own within two weeks.</p>
<h2>When to get help</h2>
<p>Ask a pharmacist or call your GP if you are worried.</p>
</body>
</html>
"""


def tone_mp3(seconds: float = 0.5, frequency: float = 440.0) -> bytes:
    """Encode a short sine tone as a mono MP3."""
    rate = 16000
    samples = (
        int(8000 * math.sin(2 * math.pi * frequency * i / rate)) for i in range(int(rate * seconds))
    )
    pcm = b"".join(struct.pack("<h", s) for s in samples)
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm) + encoder.flush())


def publish(
    content_dir: Path, build_dir: Path, slug: str, seconds: float = 80.0, audio: bool = True
) -> dict:
    """Publish a version as the build would: page, manifest, index, a tone MP3 per section.

    With `audio=False`, the version is text only, as when its audio could not be built.
    """
    from reader.pipeline.parse import parse_document
    from reader.pipeline.publish import Version
    from reader.pipeline.publish import publish as publish_version

    source = (content_dir / f"{slug}.html").read_bytes()
    document = parse_document(source, slug)
    audio_dir = mf.document_dir(build_dir, slug) / mf.AUDIO_DIR
    audio_dir.mkdir(parents=True, exist_ok=True)
    sections = []
    for number, section in enumerate(document.sections):
        if not audio:
            sections.append({"id": section.id, "heading": section.heading, "level": section.level})
            continue
        data = tone_mp3(frequency=220.0 + 40 * number)
        name = hashlib.sha256(data + section.id.encode()).hexdigest()[:20]
        (audio_dir / f"{name}.mp3").write_bytes(data)
        step = seconds / max(1, len(section.blocks))
        sentences = [
            {"start": i * step, "end": (i + 1) * step - 0.1, "text": b.text, "spoken": b.text}
            for i, b in enumerate(section.blocks)
        ]
        sections.append(
            {
                "id": section.id,
                "heading": section.heading,
                "level": section.level,
                "audio": f"{mf.AUDIO_DIR}/{name}.mp3",
                "duration": seconds,
                "bytes": len(data),
                "sentences": sentences,
            }
        )
    manifest = {
        "version": mf.VERSION,
        "document": {
            "slug": slug,
            "title": document.title,
            "lang": document.lang,
            "source_sha256": hashlib.sha256(source).hexdigest(),
            "words": sum(len(b.text.split()) for s in document.sections for b in s.blocks),
        },
        "built_at": "2026-11-26T14:00:00Z",
        "build_key": "test",
        "sections": sections,
    }
    if audio:
        manifest["voice"] = {"engine": "test-tone", "voice": "none", "rate": 160}
    version = Version(mf.Manifest.from_dict(manifest), document.html)
    published = publish_version(build_dir, version, lock_timeout=10)
    return published.to_dict()


def make_site(root: Path) -> tuple[Path, Path]:
    """Make content with two documents: NETs published with audio, the other as text only."""
    content_dir, build_dir = root / "content", root / "build"
    write_document(content_dir, NETS, NETS_HTML)
    write_document(content_dir, PLAIN, PLAIN_HTML)
    build_dir.mkdir(parents=True, exist_ok=True)
    publish(content_dir, build_dir, NETS)
    publish(content_dir, build_dir, PLAIN, audio=False)
    return content_dir, build_dir
