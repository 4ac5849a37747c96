"""Views of a canvas as a whole: my canvases, the editor page, the venture's answers, rename,
copy and delete, and the help page. Thin: find (404 if not yours), check, call, render."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relationships import kept_blocks
from relationships.block import Block
from relationships.cards import (
    PAGE_SECONDS,
    Kept,
    content_key,
    get_many,
    keep,
    keep_many,
    kept,
    page_key,
    render_cards,
    render_kept,
    request_token,
    stand_in,
)
from relationships.document import DocumentError
from relationships.forms import (
    CanvasCreateForm,
    CanvasForm,
    CanvasRenameForm,
)
from relationships.help import QUESTION_HELP, type_help
from relationships.models import Canvas
from relationships.viability import RULES
from relationships.views.base import (
    PAGE,
    HtmxHttpRequest,
    Piece,
    _block_response,
    _editor_context,
    _form_response,
    _get_canvas_for_user,
    _save_form,
    _saved,
    kept_numbers,
    page_state,
)
from teams import access, live
from teams.access import Action
from teams.comments import comments_context
from teams.sharing import shared_with

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
    context = {"canvases": blocks, "form": form, **shared_with(request.user)}
    return render(request, "relationships/canvas_list.html", context)


READ_PAGE = "relationships/canvas_read.html"


def _feedback_digest(feedback) -> str:
    """A hash of every loaded field of the teacher's comments shown beside the rows ("" for
    none): the editor is kept per feedback too, and it belongs to one student."""
    if not feedback:
        return ""

    def fields(row) -> list:
        return sorted((k, v) for k, v in vars(row).items() if not k.startswith("_")) if row else []

    rows = [fields(feedback.submission), fields(feedback.submission.assignment)]
    for anchor, comments in sorted(feedback.by_anchor.items()):
        rows += [[anchor], *([fields(c), fields(c.author)] for c in comments)]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _markers(token: str) -> dict[str, str]:
    """Where a kept page piece takes what is drawn per request; unique to the piece."""
    return {name: f"<!--{name} {token}-->" for name in ("live", "comments", "content")}


def _served(piece: Kept, token: str, **inserts: str) -> str:
    html, markers = piece.html, _markers(piece.stand_in)
    for name, insert in inserts.items():
        html = html.replace(markers[name], insert)
    return html.replace(piece.stand_in, token)


def _frame_key(request: HtmxHttpRequest, template: str, state) -> str | None:
    """The key of the page's frame (base.html: the header's menu with the user's name and
    badge, the language form back to this address), or None when it is this request's alone:
    it shows a message, or the address has a query string."""
    if request.GET or len(messages.get_messages(request)):
        return None
    user = request.user
    parts = (template, request.path, state.title, user.pk, user.get_username())
    return content_key("frame", *parts, state.unread_feedback)


def _drawn_block(request, state, block: Block, template: str, feedback, digest: str) -> Kept:
    """The block's part of the page, with markers for who is here and the team's comments.
    ``digest``: of the teacher's comments in ``feedback`` (``_feedback_digest``)."""
    stands_in = stand_in()
    markers = {name: mark_safe(marker) for name, marker in _markers(stands_in).items()}
    context = {"canvas": block, "role": state.role, "feedback": feedback, **markers}
    if template == PAGE:
        numbers = kept_numbers(request, block, oob=False, token=stands_in)
        context = _editor_context(numbers=numbers, **context)
        columns = _segment_columns(request, block, context, state.role, stands_in, digest)
        context["columns"] = columns
    else:
        context["readonly"] = True
    partial = "editor-content" if template == PAGE else "read-content"
    return render_kept(f"{template}#{partial}", context, token=stands_in)


def _segment_columns(
    request, block: Block, context: dict, role: str, stands_in: str, comments: str
) -> dict:
    """Each segment's column of the editor, by segment id, as drawn last for all it shows: the
    segment with its relationships and costs (the view's repr), its kept totals, the teacher's
    comments (``comments``: their digest) and the role. After a save the page draws again only
    the column that changed; a column drawn now has its cards from ``render_cards`` (kept by
    card)."""
    totals = context["numbers"]["segment-totals"]
    keys = {
        segment.pk: content_key(
            "segment-column", repr(segment), str(totals.get(segment.pk, "")), comments, role
        )
        for segment in block.segments
    }
    found = get_many(list(keys.values()))
    missing = [segment for segment in block.segments if keys[segment.pk] not in found]
    if missing:
        relationships = [r for segment in missing for r in segment.relationships]
        cards = render_cards(request, block, relationships, token=stands_in)
        drawn = {
            keys[segment.pk]: render_kept(
                f"{PAGE}#segment-column",
                {**context, "cards": cards, "segment": segment},
                token=stands_in,
            )
            for segment in missing
        }
        keep_many(drawn)
        found.update(drawn)
    return {pk: found[key].served(stands_in) for pk, key in keys.items()}


@require_safe
def canvas_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The editor for whoever may edit the block; the block read-only for the other members.

    Put together from kept pieces (``relationships.cards``): one query for the user's role and
    the canvas's revision (``page_state``), then the block as drawn last for that revision,
    role and language, and the page's frame as drawn last for this user. The block is loaded
    and drawn only when it is not kept, and loaded for the team's comments (never kept).
    """
    state = page_state(request, pk)
    editing = access.may(state.role, Action.EDIT)
    feedback = None
    if editing and state.reviewed:  # the comments beside the rows are this student's
        from classrooms.feedback import feedback_for_editor  # classes build on the block

        feedback = feedback_for_editor(pk, request.user)
    people = live.people_here(pk, request.user)
    template = PAGE if editing else READ_PAGE
    digest = _feedback_digest(feedback)
    kind = "editor" if editing else "reader"
    block_at = page_key(kind, pk, state.revision, state.updated_at, state.role, digest)
    live_at = content_key("live", pk, state.revision, editing, people["people_key"], people)
    frame_at = _frame_key(request, template, state)
    found = get_many([k for k in (block_at, live_at, frame_at) if k], PAGE_SECONDS)
    token = request_token(request)

    block = None
    drawn = found.get(block_at)
    if drawn is None:
        block = kept_blocks.at(pk, state.revision, state.updated_at)
        drawn = _drawn_block(request, state, block, template, feedback, digest)
        if block.revision == state.revision:  # else a write came in between: not for the key
            keep(block_at, drawn, PAGE_SECONDS)
    comments = ""
    if state.is_shared:  # members talk to each other in comments (teams.comments)
        block = block or kept_blocks.at(pk, state.revision, state.updated_at)
        context = {"canvas": block, "role": state.role, **comments_context(block, state.role)}
        comments = render_to_string("teams/_comments.html", context, request=request)
    live_context = {"canvas_pk": pk, "revision": state.revision, "editing": editing, **people}
    here = kept(live_at, lambda: render_kept("teams/live.html", live_context), PAGE_SECONDS, found)
    content = _served(drawn, token, live=here.html, comments=comments)

    frame_context = {
        "canvas": {"title": state.title},  # base.html's title block; the rest is the frame's
        "unread_feedback_count": state.unread_feedback,
    }
    if frame_at is None:
        return render(request, template, {**frame_context, "page_content": mark_safe(content)})

    def frame() -> Kept:
        stands_in = stand_in()
        marker = mark_safe(_markers(stands_in)["content"])
        return render_kept(template, {**frame_context, "page_content": marker}, request, stands_in)

    return HttpResponse(_served(kept(frame_at, frame, PAGE_SECONDS, found), token, content=content))


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
    """A copy among the requester's own canvases (of a canvas of theirs or shared with them)."""
    canvas = _get_canvas_for_user(request, pk, Action.DUPLICATE)
    title = _("Copy of %(title)s") % {"title": canvas.title}
    try:
        copy = canvas.duplicate(
            title=title[: Canvas._meta.get_field("title").max_length], owner=request.user
        )
    except DocumentError:  # a text stored before today's checks holds what no copy may
        messages.error(request, _("“%(title)s” could not be copied.") % {"title": canvas.title})
    else:
        messages.success(request, _("“%(title)s” was created.") % {"title": copy.title})
    return redirect("canvas_list")


@require_http_methods(["GET", "POST"])
def canvas_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Ask first (a page of its own), delete on POST. The owner's alone."""
    canvas = _get_canvas_for_user(request, pk, Action.MANAGE)
    if request.method == "POST":
        canvas.delete()
        messages.success(request, _("“%(title)s” was deleted.") % {"title": canvas.title})
        return redirect("canvas_list")
    return render(request, "relationships/canvas_confirm_delete.html", {"canvas": canvas})


@require_safe
def help_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "relationships/help.html",
        {"type_help": type_help(), "question_help": QUESTION_HELP, "viability_rules": RULES},
    )
