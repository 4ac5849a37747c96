"""What every editor view shares: the typed request, one access helper per kind of object
(another user's object is a 404), and the helpers that render from a fresh Block.

An htmx request gets the swapped partial plus out-of-band totals; a plain request gets a full
page or a redirect, so every form works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from relationships.block import Block
from relationships.cards import render_cards
from relationships.forms import (
    VersionedForm,
)
from relationships.help import QUESTION_HELP, type_help
from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.writes import card_of, change_block
from teams import access
from teams.access import Action

PAGE = "relationships/canvas_detail.html"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
    user: AbstractBaseUser


# --- access: the one rule of teams.access; whoever may not gets a 404 -----------------------


def _get_canvas_for_user(request: HtmxHttpRequest, pk: int, action=Action.EDIT) -> Canvas:
    return access.get_canvas(request.user, pk, action)


def _get_segment_for_user(request: HtmxHttpRequest, pk: int) -> Segment:
    return access.get_row(Segment, request.user, pk, Action.EDIT)


def _get_relationship_for_user(
    request: HtmxHttpRequest, pk: int, action=Action.EDIT
) -> Relationship:
    return access.get_row(Relationship, request.user, pk, action)


def _get_cost_for_user(request: HtmxHttpRequest, pk: int) -> CostItem:
    return access.get_row(CostItem, request.user, pk, Action.EDIT)


# --- rendering helpers ------------------------------------------------------------------------


def _find(block: Block, segment_pk: int | None = None, relationship_pk: int | None = None):
    """A segment or relationship of the block; Http404 if another tab deleted it meanwhile."""
    found = block.relationship(relationship_pk) if relationship_pk else block.segment(segment_pk)
    if found is None:
        raise Http404("Deleted in another tab.")
    return found


def _editor_context(**extra) -> dict:
    return {"type_help": type_help(), "question_help": QUESTION_HELP, **extra}


def _teacher_feedback(request: HtmxHttpRequest, canvas_pk: int) -> SimpleLazyObject:
    """The teacher's comments to show beside the rows: one query, only if a piece shows them."""
    from classrooms.feedback import feedback_for_editor  # classes build on the block

    return SimpleLazyObject(lambda: feedback_for_editor(canvas_pk, request.user))


Piece = tuple[str, dict | Callable[[Block], dict]]


def _block_response(
    request: HtmxHttpRequest, block: Block, pieces: list[Piece], segment_pk: int | None = None
) -> HttpResponse:
    """Render the swapped partials from a fresh block, plus totals and completeness out of band.

    ``segment_pk`` names a segment whose totals changed but are not inside the swapped pieces.
    """
    cards = render_cards(request, block)
    header_swapped = any(name == "canvas-header" for name, _piece in pieces)
    context = _editor_context(
        canvas=block,
        cards=cards,
        oob_segment_pk=segment_pk,
        header_swapped=header_swapped,
        feedback=_teacher_feedback(request, block.pk),
    )
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
    return change_block(
        canvas_pk, form.save_if_current, by=request.user, card=lambda: card_of(form.instance)
    )


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
        card = card_of(obj)  # before the delete clears its id
        block = change_block(canvas.pk, obj.delete, by=request.user, card=lambda: card)
        return _saved(request, block, canvas.pk, [piece], back_to, f"#{back_to}")
    return render(
        request,
        "relationships/confirm_delete.html",
        {"canvas": canvas, "object": obj, "anchor": obj.anchor},
    )
