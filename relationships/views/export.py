"""The PDF export of a block: a live canvas (its owner) or a submission (its student, its
teachers), cached per version of the block."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_GET

from canvas_site.throttle import refused
from relationships.pdf import PdfExport, PdfOptions
from relationships.views.base import HtmxHttpRequest, _get_canvas_for_user
from teams.access import Action

# Renders (not cached copies) per user; THROTTLE_RATES = {"pdf": ...} in settings overrides it.
PDF_RENDERS = "20/m"


def pdf_response(request: HtmxHttpRequest, export: PdfExport) -> HttpResponse:
    """The PDF opened in the browser: from the cache, a 304, a fresh render, or a 429.

    An unchanged block is served from the cache, or answered 304 when the browser already has
    this version (ETag / Last-Modified). Past ``PDF_RENDERS`` new renders a minute, a user gets
    a 429 page saying how long to wait.
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
    pdf = export.cached()
    if pdf is None:  # rendering costs a second of CPU: each user has a budget of renders
        if too_many := refused(request, "pdf", PDF_RENDERS):
            return too_many
        pdf = export.render()
    response.content = pdf
    response["Content-Disposition"] = content_disposition_header(False, export.filename)
    return response


@require_GET  # not HEAD: it would render a PDF and spend the user's budget for nothing
def canvas_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The live block as a PDF (``?layout=pitch|report&size=a4|wide``); 404 but to its members."""
    canvas = _get_canvas_for_user(request, pk, Action.EXPORT)
    return pdf_response(request, PdfExport.of_canvas(canvas, PdfOptions.from_query(request.GET)))
