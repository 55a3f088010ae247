"""The callback receiver: voice-reader tells this site how each page's build ended."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from voice_reader_wagtail import conf, names
from voice_reader_wagtail.callbacks import SIGNATURE_HEADER, BadCallback, Report, read, signed
from voice_reader_wagtail.models import AudioRecord


def _refuse(status: int, error: str) -> JsonResponse:
    return JsonResponse({"error": error}, status=status)


# voice-reader is a server, not a signed-in browser: the signature stands in for the CSRF token.
@csrf_exempt
@require_POST
def callback(request: HttpRequest) -> JsonResponse:
    """Check a callback's signature and keep the build's outcome in the page's AudioRecord."""
    secret = conf.signing_secret()
    if not secret:
        return _refuse(403, "this site has no VOICE_READER_SIGNING_SECRET: callbacks are refused")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return _refuse(403, f"the {SIGNATURE_HEADER} header is missing")
    if not signed(secret, request.body, signature):
        return _refuse(403, f"the {SIGNATURE_HEADER} header does not match the body")
    try:
        report = read(request.body)
    except BadCallback as error:
        return _refuse(400, str(error))
    if not record(report):
        return _refuse(404, f"no page of this site is document {report.name!r}")
    return JsonResponse({"recorded": report.name})


def record(report: Report) -> bool:
    """Keep a report in its page's AudioRecord; say whether the document is one of this site's."""
    # The write transaction is taken at its start (the site's SQLite runs IMMEDIATE): the
    # sending thread cannot add the same page's record between the look-up and the insert.
    with transaction.atomic():
        kept = AudioRecord.objects.filter(name=report.name).first()
        if kept is None:
            page = names.page_for(report.name)
            if page is None:
                return False
            kept = AudioRecord.objects.filter(page_id=page.pk).first()
            if kept is None:
                # The callback beat the sending thread's record of the PUT it answers.
                kept = AudioRecord.objects.create(
                    page_id=page.pk, name=report.name, action="publish", ok=True
                )
        late = (
            report.finished is not None
            and kept.reported_finished is not None
            and report.finished < kept.reported_finished
        )
        if late:
            # A retried callback of an earlier build: the newer outcome stands.
            return True
        # Only the reported fields: the sending thread writes the others at the same time.
        AudioRecord.objects.filter(pk=kept.pk).update(
            reported_state=report.state,
            reported_error=report.error,
            reported_source=report.source,
            reported_audio=report.audio,
            reported_finished=report.finished,
            reported_at=timezone.now(),
        )
    return True
