"""Views of the rows of a block: segments, relationships and their cost items.

Each finds its row through the canvas owner (404 otherwise), runs the form, writes through
``change_block`` and answers with the pieces htmx swaps, or a redirect without JavaScript.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relationships.block import Block
from relationships.forms import (
    CostItemForm,
    RelationshipForm,
    SegmentForm,
)
from relationships.models import CostItem, Relationship, Segment
from relationships.views.base import (
    PAGE,
    HtmxHttpRequest,
    Piece,
    _back_to,
    _block_response,
    _delete,
    _find,
    _form_response,
    _get_canvas_for_user,
    _get_cost_for_user,
    _get_relationship_for_user,
    _get_segment_for_user,
    _offset,
    _save_form,
    _saved,
)
from relationships.writes import card_of, change_block

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
    block = change_block(
        segment.canvas_id,
        lambda: segment.move(_offset(request)),
        by=request.user,
        card=lambda: card_of(segment),
    )
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
    block = change_block(
        canvas_pk,
        lambda: relationship.move(_offset(request)),
        by=request.user,
        card=lambda: card_of(relationship),
    )
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
        card = card_of(cost)  # before the delete clears its id
        block = change_block(canvas.pk, cost.delete, by=request.user, card=lambda: card)
        return _cost_saved(request, relationship, block)
    return render(
        request,
        "relationships/confirm_delete.html",
        {"canvas": canvas, "object": cost, "anchor": relationship.anchor},
    )


@require_POST
def cost_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    cost = _get_cost_for_user(request, pk)
    relationship = cost.relationship
    block = change_block(
        relationship.segment.canvas_id,
        lambda: cost.move(_offset(request)),
        by=request.user,
        card=lambda: card_of(cost),
    )
    return _cost_saved(request, relationship, block)
