"""Views of classes: my classes, joining, the class page (teacher's and student's), members,
co-teachers and new assignments."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from classrooms.forms import (
    AssignmentForm,
    ClassroomForm,
    CoTeacherForm,
    JoinForm,
)
from classrooms.models import (
    Classroom,
    Membership,
    Submission,
)
from classrooms.review import class_gaps
from classrooms.roster import class_members
from classrooms.views.base import (
    _get_class_for_teacher,
)
from relationships.models import Canvas
from relationships.views.base import HtmxHttpRequest

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
    blocks = [s.block for s in Submission.objects.newest_of_each_student(classroom)]
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
    submissions = (
        Submission.objects.filter(assignment__classroom=classroom, student=request.user)
        .select_related("canvas")
        .defer("document")
    )
    by_assignment: dict[int, list[Submission]] = {}
    for submission in submissions:  # newest first
        by_assignment.setdefault(submission.assignment_id, []).append(submission)
    assignments = list(classroom.assignments.all())
    for assignment in assignments:
        mine = by_assignment.get(assignment.pk, [])
        assignment.my_submissions = mine
        # "Hand in again" offers the canvas handed in last, not whichever comes first.
        assignment.last_canvas_id = mine[0].canvas_id if mine else None
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
