"""Classes and teacher review. Thin views; access checked by one helper per kind of object.

A teacher (owner or co-teacher) sees the class's submissions and private notes; a student sees
only their own submissions and the public comments on them; anyone else gets a 404.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from classrooms.forms import (
    AssignmentForm,
    ClassroomForm,
    CommentForm,
    CoTeacherForm,
    JoinForm,
    RubricForm,
    SavedCommentForm,
    SubmitForm,
    VerdictForm,
)
from classrooms.models import (
    Assignment,
    Classroom,
    Comment,
    Membership,
    SavedComment,
    Submission,
)
from classrooms.review import class_gaps, diff_documents
from classrooms.roster import class_members, column_headings, dashboard_roster, results_table
from relationships.models import Canvas
from relationships.pdf import PdfExport, PdfOptions
from relationships.views import HtmxHttpRequest
from relationships.views_export import pdf_response

# --- access -------------------------------------------------------------------------------


def _get_class_for_teacher(request: HtmxHttpRequest, pk: int) -> Classroom:
    return get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)


def _get_assignment_for_teacher(request: HtmxHttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related("classroom").filter(
            classroom__in=Classroom.objects.for_teacher(request.user)
        ),
        pk=pk,
    )


def _get_submission_for_teacher(request: HtmxHttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("assignment__classroom", "student").filter(
            assignment__classroom__in=Classroom.objects.for_teacher(request.user)
        ),
        pk=pk,
    )


def _get_submission_for_reader(request: HtmxHttpRequest, pk: int) -> Submission:
    """A submission its student or one of the class's teachers may read; else a 404."""
    return get_object_or_404(
        Submission.objects.select_related("assignment__classroom").filter(
            Q(student=request.user)
            | Q(assignment__classroom__in=Classroom.objects.for_teacher(request.user))
        ),
        pk=pk,
    )


def _get_submission_for_student(request: HtmxHttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("assignment__classroom"), pk=pk, student=request.user
    )


# --- classes ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def class_list(request: HtmxHttpRequest) -> HttpResponse:
    """The classes I teach and the ones I take, and the form that starts a class."""
    form = ClassroomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        classroom = form.save(commit=False)
        classroom.teacher = request.user
        classroom.save()
        return redirect("class_detail", pk=classroom.pk)
    unread = set(
        Submission.objects.with_unread_feedback(request.user).values_list(
            "assignment__classroom_id", flat=True
        )
    )
    return render(
        request,
        "classrooms/class_list.html",
        {
            "form": form,
            "teaching": Classroom.objects.for_teacher(request.user),
            "taking": Classroom.objects.for_student(request.user).select_related("teacher"),
            "unread_class_ids": unread,
        },
    )


@require_http_methods(["GET", "POST"])
def join(request: HtmxHttpRequest, code: str = "") -> HttpResponse:
    """Join a class with its code, typed in or carried by a join link."""
    form = JoinForm(request.POST or ({"code": code} if code else None), student=request.user)
    if request.method == "POST" and form.is_valid():
        classroom = form.cleaned_data["code"]
        classroom.join(request.user)
        messages.success(request, _("You joined “%(name)s”.") % {"name": classroom.name})
        return redirect("class_detail", pk=classroom.pk)
    return render(request, "classrooms/join.html", {"form": form})


@require_safe
def class_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom.objects.select_related("teacher"), pk=pk)
    if classroom.is_teacher(request.user):
        return _class_for_teacher(request, classroom)
    if classroom.has_student(request.user):
        return _class_for_student(request, classroom)
    raise Http404


def _class_for_teacher(
    request: HtmxHttpRequest, classroom: Classroom, **forms_in_error
) -> HttpResponse:
    memberships, former_memberships = class_members(classroom)
    latest = (
        Submission.objects.filter(assignment__classroom=classroom)
        .latest_per_student()
        .order_by("student_id", "-submitted_at")
    )
    newest_per_student = {}
    for submission in latest:
        newest_per_student.setdefault(submission.student_id, submission)
    blocks = [submission.block for submission in newest_per_student.values()]
    join_url = request.build_absolute_uri(reverse("join_with_code", args=[classroom.join_code]))
    return render(
        request,
        "classrooms/class_teacher.html",
        {
            "classroom": classroom,
            "memberships": memberships,
            "former_memberships": former_memberships,
            "co_teachers": list(classroom.co_teachers.all()),
            "assignments": list(classroom.assignments.all()),
            "assignment_form": forms_in_error.get("assignment_form") or AssignmentForm(),
            "co_teacher_form": forms_in_error.get("co_teacher_form")
            or CoTeacherForm(classroom=classroom),
            "gaps": class_gaps(blocks),
            "gaps_total": len(blocks),
            "join_url": join_url,
        },
    )


def _class_for_student(request: HtmxHttpRequest, classroom: Classroom) -> HttpResponse:
    submissions = Submission.objects.filter(
        assignment__classroom=classroom, student=request.user
    ).defer("document")
    by_assignment: dict[int, list[Submission]] = {}
    for submission in submissions:
        by_assignment.setdefault(submission.assignment_id, []).append(submission)
    assignments = list(classroom.assignments.all())
    for assignment in assignments:
        assignment.my_submissions = by_assignment.get(assignment.pk, [])
    return render(
        request,
        "classrooms/class_student.html",
        {
            "classroom": classroom,
            "assignments": assignments,
            "my_canvases": list(Canvas.objects.for_user(request.user).only("pk", "title")),
        },
    )


@require_POST
def class_joining(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    classroom = _get_class_for_teacher(request, pk)
    classroom.joining_open = not classroom.joining_open
    classroom.save(update_fields=["joining_open"])
    return redirect("class_detail", pk=pk)


@require_POST
def member_remove(request: HtmxHttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    classroom = _get_class_for_teacher(request, pk)
    membership = get_object_or_404(
        Membership, pk=membership_pk, classroom=classroom, removed_at__isnull=True
    )
    membership.removed_at = timezone.now()
    membership.save(update_fields=["removed_at"])
    messages.success(
        request,
        _("%(name)s was removed from the class; their submissions stay with you.")
        % {"name": membership.student.get_username()},
    )
    return redirect("class_detail", pk=pk)


@require_POST
def member_restore(request: HtmxHttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Let a removed student back into the class (their code no longer does)."""
    classroom = _get_class_for_teacher(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, classroom=classroom)
    classroom.join(membership.student)
    messages.success(
        request,
        _("%(name)s is back in the class.") % {"name": membership.student.get_username()},
    )
    return redirect(f"{reverse('class_detail', args=[pk])}#students")


@require_POST
def co_teacher_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    classroom = _get_class_for_teacher(request, pk)
    form = CoTeacherForm(request.POST, classroom=classroom)
    if not form.is_valid():
        return _class_for_teacher(request, classroom, co_teacher_form=form)
    classroom.co_teachers.add(form.cleaned_data["username"])
    return redirect("class_detail", pk=pk)


@require_POST
def assignment_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    classroom = _get_class_for_teacher(request, pk)
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        return _class_for_teacher(request, classroom, assignment_form=form)
    assignment = form.save(commit=False)
    assignment.classroom = classroom
    assignment.save()
    return redirect("assignment_dashboard", pk=assignment.pk)


# --- assignments ----------------------------------------------------------------------------


@require_safe
def assignment_dashboard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Teachers: a row per student. Its students go to the class page, where they hand in."""
    assignment = get_object_or_404(Assignment.objects.select_related("classroom"), pk=pk)
    if not assignment.classroom.is_teacher(request.user):
        if not assignment.classroom.has_student(request.user):
            raise Http404
        return redirect(
            f"{reverse('class_detail', args=[assignment.classroom_id])}#assignment-{pk}"
        )
    roster = dashboard_roster(
        assignment,
        status=request.GET.get("status", ""),
        late_only=request.GET.get("late") == "1",
        sort=request.GET.get("sort", "student"),
    )
    return render(
        request,
        "classrooms/dashboard.html",
        {
            "assignment": assignment,
            "classroom": assignment.classroom,
            "roster": roster,
            "columns": column_headings(request.GET, roster.sort),
        },
    )


@require_safe
def assignment_results_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The assignment's results as a spreadsheet: a row per student."""
    assignment = _get_assignment_for_teacher(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"results-{assignment.pk}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheets read the accents right
    csv.writer(response).writerows(results_table(assignment))
    return response


@require_POST
def assignment_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("classroom"),
        pk=pk,
        classroom__memberships__student=request.user,
        classroom__memberships__removed_at__isnull=True,
    )
    form = SubmitForm(request.POST, student=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["canvas"]))
        return redirect(
            f"{reverse('class_detail', args=[assignment.classroom_id])}#assignment-{pk}"
        )
    submission = assignment.submit(request.user, form.cleaned_data["canvas"])
    if submission.is_late:
        messages.warning(request, _("Handed in after the due date: it is marked late."))
    else:
        messages.success(request, _("Handed in. You can keep editing your canvas."))
    return redirect(f"{reverse('class_detail', args=[assignment.classroom_id])}#assignment-{pk}")


def _next_waiting(assignment: Assignment, after: Submission | None = None) -> Submission | None:
    """The next submission waiting for review after ``after`` (see ``SubmissionQuerySet``)."""
    return Submission.objects.waiting_for_review(assignment).next_after(after)


@require_safe
def assignment_next(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assignment = _get_assignment_for_teacher(request, pk)
    submission = Submission.objects.waiting_for_review(assignment).first()
    if submission is None:
        messages.success(request, _("Nothing is waiting for review. Well done!"))
        return redirect("assignment_dashboard", pk=pk)
    return redirect("submission_review", pk=submission.pk)


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


def _review_context(request: HtmxHttpRequest, submission: Submission, **forms_in_error) -> dict:
    comments = list(submission.comments.select_related("author"))
    previous = submission.previous_reviewed()
    changes = diff_documents(previous.document, submission.document) if previous else None
    return {
        **_snapshot_context(submission, comments),
        "private_notes": [c for c in comments if c.is_private],
        "previous": previous,
        "changes": changes,
        "verdict_form": forms_in_error.get("verdict_form")
        or VerdictForm(
            initial={"status": submission.status, "summary": submission.verdict_summary}
        ),
        "rubric_form": forms_in_error.get("rubric_form") or RubricForm(submission=submission),
        "comment_form": forms_in_error.get("comment_form") or CommentForm(submission=submission),
        "saved_comments": list(SavedComment.objects.filter(teacher=request.user)),
        "saved_comment_form": SavedCommentForm(teacher=request.user),
        "next_submission": _next_waiting(submission.assignment, after=submission),
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
            request, submission, anchor, CommentForm(submission=submission)
        )
    # The errors go beside the box the comment came from, or the whole canvas's if that row
    # is not in this submission.
    anchor = form.cleaned_data.get("anchor", "")
    if request.htmx:
        return _render_anchor_comments(request, submission, anchor, form)
    context = _review_context(request, submission, comment_form=form)
    context["error_anchor"] = anchor
    return render(request, "classrooms/review.html", context)


def _render_anchor_comments(request, submission, anchor: str, form) -> HttpResponse:
    comments = [c for c in submission.comments.select_related("author") if c.anchor == anchor]
    return render(
        request,
        "classrooms/review.html#anchor-comments",
        {
            "submission": submission,
            "anchor": anchor,
            "comments": comments,
            "form": form,
            "error_anchor": anchor if form.is_bound else None,
            "is_teacher": True,
        },
    )


@require_POST
def rubric_save(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    submission = _get_submission_for_teacher(request, pk)
    form = RubricForm(request.POST, submission=submission)
    if not form.is_valid():
        return render(
            request,
            "classrooms/review.html",
            _review_context(request, submission, rubric_form=form),
        )
    form.save()
    messages.success(request, _("Rubric saved."))
    return redirect(f"{reverse('submission_review', args=[pk])}#rubric")


@require_POST
def verdict_save(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    submission = _get_submission_for_teacher(request, pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "classrooms/review.html",
            _review_context(request, submission, verdict_form=form),
        )
    submission.set_verdict(form.cleaned_data["status"], form.cleaned_data["summary"], request.user)
    messages.success(
        request,
        _("Verdict saved for %(name)s.") % {"name": submission.student.get_username()},
    )
    if "next" in request.POST:
        return redirect("assignment_next", pk=submission.assignment_id)
    return redirect("submission_review", pk=pk)


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


@require_safe
def submission_feedback(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The student's frozen submission with the teacher's public comments, rubric and verdict."""
    submission = _get_submission_for_student(request, pk)
    public = [c for c in submission.comments.select_related("author") if not c.is_private]
    context = {
        **_snapshot_context(submission, public),
        "rubric": list(submission.rubric_scores.all()),
        "was_unread": submission.has_unread_feedback,
        "is_teacher": False,
    }
    if submission.has_unread_feedback and request.method == "GET":  # not a HEAD: a real read
        Submission.objects.filter(pk=pk).update(feedback_seen_at=timezone.now())
    return render(request, "classrooms/feedback.html", context)
