"""The jobs Celery workers run for this app: PDF renders (``relationships.pdf.jobs``)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from relationships.pdf import jobs
from relationships.pdf.cache import PdfExport
from relationships.pdf.render import PdfOptions

logger = logging.getLogger(__name__)


@shared_task(
    name="relationships.render_pdf",
    soft_time_limit=settings.PDF_TIME_LIMIT,  # raises in the task: it can say it stopped
    time_limit=settings.PDF_TIME_LIMIT + 10,  # kills the worker process if that did not work
)
def render_pdf(source, layout: str, size: str, language: str, key: str, who: str) -> None:
    """Render the PDF ``key`` names and keep it in the cache, where its requests look for it."""
    try:
        export = PdfExport.from_source(tuple(source), PdfOptions(layout, size), language)
    except ObjectDoesNotExist:  # deleted since it was asked for: nobody can get it now
        jobs.failed(key, jobs.State.FAILED)
        return
    try:
        jobs.run(export, who, key)
    except SoftTimeLimitExceeded:
        logger.warning(
            "PDF render stopped at the time limit (%s s): %s", settings.PDF_TIME_LIMIT, key
        )
        jobs.failed(key, jobs.State.TOO_LONG)
    except Exception:
        logger.exception("PDF render failed: %s", key)
        jobs.failed(key, jobs.State.FAILED)
