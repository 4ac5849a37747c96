"""Views of the block editor. Thin: find the object (404 if not yours), run the form, render.

An htmx request gets the swapped partial plus out-of-band totals; a plain request gets a full
page or a redirect, so every form works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from relationships.block import Block
from relationships.cards import render_cards
from relationships.forms import (
    CanvasCreateForm,
    CanvasForm,
    CanvasRenameForm,
    CostItemForm,
    RelationshipForm,
    SegmentForm,
    VersionedForm,
)
from relationships.help import QUESTION_HELP, type_help
from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.writes import change_block

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


def _find(block: Block, segment_pk: int | None = None, relationship_pk: int | None = None):
    """A segment or relationship of the block; Http404 if another tab deleted it meanwhile."""
    found = block.relationship(relationship_pk) if relationship_pk else block.segment(segment_pk)
    if found is None:
        raise Http404("Deleted in another tab.")
    return found


def _editor_context(**extra) -> dict:
    return {"type_help": type_help(), "question_help": QUESTION_HELP, **extra}


Piece = tuple[str, dict | Callable[[Block], dict]]


def _block_response(
    request: HtmxHttpRequest, block: Block, pieces: list[Piece], segment_pk: int | None = None
) -> HttpResponse:
    """Render the swapped partials from a fresh block, plus totals and completeness out of band.

    ``segment_pk`` names a segment whose totals changed but are not inside the swapped pieces.
    """
    cards = render_cards(request, block)
    context = _editor_context(canvas=block, cards=cards, oob_segment_pk=segment_pk)
    html = []
    for name, piece in pieces:
        extra = piece(block) if callable(piece) else piece
        if name == "relationship-card" and not extra.get("costs_open"):
            html.append(cards[extra["relationship"].pk])
        else:
            html.append(render_to_string(f"{PAGE}#{name}", {**context, **extra}, request=request))
    html.append(render_to_string(f"{PAGE}#block-oob", context, request=request))
    return HttpResponse("".join(html))


def _saved(
    request: HtmxHttpRequest,
    block: Block | None,
    canvas_pk: int,
    pieces: list[Piece],
    anchor: str = "",
    target: str = "",
    segment_pk: int | None = None,
) -> HttpResponse:
    """After a write: htmx gets the pieces (at ``target``, if given); a plain form goes back.

    ``block`` is what ``change_block`` gave back; None (nothing written) loads it again.
    """
    if not request.htmx:
        return _back_to(canvas_pk, anchor)
    response = _block_response(request, block or Block.load(canvas_pk), pieces, segment_pk)
    return reswap(retarget(response, target), "outerHTML") if target else response


def _save_form(request: HtmxHttpRequest, form: VersionedForm, canvas_pk: int) -> Block | None:
    """On POST, validate ``form`` and save it through the write path: the fresh block.

    None when there is nothing to save or it was refused (the form then holds the errors).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    return change_block(canvas_pk, form.save_if_current)


def _form_response(
    request: HtmxHttpRequest, canvas: Canvas, partial: str, context: dict, title: str
) -> HttpResponse:
    """A form with its errors: the partial alone for htmx, a whole page without JavaScript."""
    context = _editor_context(canvas=canvas, **context)
    if request.htmx:
        return render(request, f"{PAGE}#{partial}", context)
    return render(
        request,
        "relationships/form_page.html",
        {**context, "form_partial": f"{PAGE}#{partial}", "page_title": title},
    )


def _offset(request: HtmxHttpRequest) -> int:
    """Where a move button sends its row: -1 for "up" (or left), +1 otherwise."""
    return -1 if request.POST.get("direction") == "up" else 1


def _back_to(canvas_pk: int, anchor: str = ""):
    url = reverse("canvas_detail", args=[canvas_pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _delete(
    request: HtmxHttpRequest, obj: Segment | Relationship, canvas: Canvas, back_to: str, piece
) -> HttpResponse:
    """GET asks first (the page a plain link leads to); POST deletes.

    htmx gets ``piece`` (the board or the segment's column, whose empty state may be back)
    swapped in at ``#back_to``, with the totals out of band; a plain form goes back to the
    canvas at ``back_to``.
    """
    if request.method == "POST":
        block = change_block(canvas.pk, obj.delete)
        return _saved(request, block, canvas.pk, [piece], back_to, f"#{back_to}")
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
    canvases = Canvas.objects.for_user(request.user).with_block()
    blocks = [Block.from_canvas(canvas) for canvas in canvases]
    return render(request, "relationships/canvas_list.html", {"canvases": blocks, "form": form})


@require_safe
def canvas_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    block = Block.load(pk, owner=request.user)
    cards = render_cards(request, block)
    return render(request, PAGE, _editor_context(canvas=block, cards=cards))


HEADER: Piece = ("canvas-header", {})


@require_http_methods(["GET", "POST"])
def canvas_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The venture and the block-level guiding questions."""
    canvas = _get_canvas_for_user(request, pk)
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        return _block_response(request, Block.load(pk), [HEADER])
    form = CanvasForm(request.POST or None, instance=canvas)
    if block := _save_form(request, form, pk):
        return _saved(request, block, pk, [HEADER])
    return _form_response(
        request, canvas, "canvas-form", {"form": form}, _("Venture and guiding questions")
    )


@require_http_methods(["GET", "POST"])
def canvas_rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A new title, from the list of canvases and back to it."""
    canvas = _get_canvas_for_user(request, pk)
    saved_title = canvas.title
    form = CanvasRenameForm(request.POST or None, instance=canvas)
    if _save_form(request, form, pk):
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

BOARD: Piece = ("board", {})


def _segment_piece(name: str, segment_pk: int) -> Piece:
    return (name, lambda block: {"segment": _find(block, segment_pk)})


@require_http_methods(["GET", "POST"])
def segment_create(request: HtmxHttpRequest, canvas_pk: int) -> HttpResponse:
    canvas = _get_canvas_for_user(request, canvas_pk)
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        return _block_response(request, Block.load(canvas.pk), [("segment-add", {})])
    form = SegmentForm(request.POST or None, instance=Segment(canvas=canvas))
    if block := _save_form(request, form, canvas.pk):
        anchor = form.instance.anchor
        return _saved(request, block, canvas.pk, [BOARD], anchor, "#board")
    return _form_response(request, canvas, "segment-form", {"form": form}, _("New segment"))


@require_http_methods(["GET", "POST"])
def segment_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    segment = _get_segment_for_user(request, pk)
    canvas = segment.canvas
    header = _segment_piece("segment-header", segment.pk)
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        return _block_response(request, Block.load(canvas.pk), [header])
    form = SegmentForm(request.POST or None, instance=segment)
    if block := _save_form(request, form, canvas.pk):
        return _saved(request, block, canvas.pk, [header], segment.anchor)
    return _form_response(
        request, canvas, "segment-form", {"form": form, "segment": segment}, _("Edit segment")
    )


@require_http_methods(["GET", "POST"])
def segment_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    segment = _get_segment_for_user(request, pk)
    return _delete(request, segment, segment.canvas, back_to="board", piece=BOARD)


@require_POST
def segment_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    segment = _get_segment_for_user(request, pk)
    block = change_block(segment.canvas_id, lambda: segment.move(_offset(request)))
    return _saved(request, block, segment.canvas_id, [BOARD], segment.anchor)


# --- relationships ----------------------------------------------------------------------------


def _relationship_card(relationship_pk: int, costs_open: bool = False) -> Piece:
    return (
        "relationship-card",
        lambda block: {
            "relationship": _find(block, relationship_pk=relationship_pk),
            "costs_open": costs_open,
        },
    )


@require_http_methods(["GET", "POST"])
def relationship_create(request: HtmxHttpRequest, segment_pk: int) -> HttpResponse:
    segment = _get_segment_for_user(request, segment_pk)
    canvas = segment.canvas
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        return render(request, f"{PAGE}#relationship-add", {"segment": segment})
    form = RelationshipForm(request.POST or None, instance=Relationship(segment=segment))
    if block := _save_form(request, form, canvas.pk):
        column = _segment_piece("segment-column", segment.pk)
        anchor = form.instance.anchor
        return _saved(request, block, canvas.pk, [column], anchor, f"#{segment.anchor}")
    return _form_response(
        request,
        canvas,
        "relationship-form",
        {"form": form, "segment": segment},
        _("New relationship with “%(segment)s”") % {"segment": segment},
    )


@require_safe
def relationship_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The card alone (htmx: a cancelled edit); without htmx, the canvas at the card."""
    relationship = _get_relationship_for_user(request, pk)
    canvas_pk = relationship.segment.canvas_id
    if request.htmx:
        card = _relationship_card(pk, costs_open="costs" in request.GET)
        return _block_response(request, Block.load(canvas_pk), [card])
    return _back_to(canvas_pk, relationship.anchor)


@require_http_methods(["GET", "POST"])
def relationship_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    relationship = _get_relationship_for_user(request, pk)
    segment = relationship.segment
    canvas = segment.canvas
    form = RelationshipForm(request.POST or None, instance=relationship)
    if block := _save_form(request, form, canvas.pk):
        card = _relationship_card(pk)
        return _saved(request, block, canvas.pk, [card], relationship.anchor, segment_pk=segment.pk)
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
    segment = relationship.segment
    return _delete(
        request,
        relationship,
        segment.canvas,
        back_to=segment.anchor,
        piece=_segment_piece("segment-column", segment.pk),
    )


@require_POST
def relationship_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    relationship = _get_relationship_for_user(request, pk)
    canvas_pk = relationship.segment.canvas_id
    block = change_block(canvas_pk, lambda: relationship.move(_offset(request)))
    column = _segment_piece("segment-column", relationship.segment_id)
    return _saved(request, block, canvas_pk, [column], relationship.anchor)


# --- cost items -------------------------------------------------------------------------------


def _cost_saved(
    request: HtmxHttpRequest, relationship: Relationship, block: Block | None
) -> HttpResponse:
    """After a cost change: the whole card with its costs open, wherever the form was."""
    return _saved(
        request,
        block,
        relationship.segment.canvas_id,
        [_relationship_card(relationship.pk, costs_open=True)],
        relationship.anchor,
        f"#{relationship.anchor}",
        segment_pk=relationship.segment_id,
    )


@require_http_methods(["GET", "POST"])
def cost_create(request: HtmxHttpRequest, relationship_pk: int) -> HttpResponse:
    relationship = _get_relationship_for_user(request, relationship_pk)
    canvas = relationship.segment.canvas
    form = CostItemForm(request.POST or None, instance=CostItem(relationship=relationship))
    if block := _save_form(request, form, canvas.pk):
        return _cost_saved(request, relationship, block)
    return _form_response(
        request, canvas, "cost-form", {"form": form, "relationship": relationship}, _("New cost")
    )


@require_http_methods(["GET", "POST"])
def cost_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cost = _get_cost_for_user(request, pk)
    relationship = cost.relationship
    canvas = relationship.segment.canvas
    form = CostItemForm(request.POST or None, instance=cost)
    if block := _save_form(request, form, canvas.pk):
        return _cost_saved(request, relationship, block)
    return _form_response(
        request,
        canvas,
        "cost-form",
        {"form": form, "relationship": relationship, "cost": cost},
        _("Edit cost"),
    )


@require_http_methods(["GET", "POST"])
def cost_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cost = _get_cost_for_user(request, pk)
    relationship = cost.relationship
    canvas = relationship.segment.canvas
    if request.method == "POST":
        return _cost_saved(request, relationship, change_block(canvas.pk, cost.delete))
    return render(
        request,
        "relationships/confirm_delete.html",
        {"canvas": canvas, "object": cost, "anchor": relationship.anchor},
    )


@require_POST
def cost_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cost = _get_cost_for_user(request, pk)
    relationship = cost.relationship
    block = change_block(relationship.segment.canvas_id, lambda: cost.move(_offset(request)))
    return _cost_saved(request, relationship, block)


@require_safe
def help_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "relationships/help.html",
        {"type_help": type_help(), "question_help": QUESTION_HELP},
    )
