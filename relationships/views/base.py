"""What every editor view shares: the typed request, one access helper per kind of object
(another user's object is a 404), and the helpers that render from a fresh Block.

An htmx request gets the swapped partial plus out-of-band totals; a plain request gets a full
page or a redirect, so every form works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, F, Func, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from canvas_site.queries import CompiledQuery
from relationships import cards as kept_pieces
from relationships import kept_blocks
from relationships.block import Block
from relationships.cards import card_keys, render_card, render_cards
from relationships.forms import (
    VersionedForm,
)
from relationships.help import QUESTION_HELP, type_help
from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.views.numbers import PAGE, kept_numbers, numbers_wanted, shown_pieces
from relationships.writes import card_of, change_block
from teams import access
from teams.access import Action
from teams.models import CanvasMember


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
    user: AbstractBaseUser


# --- access: the one rule of teams.access; whoever may not gets a 404 -----------------------


def _get_canvas_for_user(request: HtmxHttpRequest, pk: int, action=Action.EDIT) -> Canvas:
    return access.get_canvas(request.user, pk, action)


def _chain(model) -> list[tuple[str, type, list[str]]]:
    """The row's model and each parent up to the canvas: the path to it, it, its columns."""
    chain, path = [], ""
    for step in ["", *access.CANVAS_PATH[model].split("__")]:
        if step:
            model = model._meta.get_field(step).related_model
            path = f"{path}__{step}" if path else step
        chain.append((path, model, [f.attname for f in model._meta.concrete_fields]))
    return chain


def _row_query(model) -> tuple[CompiledQuery, list]:
    chain = _chain(model)
    names = [f"{path}__{name}" if path else name for path, _m, names in chain for name in names]
    return CompiledQuery(lambda pk: model.objects.filter(pk=pk).values_list(*names)), chain


_ROWS = {model: _row_query(model) for model in (Segment, Relationship, CostItem)}


def _get_row_for_user(model, request: HtmxHttpRequest, pk: int, action: Action):
    """A segment, relationship or cost item of a canvas the user may do ``action`` with (its
    parents loaded up to the canvas); else 404.

    The row with its way up in one compiled query, then the one rule (``teams.access``) on the
    user's role there: one query for the owner, one more for a member. ``access.get_row``
    asks the same in one query, whose queryset costs five times the CPU to build.
    """
    query, chain = _ROWS[model]
    rows = query.rows(pk)
    if not rows:
        raise Http404("No such row.")
    values, row, child = rows[0], None, None
    for path, parent, names in chain:
        instance = parent.from_db("default", names, values[: len(names)])
        values = values[len(names) :]
        if child is None:
            row = instance
        else:  # the child's foreign key, loaded: the segment of a relationship, its canvas
            setattr(child, path.rsplit("__", 1)[-1], instance)
        child = instance
    if not access.may(access.role_of(request.user, child), action):
        raise Http404("Not a canvas of yours.")
    return row


def _get_segment_for_user(request: HtmxHttpRequest, pk: int) -> Segment:
    return _get_row_for_user(Segment, request, pk, Action.EDIT)


def _get_relationship_for_user(
    request: HtmxHttpRequest, pk: int, action=Action.EDIT
) -> Relationship:
    return _get_row_for_user(Relationship, request, pk, action)


def _get_cost_for_user(request: HtmxHttpRequest, pk: int) -> CostItem:
    return _get_row_for_user(CostItem, request, pk, Action.EDIT)


# --- what a canvas page needs to know first ---------------------------------------------------


class PageState(NamedTuple):
    """What the canvas page asks before anything else, in one query (``page_state``)."""

    revision: int
    updated_at: object
    title: str
    role: str  # the user's: "owner" or a member's role
    is_shared: bool  # the canvas has members (they talk in comments)
    reviewed: bool  # a teacher reviewed a hand-in of it by this user: maybe feedback to show
    unread_feedback: int  # the header's badge (classrooms.context_processors.unread_feedback)


def _page_state_query(user_pk: int, pk: int):
    from classrooms.models import Submission  # classes build on the block

    user = get_user_model()(pk=user_pk)
    reviewed = Submission.objects.filter(
        canvas=OuterRef("pk"), student=user, reviewed_at__isnull=False
    )
    unread = (
        Submission.objects.with_unread_feedback(user)
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return (
        access.canvases(user, Action.READ)
        .filter(pk=pk)
        .annotate(
            is_shared=Exists(CanvasMember.objects.filter(canvas=OuterRef("pk"))),
            reviewed=Exists(reviewed),
            unread=Subquery(unread),
        )
        .values_list("revision", "updated_at", "title", "role", "is_shared", "reviewed", "unread")
    )


_PAGE_STATE = CompiledQuery(_page_state_query, arity=2)


def page_state(request: HtmxHttpRequest, pk: int) -> PageState:
    """The canvas ``pk`` as its page first needs it, if the user may read it; else 404.

    One query, compiled once per process: the access rule of ``teams.access`` with the
    canvas's revision, the user's role, whether it has members or reviewed hand-ins, and the
    count of the header's badge (so that the context processor's own query never runs).
    """
    rows = _PAGE_STATE.rows(request.user.pk, pk)
    if not rows:
        raise Http404("No such canvas, or not shared with you.")
    return PageState(*rows[0])


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
# Pieces that show relationship cards, from ``render_cards``.
BOARDS = {"board", "segment-column"}


def _oob_segments(block: Block, segment_pk: int | None, header_swapped: bool) -> list:
    # A new horizon changes every segment's figures; an edit in a segment changes its own.
    return [s for s in block.segments if s.pk == segment_pk or header_swapped]


def _block_oob(
    request: HtmxHttpRequest,
    block: Block,
    segments: list,
    header_swapped: bool,
    found: tuple[list, dict],
) -> list[str]:
    """What a save changes beside the swapped pieces, out of band: the totals, completeness,
    the pitch warnings, the numbers, and the totals of ``segments`` (``_oob_segments``).
    ``found``: as ``kept_numbers`` takes it."""
    html = []
    context = {"canvas": block, "oob": True}
    if header_swapped:
        html.append(render_to_string(f"{PAGE}#window-title", context, request=request))
        html.append(render_to_string(f"{PAGE}#breadcrumb-title", context, request=request))
    numbers = kept_numbers(request, block, True, segments, found=found)
    html += [numbers.get("canvas-totals", ""), numbers.get("completeness", "")]
    html += [numbers.get("pitch-warnings", ""), numbers.get("economics", "")]
    html += [numbers["segment-totals"].get(segment.pk, "") for segment in segments]
    return html


def _block_response(
    request: HtmxHttpRequest, block: Block, pieces: list[Piece], segment_pk: int | None = None
) -> HttpResponse:
    """Render the swapped partials from a fresh block, plus totals and completeness out of band.

    ``segment_pk`` names a segment whose totals changed but are not inside the swapped pieces.
    A relationship card comes from the kept cards (``relationships.cards``).
    """
    header_swapped = any(name == "canvas-header" for name, _piece in pieces)
    context = _editor_context(
        canvas=block,
        oob_segment_pk=segment_pk,
        header_swapped=header_swapped,
        feedback=_teacher_feedback(request, block.pk),
    )
    html = []
    # The kept pieces this answer needs, looked for in one cache round trip: its cards' and
    # the numbers'.
    extras = [(name, piece(block) if callable(piece) else piece) for name, piece in pieces]
    cards = {
        i: card_keys(extra["relationship"], extra.get("costs_open", False))
        for i, (name, extra) in enumerate(extras)
        if name == "relationship-card"
    }
    segments = _oob_segments(block, segment_pk, header_swapped)
    numbers = numbers_wanted(block, segments, shown_pieces(request))
    keys = [key for one in cards.values() for key in one.all()]
    found = kept_pieces.get_many(keys + [key for key, _name, _extra in numbers])
    for i, (name, extra) in enumerate(extras):
        if name == "relationship-card":
            relationship, costs_open = extra["relationship"], extra.get("costs_open", False)
            html.append(render_card(request, relationship, costs_open, found, cards[i]))
            continue
        if name in BOARDS:
            shown = extra["segment"].relationships if "segment" in extra else None
            extra = {**extra, "cards": render_cards(request, block, shown)}
        html.append(render_to_string(f"{PAGE}#{name}", {**context, **extra}, request=request))
    html += _block_oob(request, block, segments, header_swapped, (numbers, found))
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
    response = _block_response(request, block or kept_blocks.load(canvas_pk), pieces, segment_pk)
    if notice := getattr(request, "merge_notice", ""):
        response.content += format_html(
            '<div id="flash" class="container-fluid" role="status" aria-live="polite" '
            'hx-swap-oob="true"><p class="notice notice-info notice-merged">{}</p></div>',
            notice,
        ).encode()
    return reswap(retarget(response, target), "outerHTML") if target else response


def _save_form(request: HtmxHttpRequest, form: VersionedForm, canvas_pk: int) -> Block | None:
    """On POST, validate ``form`` and save it through the write path: the fresh block.

    None when there is nothing to save or it was refused (the form then holds the errors).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    form.editor = request.user
    block = change_block(
        canvas_pk,
        form.save_if_current,
        by=request.user,
        card=lambda: card_of(form.instance),
        update=form.versioned_update(),
    )
    if block is not None and form.merge_notice:
        # Someone else's change was kept beside the user's: say so, where the answer shows it.
        if request.htmx:
            request.merge_notice = form.merge_notice
        else:
            # "merged": the page at the card keeps it in sight, as htmx's answer does.
            messages.info(request, form.merge_notice, extra_tags="merged")
    return block


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
