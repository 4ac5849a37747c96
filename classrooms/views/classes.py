"""Views of classes: my classes, joining, the class page (teacher's and student's), members,
co-teachers (added and removed by the owner; told, and free to leave) and new assignments."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect

from canvas_site.client_ip import client_ip
from canvas_site.throttle import hit, too_many, waiting
from classrooms.forms import (
    AssignmentForm,
    ClassroomForm,
    CoTeacherForm,
    JoinForm,
    SubmitForm,
    choice_labels,
)
from classrooms.models import (
    Classroom,
    CoTeacher,
    Membership,
    Submission,
    Team,
)
from classrooms.review import class_gaps
from classrooms.roster import class_members
from classrooms.views.base import (
    _get_class_for_owner,
    _get_class_for_teacher,
    _get_co_teacher_for_owner,
    _get_own_co_teachership,
)
from relationships.models import Canvas
from relationships.views.base import HtmxHttpRequest

# --- classes ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def class_list(request: HtmxHttpRequest) -> HttpResponse:
    """The classes I teach and the ones I take, and the form that starts a class.

    Above them, a notice for each class I was added to as co-teacher and was not told of yet.
    """
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
            "teaching": Classroom.objects.for_teacher(request.user).select_related("teacher"),
            "taking": Classroom.objects.for_student(request.user).select_related("teacher"),
            "unread_class_ids": unread,
            "co_teacher_notices": list(CoTeacher.objects.unseen_by(request.user)),
        },
    )


@require_http_methods(["GET", "POST"])
def join(request: HtmxHttpRequest, code: str = "") -> HttpResponse:
    """Join a class with its code, typed in or carried by a join link.

    Wrong codes are rationed per student and per address (``WRONG_CODES``), so that nobody
    can try codes until one opens a class: past the budget, a 429 page says how long to wait.
    """
    form = JoinForm(request.POST or ({"code": code} if code else None), student=request.user)
    trying = _code_tryers(request)
    if form.is_bound:
        if wait := max(waiting("wrong-join-code", who, rate) for rate, who in trying):
            return too_many(request, wait)
        if not form.is_valid() and form.has_error("code", "unknown"):
            for rate, who in trying:
                hit("wrong-join-code", who, rate)
    if request.method == "POST" and form.is_valid():
        classroom = form.cleaned_data["code"]
        classroom.join(request.user)
        messages.success(request, _("You joined “%(name)s”.") % {"name": classroom.name})
        return redirect("class_detail", pk=classroom.pk)
    return render(request, "classrooms/join.html", {"form": form})


# Wrong join codes allowed per student and per address (a classroom shares one address).
WRONG_CODES = {"user": "10/10m", "ip": "40/10m"}


def _code_tryers(request: HtmxHttpRequest) -> list[tuple[str, str]]:
    return [
        (WRONG_CODES["user"], f"user:{request.user.pk}"),
        (WRONG_CODES["ip"], f"ip:{client_ip(request)}"),
    ]


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
            **_co_teachers_context(request, classroom, forms_in_error.get("co_teacher_form")),
            "assignments": list(classroom.assignments.all()),
            "assignment_form": forms_in_error.get("assignment_form") or AssignmentForm(),
            "gaps": class_gaps(blocks),
            "gaps_total": len(blocks),
            "join_url": join_url,
        },
    )


def _class_for_student(
    request: HtmxHttpRequest, classroom: Classroom, refused: SubmitForm | None = None
) -> HttpResponse:
    """The class page of a student; ``refused``, a hand-in form in error, beside its select."""
    submissions = (
        Submission.objects.of_student(request.user)
        .with_seen_by(request.user)  # the "new feedback" badge is each member's own
        .filter(assignment__classroom=classroom)
        .select_related("canvas", "student", "team")
        .defer("document")
    )
    by_assignment: dict[int, list[Submission]] = {}
    for submission in submissions:  # newest first
        by_assignment.setdefault(submission.assignment_id, []).append(submission)
    assignments = list(classroom.assignments.all())
    teams = _teams_by_assignment(classroom, assignments)
    for assignment in assignments:
        mine = by_assignment.get(assignment.pk, [])
        assignment.my_submissions = mine
        # "Hand in again" offers the canvas handed in last, not whichever comes first.
        assignment.chosen_canvas_id = mine[0].canvas_id if mine else None
        if refused is not None and refused.assignment.pk == assignment.pk:
            assignment.submit_form = refused  # its error beside the select, the choice kept
            assignment.chosen_canvas_id = refused.chosen_pk
        assignment.all_teams = teams.get(assignment.pk, [])
        assignment.my_team = next(
            (
                team
                for team in assignment.all_teams
                if any(m.student_id == request.user.pk for m in team.members.all())
            ),
            None,
        )
        # What a team the student has since left handed in (their own hand-in, still theirs to
        # read) is said to be their former team's, not the team they are in now.
        now = assignment.my_team.pk if assignment.my_team else None
        assignment.former_team_ids = {s.team_id for s in mine if s.team_id not in (None, now)}
    # A team's canvas is handed in by the team, never for an individual assignment.
    my_canvases = list(
        Canvas.objects.for_user(request.user).filter(class_teams=None).only("pk", "title")
    )
    labels = choice_labels([canvas.title for canvas in my_canvases])
    for canvas, label in zip(my_canvases, labels, strict=True):
        canvas.choice_label = label  # a long title cut in the middle, on the select's line
    return render(
        request,
        "classrooms/class_student.html",
        {"classroom": classroom, "assignments": assignments, "my_canvases": my_canvases},
        status=200 if refused is None else 422,
    )


def _teams_by_assignment(classroom: Classroom, assignments: list) -> dict[int, list[Team]]:
    """The teams of the class's team assignments, with their canvases and members' names.

    Two queries if the class has a team assignment, none otherwise.
    """
    if not any(assignment.team_work for assignment in assignments):
        return {}
    teams = (
        Team.objects.filter(assignment__classroom=classroom)
        .select_related("canvas")
        .prefetch_related("members__student")
    )
    by_assignment: dict[int, list[Team]] = {}
    for team in teams:
        by_assignment.setdefault(team.assignment_id, []).append(team)
    return by_assignment


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
    membership.remove()
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
    membership.give_back_team_canvases()
    messages.success(
        request,
        _("%(name)s is back in the class.") % {"name": membership.student.get_username()},
    )
    return redirect(f"{reverse('class_detail', args=[pk])}#students")


def _co_teachers_context(
    request: HtmxHttpRequest, classroom: Classroom, form: CoTeacherForm | None = None, **extra
) -> dict:
    """What the co-teachers panel shows: one query, for the co-teachers and their names.

    The owner gets the form and a Remove button per co-teacher; a co-teacher, a Leave button.
    """
    co_teacherships = list(classroom.co_teacherships.select_related("user"))
    is_owner = classroom.is_owner(request.user)
    return {
        "classroom": classroom,
        "co_teacherships": co_teacherships,
        "is_owner": is_owner,
        "co_teacher_form": (form or CoTeacherForm(classroom=classroom)) if is_owner else None,
        **extra,
    }


def _co_teachers_panel(request: HtmxHttpRequest, classroom: Classroom, **context) -> HttpResponse:
    """The co-teachers panel alone, for htmx to swap in place."""
    return render(
        request,
        "classrooms/class_teacher.html#co-teachers",
        _co_teachers_context(request, classroom, **context),
    )


def _to_co_teachers(pk: int) -> HttpResponse:
    return redirect(f"{reverse('class_detail', args=[pk])}#co-teachers")


@require_POST
def co_teacher_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The owner adds a co-teacher by username; they see a notice the next time they come."""
    classroom = _get_class_for_owner(request, pk)
    form = CoTeacherForm(request.POST, classroom=classroom)
    if not form.is_valid():
        if request.htmx:
            return _co_teachers_panel(request, classroom, form=form)
        return _class_for_teacher(request, classroom, co_teacher_form=form)
    co_teacher = form.save()
    done = _(
        "%(name)s is now a co-teacher of the class. They will see a notice the next time they"
        " open “My classes”."
    ) % {"name": co_teacher.user.get_username()}
    if request.htmx:
        return _co_teachers_panel(request, classroom, done=done)
    messages.success(request, done)
    return _to_co_teachers(pk)


@require_http_methods(["GET", "POST"])
def co_teacher_remove(request: HtmxHttpRequest, pk: int, co_teacher_pk: int) -> HttpResponse:
    """GET asks the owner first (where a plain link leads); POST removes the co-teacher.

    Only their place in the class goes: the reviews and comments they wrote stay.
    """
    co_teacher = _get_co_teacher_for_owner(request, pk, co_teacher_pk)
    name = co_teacher.user.get_username()
    if request.method == "GET":
        return render(
            request,
            "classrooms/co_teacher_confirm.html",
            {
                "classroom": co_teacher.classroom,
                "question": _("Remove %(name)s as co-teacher of “%(class)s”?")
                % {"name": name, "class": co_teacher.classroom},
                "explanation": _(
                    "They will no longer see the class. The reviews and comments they wrote stay."
                ),
                "yes": _("Yes, remove"),
            },
        )
    co_teacher.delete()
    done = _("%(name)s no longer teaches the class; their reviews and comments stay.") % {
        "name": name
    }
    if request.htmx:
        return _co_teachers_panel(request, co_teacher.classroom, done=done)
    messages.success(request, done)
    return _to_co_teachers(pk)


@require_http_methods(["GET", "POST"])
def co_teacher_leave(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET asks the co-teacher first; POST takes them out of the class, back to their classes."""
    co_teacher = _get_own_co_teachership(request, pk)
    classroom = co_teacher.classroom
    if request.method == "GET":
        return render(
            request,
            "classrooms/co_teacher_confirm.html",
            {
                "classroom": classroom,
                "question": _("Leave “%(class)s”?") % {"class": classroom},
                "explanation": _(
                    "You will no longer see the class; only %(owner)s can add you again."
                    " The reviews and comments you wrote stay."
                )
                % {"owner": classroom.teacher.get_username()},
                "yes": _("Yes, leave the class"),
            },
        )
    co_teacher.delete()
    messages.success(request, _("You left “%(class)s”.") % {"class": classroom})
    if request.htmx:  # the class page they were on is a 404 for them now
        return HttpResponseClientRedirect(reverse("class_list"))
    return redirect("class_list")


@require_POST
def co_teacher_notice_dismiss(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The co-teacher has read that they were added to the class: the notice goes."""
    co_teacher = _get_own_co_teachership(request, pk)
    if co_teacher.seen_at is None:
        co_teacher.mark_seen()
    if request.htmx:
        return HttpResponse("")  # the notice swaps itself for nothing
    return redirect("class_list")


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
