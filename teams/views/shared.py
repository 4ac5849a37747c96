"""The block behind a read-only link, and its PDF, for people without an account: nothing
else of the canvas (no members, no comments). A revoked or expired link is a 410."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from canvas_site.throttle import throttle
from relationships.block import Block
from relationships.pdf import PdfExport, PdfOptions
from relationships.views.export import pdf_response
from teams.models import ShareLink


class LinkGone(Exception):
    """The read-only link existed, but was revoked or has expired."""


def _share_link(token: str) -> ShareLink:
    link = ShareLink.objects.select_related("canvas").filter(token=token).first()
    if link is None:
        raise Http404
    if not link.is_working:
        raise LinkGone
    return link


def _gone(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "teams/link_gone.html", status=410))


def _block_of(link: ShareLink) -> Block:
    return Block.from_document(link.document) if link.is_frozen else Block.load(link.canvas_id)


def _private(response: HttpResponse) -> HttpResponse:
    """Not for search engines, not cached on the way, and the token never leaves in a Referer."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
@throttle(key="shared", rate="60/m")
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The block behind a read-only link: nothing else (no members, no comments)."""
    try:
        link = _share_link(token)
    except LinkGone:
        return _gone(request)
    context = {"canvas": _block_of(link), "link": link, "readonly": True, "shared": True}
    return _private(render(request, "teams/shared.html", context))


@login_not_required
@require_GET
@throttle(key="shared-pdf", rate="10/m")
def shared_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF of the block behind a read-only link, in the reader's language."""
    try:
        link = _share_link(token)
    except LinkGone:
        return _gone(request)
    export = PdfExport.of_link(link, PdfOptions.from_query(request.GET))
    return _private(pdf_response(request, export))
