"""The PDF export of a block: a live canvas (its owner) or a submission (its student, its
teachers), cached per version of the block."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from canvas_site.throttle import requester, too_many
from relationships.pdf import PdfExport, PdfOptions, jobs
from relationships.pdf.jobs import State
from relationships.views.base import HtmxHttpRequest, _get_canvas_for_user
from teams.access import Action


def pdf_response(request: HtmxHttpRequest, export: PdfExport) -> HttpResponse:
    """The PDF opened in the browser: at once, a 304, or a notice while it is being prepared.

    An unchanged block is served from the cache, or answered 304 when the browser already has
    this version (ETag / Last-Modified). A PDF not rendered yet is a job
    (``relationships.pdf.jobs``): the reader gets a page saying it is being prepared, which asks
    this same URL again every second (htmx; a refresh without JavaScript) and is sent on to the
    PDF once it is there. Rendering in process (``PDF_QUEUE=inline``), the PDF comes at once.
    An account whose render time is spent gets a 429 page saying how long to wait.
    """
    response = HttpResponse(content_type="application/pdf")
    response["ETag"] = export.etag
    response["Last-Modified"] = http_date(export.last_modified)
    # The browser may keep a copy but must ask again each time: an edit changes the PDF.
    patch_cache_control(response, private=True, no_cache=True)
    conditional = get_conditional_response(
        request, etag=export.etag, last_modified=int(export.last_modified), response=response
    )
    if conditional is not response:  # 304 Not Modified (or 412 for a failed If-Match)
        return conditional
    progress = jobs.prepare(export, requester(request))
    if progress.pdf is not None:
        if request.htmx:  # the notice asked: the browser opens the PDF itself
            return HttpResponseClientRedirect(request.get_full_path())
        response.content = progress.pdf
        response["Content-Disposition"] = content_disposition_header(False, export.filename)
        return response
    if progress.state is State.BUDGET and not request.htmx:
        return too_many(request, progress.wait)
    context = {
        "progress": progress,
        "export": export,
        "url": request.get_full_path(),
        "time_limit": settings.PDF_TIME_LIMIT,
    }
    if request.htmx:
        notice = render(request, "relationships/pdf_preparing.html#notice", context)
    else:
        status = 200 if progress.state.is_over else 202  # 202: come back for the PDF
        notice = render(request, "relationships/pdf_preparing.html", context, status=status)
    patch_cache_control(notice, private=True, no_store=True)
    return notice


@require_GET  # not HEAD: it would render a PDF and spend the user's budget for nothing
def canvas_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The live block as a PDF (``?layout=pitch|report&size=a4|wide``); 404 but to its members."""
    canvas = _get_canvas_for_user(request, pk, Action.EXPORT)
    return pdf_response(request, PdfExport.of_canvas(canvas, PdfOptions.from_query(request.GET)))
