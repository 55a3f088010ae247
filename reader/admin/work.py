"""What the worker does for each job: build, preview, clip and retire (imports the pipeline)."""

from __future__ import annotations

import hashlib
import json
import traceback
from dataclasses import dataclass
from pathlib import Path

from reader import manifest as mf
from reader.admin import audit, callbacks, store
from reader.admin.preview import inspect_document
from reader.admin.queue import BUILD, CLIP, PREVIEW, RETIRE, Job, Queue, State
from reader.errors import ReaderError
from reader.model import Sentence
from reader.pipeline.build import BuildOptions, build_document
from reader.pipeline.lexicon import Entry, Lexicon
from reader.pipeline.publish import (
    atomic_write,
    document_lock,
    retire_unreferenced,
)
from reader.pipeline.say import voice_of_document
from reader.pipeline.speech import spoken_text
from reader.pipeline.synthesise import SectionJob, synthesise_sections
from reader.published_index import remove_from_index


@dataclass
class Work:
    """Does each job the queue hands over, with the folders and engine of the service."""

    content_dir: Path
    build_dir: Path
    instance_path: Path
    options: BuildOptions
    """The site's engine and voice (`status.build_options`), and synthesis processes a build."""

    def __call__(self, queue: Queue, job: Job) -> dict:
        """Do one job and return its result; raise for its failure."""
        return RUNNERS[job.kind](self, queue, job)

    def failed(self, queue: Queue, job_id: str, error: Exception) -> None:
        """Record a job's failure: its own error in one line, a fault with its traceback logged."""
        if isinstance(error, ReaderError):
            message = str(error)
        else:
            log_path = self.instance_path / "worker.log"
            trace = "".join(traceback.format_exception(error))
            with open(log_path, "a", encoding="utf-8") as file:
                file.write(f"job {job_id}:\n{trace}\n")
            message = f"unexpected {type(error).__name__}: {error} (traceback in {log_path})"
        queue.finish(job_id, State.FAILED, message)
        if (job := queue.record(job_id)) is not None:
            self.ended(queue, job)

    def ended(self, queue: Queue, job: Job) -> None:
        """Log how a build or unpublish ended, and tell the CMS that asked for a callback."""
        audit.record_outcome(
            self.instance_path, self.build_dir, job.id, job.kind, job.slug, job.state, job.error
        )
        if job.kind == BUILD:
            callbacks.job_ended(self, queue, job)


def _build(ctx: Work, queue: Queue, job: Job) -> dict:
    def progress(slug: str, done: int, total: int) -> None:
        queue.progress(job, done, total)

    # Read first: the findings are the built source's, even if it is unpublished meanwhile.
    source = store.source_path(ctx.content_dir, job.slug).read_bytes()
    result = build_document(ctx.content_dir, ctx.build_dir, job.slug, ctx.options, progress)
    engine, voice = ctx.options.engine, ctx.options.voice
    inspected = inspect_document(source, job.slug, ctx.content_dir, None, engine, voice)
    findings = inspected["findings"]
    return {
        "built": result.built,
        "reused": result.reused,
        "audio_seconds": result.audio_seconds,
        "warnings": list(result.warnings),
        "findings": findings,
    }


def _preview(ctx: Work, queue: Queue, job: Job) -> dict:
    draft = Path(job.args["draft"])
    engine, voice = ctx.options.engine, ctx.options.voice
    return inspect_document(draft.read_bytes(), job.slug, ctx.content_dir, None, engine, voice)


SAMPLE = "The word {word} is said like this: {word}."


def _clip(ctx: Work, queue: Queue, job: Job) -> dict:
    """Synthesise a word in a sample sentence as an entry says it, or a preview's sentence."""
    written, said, lang = job.args["written"], job.args["spoken"], job.args.get("lang") or "en"
    if job.args.get("sentence"):
        # A preview's sentence, with the spoken text the preview worked out for it.
        text, spoken = written, said
    else:
        text = SAMPLE.format(word=written)
        spoken = spoken_text(text, lang, Lexicon([Entry(written, said, "")]))
    # The voice a build would read it in: the draft's or document's own, else the site's.
    slug = job.args.get("document") or ""
    own = job.args.get("voice") or (voice_of_document(ctx.content_dir, slug) if slug else "")
    voice, engine = own or ctx.options.voice, ctx.options.engine
    preferred = {lang.lower(): voice} if voice else {}
    key = hashlib.sha256(json.dumps([engine, voice, lang, spoken]).encode()).hexdigest()[:20]
    clips = ctx.instance_path / "clips"
    clips.mkdir(parents=True, exist_ok=True)
    path = clips / f"{key}.mp3"
    if not path.is_file():
        sentence = Sentence(text, spoken, lang, 0.2)
        clip = SectionJob(key, (sentence,))
        (audio,) = synthesise_sections([clip], engine, ctx.options.rate, preferred, 1)
        atomic_write(path, audio.mp3)
    return {"clip": path.name, "text": text, "spoken": spoken}


def _retire(ctx: Work, queue: Queue, job: Job) -> dict:
    """Note every audio file of an unpublished document as unused (deleted after the grace)."""
    folder = mf.document_dir(ctx.build_dir, job.slug)
    with document_lock(folder, 600):
        noted = retire_unreferenced(folder / mf.AUDIO_DIR, set())
    remove_from_index(ctx.build_dir, job.slug)
    return {"deleted": len(noted)}


RUNNERS = {BUILD: _build, PREVIEW: _preview, CLIP: _clip, RETIRE: _retire}
