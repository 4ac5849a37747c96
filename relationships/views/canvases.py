"""Views of a canvas as a whole: my canvases, the editor page, the venture's answers, rename,
copy and delete, and the help page. Thin: find (404 if not yours), check, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relationships.block import Block
from relationships.cards import render_cards
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
    _teacher_feedback,
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


@require_safe
def canvas_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The editor for whoever may edit the block; the block read-only for the other members."""
    block, canvas = access.load_block(request.user, pk, Action.READ)
    role = canvas.role
    shared = {"role": role, **live.people_here(pk, request.user)}
    if canvas.is_shared:  # members talk to each other in comments (teams.comments)
        shared |= comments_context(block, role)
    if not access.may(role, Action.EDIT):
        context = {"canvas": block, "readonly": True, **shared}
        return render(request, "relationships/canvas_read.html", context)
    cards = render_cards(request, block)
    feedback = _teacher_feedback(request, block.pk)
    context = _editor_context(canvas=block, cards=cards, feedback=feedback, **shared)
    return render(request, PAGE, context)


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
