"""The members' comments on a canvas (``teams.comments``): writing one, resolving it or
opening it again; the panel again for htmx, the canvas at its comments for a plain form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from relationships.block import Block
from teams import access
from teams.access import Action
from teams.comments import CanvasCommentForm, comments_context
from teams.models import CanvasComment


def _comments_answer(request: HttpRequest, block: Block, role: str, form=None, status=200):
    """The comments panel again (htmx), or the canvas at its comments (a plain form)."""
    if request.htmx:  # htmx swaps only a 2xx: the form comes back with its message beside it
        context = {"canvas": block, **comments_context(block, role, form)}
        return render(request, "teams/_comments.html", context)
    if form is not None:  # refused without JavaScript: the form alone, with its errors
        context = {"canvas": block, **comments_context(block, role, form)}
        return render(request, "teams/comment_page.html", context, status=status)
    return redirect(reverse("canvas_detail", args=[block.pk]) + "#member-comments")


@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    block, canvas = access.load_block(request.user, pk, Action.COMMENT)
    form = CanvasCommentForm(request.POST, block=block)
    if not form.is_valid():
        return _comments_answer(request, block, canvas.role, form, status=422)
    comment = form.save(commit=False)
    comment.canvas_id, comment.author = pk, request.user
    comment.save()
    return _comments_answer(request, block, canvas.role)


@require_POST
def comment_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a comment, or open it again."""
    allowed = access.canvases(request.user, Action.COMMENT).values("pk")
    comment = get_object_or_404(CanvasComment, pk=pk, canvas__in=allowed)
    resolved = comment.resolved_at is None
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = request.user if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    block, canvas = access.load_block(request.user, comment.canvas_id, Action.COMMENT)
    return _comments_answer(request, block, canvas.role)
