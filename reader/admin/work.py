"""What the worker does for each job: build, preview, clip and retire (imports the pipeline)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from reader import manifest as mf
from reader.admin.preview import inspect_document
from reader.admin.queue import BUILD, CLIP, PREVIEW, RETIRE, Job, Queue
from reader.errors import ReaderError
from reader.locks import FileLock
from reader.model import Sentence
from reader.pipeline.build import BuildOptions, build_document
from reader.pipeline.lexicon import Entry, Lexicon
from reader.pipeline.publish import (
    atomic_write,
    document_lock,
    remove_from_index,
    retire_unreferenced,
)
from reader.pipeline.say import voice_of_document
from reader.pipeline.speech import spoken_text
from reader.pipeline.synthesise import SectionJob, synthesise_sections

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What every job needs: the queue and the folders and engine of the service."""

    queue: Queue
    content_dir: Path
    build_dir: Path
    instance_path: Path
    engine: str
    voice: str | None = None
    """The site's voice for each document's own language; None chooses by language."""
    jobs: int | None = None
    """Synthesis processes per build; None is the pipeline's default."""


context: Context | None = None
"""Set by the worker before it runs any job."""


def run(job_id: str) -> None:
    """Run one job by id, recording how it went; never raise for the job's own failure."""
    queue = context.queue
    job = queue.record(job_id)
    if job is None:
        log.warning("job %s has no record; skipped", job_id)
        return
    if job.kind == BUILD:
        queue.claim_pending(job.slug)
    # Held for the whole job, so that its liveness comes from the running job itself: the
    # kernel lets go of it the moment this process (and any it forked) is gone.
    queue.locks_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(queue.job_lock_path(job.id))
    lock.acquire(timeout=0)
    job.state, job.started, job.error = "building", time.time(), None
    queue.save(job)
    queue.huey.put("running", job.id)
    try:
        job.result = RUNNERS[job.kind](context, job)
        job.state = "succeeded"
    except ReaderError as error:
        job.state, job.error = "failed", str(error)
    except Exception as error:
        # Any fault fails this job only; the worker goes on with the next one.
        log_path = context.instance_path / "worker.log"
        with open(log_path, "a", encoding="utf-8") as file:
            file.write(f"job {job.id} ({job.kind} {job.slug}):\n{traceback.format_exc()}\n")
        job.state = "failed"
        job.error = f"unexpected {type(error).__name__}: {error} (traceback in {log_path})"
    job.finished = time.time()
    queue.save(job)
    queue.huey.delete("running")
    lock.release()
    queue.job_lock_path(job.id).unlink(missing_ok=True)


def _build(ctx: Context, job: Job) -> dict:
    def progress(slug: str, done: int, total: int) -> None:
        job.done, job.total = done, total
        ctx.queue.save(job)

    options = BuildOptions(engine=ctx.engine, voice=ctx.voice)
    if ctx.jobs:
        options = BuildOptions(engine=ctx.engine, voice=ctx.voice, jobs=ctx.jobs)
    result = build_document(ctx.content_dir, ctx.build_dir, job.slug, options, progress)
    (mf.document_dir(ctx.build_dir, job.slug) / mf.UNPUBLISHED_NAME).unlink(missing_ok=True)
    source = (ctx.content_dir / f"{job.slug}.html").read_bytes()
    inspected = inspect_document(source, job.slug, ctx.content_dir, None, ctx.engine, ctx.voice)
    findings = inspected["findings"]
    ctx.queue.huey.put(f"findings:{job.slug}", json.dumps(findings))
    return {
        "built": result.built,
        "reused": result.reused,
        "audio_seconds": result.audio_seconds,
        "warnings": list(result.warnings),
        "findings": findings,
    }


def _preview(ctx: Context, job: Job) -> dict:
    draft = Path(job.args["draft"])
    return inspect_document(
        draft.read_bytes(), job.slug, ctx.content_dir, None, ctx.engine, ctx.voice
    )


SAMPLE = "The word {word} is said like this: {word}."


def _clip(ctx: Context, job: Job) -> dict:
    """Synthesise a short sample sentence with the word as the lexicon entry says it."""
    written, said, lang = job.args["written"], job.args["spoken"], job.args.get("lang") or "en"
    text = SAMPLE.format(word=written)
    lexicon = Lexicon([Entry(written, said, "")])
    spoken = spoken_text(text, lang, lexicon)
    # The voice a build would read the word in: the document's own, else the site's.
    slug = job.args.get("document") or ""
    voice = (voice_of_document(ctx.content_dir, slug) if slug else "") or ctx.voice
    preferred = {lang.lower(): voice} if voice else {}
    key = hashlib.sha256(json.dumps([ctx.engine, voice, lang, spoken]).encode()).hexdigest()[:20]
    clips = ctx.instance_path / "clips"
    clips.mkdir(parents=True, exist_ok=True)
    path = clips / f"{key}.mp3"
    if not path.is_file():
        sentence = Sentence(text, spoken, lang, 0.2)
        clip = SectionJob(key, (sentence,))
        (audio,) = synthesise_sections([clip], ctx.engine, 160, preferred, 1)
        atomic_write(path, audio.mp3)
    return {"clip": path.name, "text": text, "spoken": spoken}


def _retire(ctx: Context, job: Job) -> dict:
    """Note every audio file of an unpublished document as unused (deleted after the grace)."""
    folder = mf.document_dir(ctx.build_dir, job.slug)
    with document_lock(folder, 600):
        noted = retire_unreferenced(folder / mf.AUDIO_DIR, set())
    remove_from_index(ctx.build_dir, job.slug)
    return {"deleted": len(noted)}


RUNNERS = {BUILD: _build, PREVIEW: _preview, CLIP: _clip, RETIRE: _retire}
