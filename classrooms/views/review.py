"""Views of a submission: the teacher's review (comments, rubric, verdict, comment bank), the
student's feedback page, and the PDF of what was handed in."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_POST,
    require_safe,
)

from classrooms.forms import (
    AnswerForm,
    CommentForm,
    RubricForm,
    SavedCommentForm,
    VerdictForm,
)
from classrooms.models import (
    Classroom,
    Comment,
    SavedComment,
    Submission,
)
from classrooms.review import diff_documents, past_comments
from classrooms.views.base import (
    _get_submission_for_reader,
    _get_submission_for_student,
    _get_submission_for_teacher,
)
from relationships.pdf import PdfExport, PdfOptions
from relationships.views.base import HtmxHttpRequest
from relationships.views.export import pdf_response

# --- review ---------------------------------------------------------------------------------


def _comments_by_anchor(comments: list[Comment]) -> dict[str, list[Comment]]:
    """The comments grouped by the place of the block they point at ("" the whole canvas)."""
    by_anchor: dict[str, list[Comment]] = {}
    for comment in comments:
        by_anchor.setdefault(comment.anchor, []).append(comment)
    return by_anchor


def _snapshot_context(submission: Submission, comments: list[Comment]) -> dict:
    """What every page showing a frozen submission needs: the block, read-only, commented."""
    by_anchor = _comments_by_anchor(comments)
    return {
        "submission": submission,
        "assignment": submission.assignment,
        "classroom": submission.assignment.classroom,
        "canvas": submission.block,
        "readonly": True,
        "comments_by_anchor": by_anchor,
        "canvas_comments": by_anchor.get("", []),
    }


def _review_forms(
    submission: Submission, previous: Submission | None, verdict_form=None, rubric_form=None, **_
) -> dict:
    """The verdict and rubric, as saved, or as the previous round left them (to adjust)."""
    carried = previous if previous and not submission.reviewed_at else None
    verdict_form = verdict_form or VerdictForm(
        initial={
            "status": submission.status if submission.reviewed_at else "",
            "summary": submission.verdict_summary or (carried.verdict_summary if carried else ""),
        },
        for_team=submission.team_id is not None,
    )
    rubric_form = rubric_form or RubricForm(submission=submission, carried_from=carried)
    return {
        "verdict_form": verdict_form,
        "rubric_form": rubric_form,
        "carried_from": rubric_form.carried_from,
    }


def _review_context(request: HtmxHttpRequest, submission: Submission, **forms_in_error) -> dict:
    comments = list(submission.comments.select_related("author"))
    previous = submission.previous_reviewed()
    changes = diff_documents(previous.document, submission.document) if previous else None
    earlier = past_comments(previous, submission) if previous else []
    queue = Submission.objects.waiting_for_review(submission.assignment)
    following = queue.next_after(submission)
    return {
        **_snapshot_context(submission, comments),
        "private_notes": [c for c in comments if c.is_private],
        "previous": previous,
        "changes": changes,
        "past_comments": earlier,
        **_review_forms(submission, previous, **forms_in_error),
        "comment_form": forms_in_error.get("comment_form") or CommentForm(submission=submission),
        "saved_comments": list(SavedComment.objects.filter(teacher=request.user)),
        "saved_comment_form": SavedCommentForm(teacher=request.user),
        "next_submission": following,
        # The queue holds teams and students (one who handed in alone before it was team
        # work): the buttons name what comes next, or what the assignment is made of.
        "next_is_team": following.team_id is not None
        if following
        else submission.assignment.team_work,
        "is_teacher": True,
    }


@require_safe
def submission_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    submission = _get_submission_for_teacher(request, pk)
    return render(request, "classrooms/review.html", _review_context(request, submission))


@require_POST
def comment_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    submission = _get_submission_for_teacher(request, pk)
    form = CommentForm(request.POST, submission=submission)
    if form.is_valid():
        comment = form.save(commit=False)
        comment.submission = submission
        comment.author = request.user
        comment.save()
        if not comment.is_private:
            submission.feedback_changed()
        anchor = comment.anchor
        if not request.htmx:
            return redirect(f"{reverse('submission_review', args=[pk])}#{anchor or 'comments'}")
        return _render_anchor_comments(
            request, submission, anchor, CommentForm(submission=submission), comment.is_private
        )
    # The errors go beside the box the comment came from, or the whole canvas's if that row
    # is not in this submission.
    anchor = form.cleaned_data.get("anchor", "")
    if request.htmx:
        return _render_anchor_comments(request, submission, anchor, form)
    context = _review_context(request, submission, comment_form=form)
    context["error_anchor"] = anchor
    return render(request, "classrooms/review.html", context)


def _render_anchor_comments(
    request, submission, anchor: str, form, private_added: bool = False, is_teacher: bool = True
) -> HttpResponse:
    """The comments at ``anchor`` with their box; the private notes too when one was added.

    A student (``is_teacher`` False) sees the public ones and the box to answer them.
    """
    every = [
        c for c in submission.comments.select_related("author") if is_teacher or not c.is_private
    ]
    context = {
        "submission": submission,
        "anchor": anchor,
        "comments": [c for c in every if c.anchor == anchor],
        "form": form,
        "error_anchor": anchor if form.is_bound else None,
        "is_teacher": is_teacher,
        "can_answer": not is_teacher,
    }
    html = render_to_string("classrooms/review.html#anchor-comments", context, request=request)
    if private_added:
        notes = {"private_notes": [c for c in every if c.is_private], "oob": True}
        html += render_to_string("classrooms/review.html#private-notes", notes, request=request)
    return HttpResponse(html)


@require_POST
def review_save(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The verdict, the summary and the rubric, saved together: no button loses the others.

    Anything refused comes back beside its field with everything else the teacher typed.
    """
    submission = _get_submission_for_teacher(request, pk)
    verdict = VerdictForm(request.POST, for_team=submission.team_id is not None)
    rubric = RubricForm(request.POST, submission=submission)
    if not all([verdict.is_valid(), rubric.is_valid()]):
        context = _review_context(request, submission, verdict_form=verdict, rubric_form=rubric)
        return render(request, "classrooms/review.html", context)
    with transaction.atomic():
        scored = rubric.save()
        judged = verdict.save(submission, request.user)
    name = {"name": submission.team.name if submission.team else submission.student.get_username()}
    if scored or judged:
        messages.success(request, _("Review saved for %(name)s.") % name)
    else:
        messages.info(request, _("Nothing new to save: choose a verdict, write or score first."))
    if "next" in request.POST:
        queue = Submission.objects.waiting_for_review(submission.assignment)
        if following := queue.next_after(submission):
            return redirect("submission_review", pk=following.pk)
        return redirect("assignment_next", pk=submission.assignment_id)  # says none is waiting
    return redirect(f"{reverse('submission_review', args=[pk])}#verdict")


@require_POST
def comment_resolve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A teacher marks a comment of an earlier round resolved, or open again."""
    comment = get_object_or_404(
        Comment.objects.filter(
            submission__assignment__classroom__in=Classroom.objects.for_teacher(request.user)
        ),
        pk=pk,
    )
    comment.resolved_at = None if comment.resolved_at else timezone.now()
    comment.save(update_fields=["resolved_at"])
    return _back_to(request)


@require_POST
def saved_comment_create(request: HtmxHttpRequest) -> HttpResponse:
    form = SavedCommentForm(request.POST, teacher=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Remark added to your comment bank."))
    else:
        messages.error(request, " ".join(form.errors.get("text", [])))
    return _back_to(request)


@require_POST
def saved_comment_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SavedComment, pk=pk, teacher=request.user).delete()
    return _back_to(request)


def _back_to(request: HtmxHttpRequest) -> HttpResponse:
    """Back to the page the form came from (``next_url``) if it is one of ours, else the classes."""
    next_url = request.POST.get("next_url", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    return redirect("class_list")


@require_GET  # not HEAD: it would render a PDF and spend the user's budget for nothing
def submission_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The PDF of a submission as it was handed in: for its student and the class's teachers."""
    submission = _get_submission_for_reader(request, pk)
    options = PdfOptions.from_query(request.GET)
    return pdf_response(request, PdfExport.of_submission(submission, options))


# --- the student's side ---------------------------------------------------------------------


def _feedback_context(submission: Submission, answer_form=None) -> dict:
    public = [c for c in submission.comments.select_related("author") if not c.is_private]
    return {
        **_snapshot_context(submission, public),
        "rubric": list(submission.rubric_scores.all()),
        "was_unread": submission.has_unread_feedback,
        "is_teacher": False,
        "can_answer": True,
        "comment_form": answer_form or AnswerForm(submission=submission),
    }


@require_safe
def submission_feedback(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The student's frozen submission with the teacher's public comments, rubric and verdict."""
    submission = _get_submission_for_student(request, pk)
    context = _feedback_context(submission)
    if submission.has_unread_feedback and request.method == "GET":  # not a HEAD: a real read
        submission.mark_feedback_seen(request.user)  # theirs alone: teammates keep the badge
    return render(request, "classrooms/feedback.html", context)


@require_POST
def comment_answer(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The student answers the teacher's comments at one place of their submission."""
    submission = _get_submission_for_student(request, pk)
    form = AnswerForm(request.POST, submission=submission)
    sent_to = form.data.get("anchor", "")
    anchor = sent_to if sent_to in submission.block.anchors else ""  # where the errors show
    if form.is_valid():
        Comment.objects.create(
            submission=submission,
            author=request.user,
            anchor=anchor,
            body=form.cleaned_data["body"],
        )
        if not request.htmx:
            url = reverse("submission_feedback", args=[pk])
            return redirect(f"{url}#{anchor or 'comments'}")
        form = AnswerForm(submission=submission)
    if request.htmx:
        return _render_anchor_comments(request, submission, anchor, form, is_teacher=False)
    context = {**_feedback_context(submission, answer_form=form), "error_anchor": anchor}
    return render(request, "classrooms/feedback.html", context)
