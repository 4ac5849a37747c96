"""Views of the block editor. Thin: find the object (404 if not yours), run the form, render.

An htmx request gets the swapped partial plus out-of-band totals; a plain request gets a full
page or a redirect, so every form works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from relationships import cards
from relationships.forms import (
    CanvasCreateForm,
    CanvasForm,
    CanvasRenameForm,
    CostItemForm,
    RelationshipForm,
    SegmentForm,
)
from relationships.help import QUESTION_HELP, type_help
from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.pdf import pitch_overflow

PAGE = "relationships/canvas_detail.html"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
    user: AbstractBaseUser


# --- access: one helper per kind of object; another user's object is a 404 -----------------


def _get_canvas_for_user(request: HtmxHttpRequest, pk: int) -> Canvas:
    return get_object_or_404(Canvas.objects.for_user(request.user), pk=pk)


def _get_segment_for_user(request: HtmxHttpRequest, pk: int) -> Segment:
    return get_object_or_404(
        Segment.objects.select_related("canvas").filter(canvas__owner=request.user), pk=pk
    )


def _get_relationship_for_user(request: HtmxHttpRequest, pk: int) -> Relationship:
    return get_object_or_404(
        Relationship.objects.select_related("segment__canvas").filter(
            segment__canvas__owner=request.user
        ),
        pk=pk,
    )


def _get_cost_for_user(request: HtmxHttpRequest, pk: int) -> CostItem:
    return get_object_or_404(
        CostItem.objects.select_related("relationship__segment__canvas").filter(
            relationship__segment__canvas__owner=request.user
        ),
        pk=pk,
    )


# --- rendering helpers ------------------------------------------------------------------------


def _load_block(canvas_pk: int) -> Canvas:
    """The canvas with its whole block prefetched: four queries whatever its size."""
    return get_object_or_404(Canvas.objects.with_block(), pk=canvas_pk)


def _find(canvas: Canvas, segment_pk: int | None = None, relationship_pk: int | None = None):
    """Pick a segment or relationship out of a prefetched block, so totals need no query.

    Http404 if it is not there: another tab deleted it after this request saved.
    """
    for segment in canvas.segments.all():
        if relationship_pk is None and segment.pk == segment_pk:
            return segment
        for relationship in segment.relationships.all():
            if relationship.pk == relationship_pk:
                return relationship
    raise Http404("Deleted in another tab.")


def _editor_context(canvas: Canvas, **extra) -> dict:
    return {
        "canvas": canvas,
        "completeness": canvas.completeness(),
        "type_help": type_help(),
        "question_help": QUESTION_HELP,
        "pitch_warnings": pitch_overflow(canvas),
        **extra,
    }


def _block_response(
    request: HtmxHttpRequest,
    canvas_pk: int,
    pieces: list[tuple[str, dict]],
    segment_pk: int | None = None,
) -> HttpResponse:
    """Render the swapped partials from a fresh block, plus totals and completeness out of band.

    ``segment_pk`` names a segment whose totals changed but are not inside the swapped pieces.
    """
    canvas = _load_block(canvas_pk)
    cards.attach(request, canvas)
    context = _editor_context(canvas, oob_segment_pk=segment_pk)
    html = []
    for name, piece in pieces:
        extra = piece(canvas) if callable(piece) else piece
        if name == "relationship-card" and not extra.get("costs_open"):
            html.append(extra["relationship"].card_html)  # rendered and kept by attach()
        else:
            html.append(render_to_string(f"{PAGE}#{name}", {**context, **extra}, request=request))
    html.append(render_to_string(f"{PAGE}#block-oob", context, request=request))
    return HttpResponse("".join(html))


def _form_response(
    request: HtmxHttpRequest, canvas: Canvas, partial: str, context: dict, title: str
) -> HttpResponse:
    """A form with its errors: the partial alone for htmx, a whole page without JavaScript."""
    context = {
        "canvas": canvas,
        "type_help": type_help(),
        "question_help": QUESTION_HELP,
        **context,
    }
    if request.htmx:
        response = render(request, f"{PAGE}#{partial}", context)
        return response
    return render(
        request,
        "relationships/form_page.html",
        {**context, "form_partial": f"{PAGE}#{partial}", "page_title": title},
    )


def _offset(request: HtmxHttpRequest) -> int:
    """Where a move button sends its row: -1 for "up" (or left), +1 otherwise."""
    return -1 if request.POST.get("direction") == "up" else 1


def _back_to(canvas: Canvas, anchor: str = ""):
    url = reverse("canvas_detail", args=[canvas.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _delete(
    request: HtmxHttpRequest,
    obj: Segment | Relationship,
    canvas: Canvas,
    back_to: str,
    piece: tuple[str, object],
) -> HttpResponse:
    """GET asks first (the page a plain link leads to); POST deletes.

    htmx gets ``piece`` (the board or the segment's column, whose empty state may be back)
    swapped in at ``#back_to``, with the totals out of band; a plain form goes back to the
    canvas at ``back_to``.
    """
    if request.method == "POST":
        obj.delete()
        canvas.mark_edited()
        if request.htmx:
            response = _block_response(request, canvas.pk, [piece])
            return reswap(retarget(response, f"#{back_to}"), "outerHTML")
        return _back_to(canvas, back_to)
    return render(
        request,
        "relationships/confirm_delete.html",
        {"canvas": canvas, "object": obj, "anchor": obj.anchor},
    )


# --- canvases -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def canvas_list(request: HtmxHttpRequest) -> HttpResponse:
    """My canvases, with the form that starts a new one."""
    form = CanvasCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        canvas = form.save(commit=False)
        canvas.owner = request.user
        canvas.save()
        return redirect("canvas_detail", pk=canvas.pk)
    canvases = list(Canvas.objects.for_user(request.user).with_block())
    rows = [(canvas, canvas.completeness()) for canvas in canvases]
    return render(request, "relationships/canvas_list.html", {"rows": rows, "form": form})


@require_safe
def canvas_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    canvas = get_object_or_404(Canvas.objects.for_user(request.user).with_block(), pk=pk)
    cards.attach(request, canvas)
    return render(request, PAGE, _editor_context(canvas))


@require_http_methods(["GET", "POST"])
def canvas_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The venture and the block-level guiding questions."""
    canvas = _get_canvas_for_user(request, pk)
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        return _block_response(request, canvas.pk, [("canvas-header", {})])
    form = CanvasForm(request.POST or None, instance=canvas)
    if request.method == "POST" and form.is_valid() and form.save_if_current():
        canvas.mark_edited()
        if request.htmx:
            return _block_response(request, canvas.pk, [("canvas-header", {})])
        return _back_to(canvas)
    return _form_response(
        request, canvas, "canvas-form", {"form": form}, _("Venture and guiding questions")
    )


@require_http_methods(["GET", "POST"])
def canvas_rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A new title, from the list of canvases and back to it."""
    canvas = _get_canvas_for_user(request, pk)
    saved_title = canvas.title
    form = CanvasRenameForm(request.POST or None, instance=canvas)
    if request.method == "POST" and form.is_valid() and form.save_if_current():
        canvas.mark_edited()
        messages.success(request, _("Renamed to “%(title)s”.") % {"title": canvas.title})
        return redirect(f"{reverse('canvas_list')}#canvas-{canvas.pk}")
    return render(
        request, "relationships/canvas_rename.html", {"form": form, "saved_title": saved_title}
    )


@require_POST
def canvas_duplicate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    canvas = _get_canvas_for_user(request, pk)
    title = _("Copy of %(title)s") % {"title": canvas.title}
    copy = canvas.duplicate(title=title[: Canvas._meta.get_field("title").max_length])
    messages.success(request, _("“%(title)s” was created.") % {"title": copy.title})
    return redirect("canvas_list")


@require_http_methods(["GET", "POST"])
def canvas_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Ask first (a page of its own), delete on POST."""
    canvas = _get_canvas_for_user(request, pk)
    if request.method == "POST":
        canvas.delete()
        messages.success(request, _("“%(title)s” was deleted.") % {"title": canvas.title})
        return redirect("canvas_list")
    return render(request, "relationships/canvas_confirm_delete.html", {"canvas": canvas})


# --- segments ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def segment_create(request: HtmxHttpRequest, canvas_pk: int) -> HttpResponse:
    canvas = _get_canvas_for_user(request, canvas_pk)
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        return render(request, f"{PAGE}#segment-add", {"canvas": canvas})
    form = SegmentForm(request.POST or None, instance=Segment(canvas=canvas))
    if request.method == "POST" and form.is_valid() and form.save_if_current():
        canvas.mark_edited()
        segment_pk = form.instance.pk
        if request.htmx:
            response = _block_response(request, canvas.pk, [("board", {})])
            return reswap(retarget(response, "#board"), "outerHTML")
        return _back_to(canvas, f"segment-{segment_pk}")
    return _form_response(request, canvas, "segment-form", {"form": form}, _("New segment"))


@require_http_methods(["GET", "POST"])
def segment_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    segment = _get_segment_for_user(request, pk)
    canvas = segment.canvas
    header = ("segment-header", lambda c: {"segment": _find(c, segment.pk)})
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        return _block_response(request, canvas.pk, [header])
    form = SegmentForm(request.POST or None, instance=segment)
    if request.method == "POST" and form.is_valid() and form.save_if_current():
        canvas.mark_edited()
        if request.htmx:
            return _block_response(request, canvas.pk, [header])
        return _back_to(canvas, f"segment-{segment.pk}")
    return _form_response(
        request, canvas, "segment-form", {"form": form, "segment": segment}, _("Edit segment")
    )


@require_http_methods(["GET", "POST"])
def segment_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    segment = _get_segment_for_user(request, pk)
    return _delete(request, segment, segment.canvas, back_to="board", piece=("board", {}))


@require_POST
def segment_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    segment = _get_segment_for_user(request, pk)
    if segment.move(_offset(request)):
        segment.canvas.mark_edited()
    if request.htmx:
        return _block_response(request, segment.canvas_id, [("board", {})])
    return _back_to(segment.canvas, f"segment-{segment.pk}")


# --- relationships ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def relationship_create(request: HtmxHttpRequest, segment_pk: int) -> HttpResponse:
    segment = _get_segment_for_user(request, segment_pk)
    canvas = segment.canvas
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        return render(request, f"{PAGE}#relationship-add", {"segment": segment})
    form = RelationshipForm(request.POST or None, instance=Relationship(segment=segment))
    if request.method == "POST" and form.is_valid() and form.save_if_current():
        canvas.mark_edited()
        relationship_pk = form.instance.pk
        if request.htmx:
            response = _block_response(
                request,
                canvas.pk,
                [("segment-column", lambda c: {"segment": _find(c, segment.pk)})],
            )
            return reswap(retarget(response, f"#segment-{segment.pk}"), "outerHTML")
        return _back_to(canvas, f"relationship-{relationship_pk}")
    return _form_response(
        request,
        canvas,
        "relationship-form",
        {"form": form, "segment": segment},
        _("New relationship with “%(segment)s”") % {"segment": segment},
    )


def _relationship_card(relationship_pk: int, costs_open: bool = False):
    return (
        "relationship-card",
        lambda c: {
            "relationship": _find(c, relationship_pk=relationship_pk),
            "costs_open": costs_open,
        },
    )


@require_safe
def relationship_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The card alone (htmx: a cancelled edit); without htmx, the canvas at the card."""
    relationship = _get_relationship_for_user(request, pk)
    canvas = relationship.segment.canvas
    if request.htmx:
        return _block_response(
            request, canvas.pk, [_relationship_card(pk, costs_open="costs" in request.GET)]
        )
    return _back_to(canvas, f"relationship-{pk}")


@require_http_methods(["GET", "POST"])
def relationship_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    relationship = _get_relationship_for_user(request, pk)
    segment = relationship.segment
    canvas = segment.canvas
    form = RelationshipForm(request.POST or None, instance=relationship)
    if request.method == "POST" and form.is_valid() and form.save_if_current():
        canvas.mark_edited()
        if request.htmx:
            return _block_response(
                request, canvas.pk, [_relationship_card(pk)], segment_pk=segment.pk
            )
        return _back_to(canvas, f"relationship-{pk}")
    return _form_response(
        request,
        canvas,
        "relationship-form",
        {"form": form, "segment": segment, "relationship": relationship},
        _("Edit relationship"),
    )


@require_http_methods(["GET", "POST"])
def relationship_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    relationship = _get_relationship_for_user(request, pk)
    segment_pk = relationship.segment_id
    return _delete(
        request,
        relationship,
        relationship.segment.canvas,
        back_to=f"segment-{segment_pk}",
        piece=("segment-column", lambda c: {"segment": _find(c, segment_pk)}),
    )


@require_POST
def relationship_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    relationship = _get_relationship_for_user(request, pk)
    canvas = relationship.segment.canvas
    if relationship.move(_offset(request)):
        canvas.mark_edited()
    if request.htmx:
        return _block_response(
            request,
            canvas.pk,
            [("segment-column", lambda c: {"segment": _find(c, relationship.segment_id)})],
        )
    return _back_to(canvas, f"relationship-{pk}")


# --- cost items -------------------------------------------------------------------------------


def _cost_saved(
    request: HtmxHttpRequest, relationship: Relationship, changed: bool = True
) -> HttpResponse:
    """After a cost change: the whole card with its costs open, wherever the form was."""
    canvas = relationship.segment.canvas
    if changed:
        canvas.mark_edited()
    if not request.htmx:
        return _back_to(canvas, f"relationship-{relationship.pk}")
    response = _block_response(
        request,
        canvas.pk,
        [_relationship_card(relationship.pk, costs_open=True)],
        segment_pk=relationship.segment_id,
    )
    return reswap(retarget(response, f"#relationship-{relationship.pk}"), "outerHTML")


@require_http_methods(["GET", "POST"])
def cost_create(request: HtmxHttpRequest, relationship_pk: int) -> HttpResponse:
    relationship = _get_relationship_for_user(request, relationship_pk)
    form = CostItemForm(request.POST or None, instance=CostItem(relationship=relationship))
    if request.method == "POST" and form.is_valid() and form.save_if_current():
        return _cost_saved(request, relationship)
    return _form_response(
        request,
        relationship.segment.canvas,
        "cost-form",
        {"form": form, "relationship": relationship},
        _("New cost"),
    )


@require_http_methods(["GET", "POST"])
def cost_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cost = _get_cost_for_user(request, pk)
    form = CostItemForm(request.POST or None, instance=cost)
    if request.method == "POST" and form.is_valid() and form.save_if_current():
        return _cost_saved(request, cost.relationship)
    return _form_response(
        request,
        cost.relationship.segment.canvas,
        "cost-form",
        {"form": form, "relationship": cost.relationship, "cost": cost},
        _("Edit cost"),
    )


@require_http_methods(["GET", "POST"])
def cost_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cost = _get_cost_for_user(request, pk)
    relationship = cost.relationship
    if request.method == "POST":
        with transaction.atomic():
            cost.delete()
        return _cost_saved(request, relationship)
    return render(
        request,
        "relationships/confirm_delete.html",
        {
            "canvas": relationship.segment.canvas,
            "object": cost,
            "anchor": f"relationship-{relationship.pk}",
        },
    )


@require_POST
def cost_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cost = _get_cost_for_user(request, pk)
    moved = cost.move(_offset(request))
    return _cost_saved(request, cost.relationship, changed=moved)


@require_safe
def help_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "relationships/help.html",
        {"type_help": type_help(), "question_help": QUESTION_HELP},
    )
