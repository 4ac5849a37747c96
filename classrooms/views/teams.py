"""Views of teams, for a team assignment: students start, join and leave one on the class page;
a teacher forms one from the assignment's dashboard, and on the team's page renames it, moves
students in and out and deletes it. Each is a 404 for anyone else."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from classrooms.forms import TeamForm, TeamMoveInForm, TeamRenameForm
from classrooms.models import Assignment, Team
from classrooms.views.base import _get_assignment_for_teacher, _get_team_for_teacher
from relationships.views.base import HtmxHttpRequest


def _get_assignment_for_student(request: HtmxHttpRequest, pk: int) -> Assignment:
    """An assignment of a class the user is a current student of; else a 404."""
    return get_object_or_404(
        Assignment.objects.select_related("classroom"),
        pk=pk,
        classroom__memberships__student=request.user,
        classroom__memberships__removed_at__isnull=True,
    )


def _get_team_for_student(request: HtmxHttpRequest, pk: int) -> Team:
    """A team of an assignment of a class the user is a current student of; else a 404."""
    return get_object_or_404(
        Team.objects.select_related("assignment", "canvas"),
        pk=pk,
        assignment__classroom__memberships__student=request.user,
        assignment__classroom__memberships__removed_at__isnull=True,
    )


def _back_to_class(assignment: Assignment) -> HttpResponse:
    url = reverse("class_detail", args=[assignment.classroom_id])
    return redirect(f"{url}#assignment-{assignment.pk}")


def _refused(request: HtmxHttpRequest, assignment: Assignment) -> str | None:
    """Why the user may not start or join a team of ``assignment`` now; None if they may."""
    if not assignment.team_work:
        return _("This assignment is not team work.")
    if assignment.team_of(request.user) is not None:
        return _("You are already in a team for this assignment: leave it first.")
    return None


@require_POST
def team_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A student starts a team: a new canvas of theirs, titled after the team and assignment."""
    assignment = _get_assignment_for_student(request, pk)
    if refusal := _refused(request, assignment):
        messages.error(request, refusal)
        return _back_to_class(assignment)
    form = TeamForm(request.POST, assignment=assignment)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["name"]))
        return _back_to_class(assignment)
    team = form.save(student=request.user)
    messages.success(
        request,
        _("You started the team “%(name)s”. Your classmates can join it now.")
        % {"name": team.name},
    )
    return _back_to_class(assignment)


@require_POST
def team_join(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A student joins a team of a team assignment and becomes an editor of its canvas."""
    team = _get_team_for_student(request, pk)
    if refusal := _refused(request, team.assignment):
        messages.error(request, refusal)
        return _back_to_class(team.assignment)
    try:
        with transaction.atomic():
            team.add(request.user)
    except IntegrityError:  # joined another team in another tab meanwhile
        messages.error(request, _("You are already in a team for this assignment: leave it first."))
    else:
        messages.success(
            request,
            _("You joined the team “%(name)s”: you can edit its canvas.") % {"name": team.name},
        )
    return _back_to_class(team.assignment)


@require_POST
def team_leave(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A member leaves their team and its canvas; the canvas's owner hands it over first."""
    team = _get_team_for_student(request, pk)
    get_object_or_404(team.members, student=request.user)
    if team.owns_canvas(request.user):
        messages.error(
            request,
            _(
                "The team's canvas is yours: hand it over to a teammate on the canvas's members"
                " page first, then leave."
            ),
        )
        return _back_to_class(team.assignment)
    team.remove(request.user)
    messages.success(request, _("You left the team “%(name)s”.") % {"name": team.name})
    return _back_to_class(team.assignment)


@require_POST
def team_form(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A teacher forms a team: a name and its students (the first owns the team's canvas)."""
    assignment = _get_assignment_for_teacher(request, pk)
    back = f"{reverse('assignment_dashboard', args=[pk])}#teams"
    if not assignment.team_work:
        messages.error(request, _("This assignment is not team work."))
        return redirect(back)
    form = TeamForm(request.POST, assignment=assignment, pick_students=True)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        team = form.save()
    except IntegrityError:  # a student joined a team meanwhile
        messages.error(request, _("One of those students is in a team already."))
        return redirect(back)
    messages.success(request, _("The team “%(name)s” is formed.") % {"name": team.name})
    return redirect(back)


# --- a teacher manages a team (the rules: ``Team.move_out`` and ``Team.why_not_delete``) ------


def _team_page(
    request: HtmxHttpRequest, team: Team, status: int = 200, **forms_in_error
) -> HttpResponse:
    """The teacher's page of a team: its members, its name, who can be moved in. Six queries
    besides the session's and the lookup's, whatever the size of the team and class: members,
    whether the canvas's owner is the last, hand-ins, the students to move in (asked, then
    listed) and the badge."""
    members = list(team.members.select_related("student").order_by("joined_at", "pk"))
    count = team.submissions.count()
    for member in members:  # one query, for the canvas's owner alone
        owner = team.owns_canvas(member.student)
        refusal = team.why_not_move_out(member.student, count) if owner else None
        member.move_out_refusal = refusal
    return render(
        request,
        "classrooms/team_detail.html",
        {
            "team": team,
            "assignment": team.assignment,
            "classroom": team.assignment.classroom,
            "members": members,
            "submission_count": count,
            "delete_refusal": team.why_not_delete(count),
            "rename_form": forms_in_error.get("rename_form") or TeamRenameForm(team=team),
            "move_in_form": forms_in_error.get("move_in_form") or TeamMoveInForm(team=team),
        },
        status=status,
    )


def _to_team(team: Team, anchor: str = "") -> HttpResponse:
    return redirect(reverse("team_detail", args=[team.pk]) + (f"#{anchor}" if anchor else ""))


@require_safe
def team_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A teacher's page of a team: rename it, move students in and out, delete it."""
    return _team_page(request, _get_team_for_teacher(request, pk))


@require_POST
def team_rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A teacher renames a team; the name stays unique in the assignment, and its canvas
    follows when its title bears the old name (``Team.rename``)."""
    team = _get_team_for_teacher(request, pk)
    form = TeamRenameForm(request.POST, team=team)
    if not form.is_valid():
        team.refresh_from_db(fields=["name"])
        return _team_page(request, team, status=422, rename_form=form)
    if form.save():
        done = _("The team is called “%(name)s” now, and its canvas “%(title)s”.")
    elif team.canvas is not None:
        done = _("The team is called “%(name)s” now; its canvas keeps its title, “%(title)s”.")
    else:
        done = _("The team is called “%(name)s” now.")
    title = team.canvas.title if team.canvas is not None else ""
    messages.success(request, done % {"name": team.name, "title": title})
    return _to_team(team)


@require_POST
def team_move_in(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A teacher moves a student of the class into the team, out of their team if they had one.

    They become an editor of this team's canvas and lose the other team's (``Team.move_out``).
    """
    team = _get_team_for_teacher(request, pk)
    form = TeamMoveInForm(request.POST, team=team)
    if not form.is_valid():
        return _team_page(request, team, status=422, move_in_form=form)
    student = form.cleaned_data["student"]
    try:
        with transaction.atomic():
            previous = team.move_in(student)
    except IntegrityError:  # they joined a team meanwhile: the form will say where they are
        messages.error(request, _("That student just joined a team: try again."))
        return _to_team(team, "members")
    name = student.get_username()
    if previous is None:
        done = _("%(name)s is in “%(team)s” now.") % {"name": name, "team": team.name}
    else:
        done = _("%(name)s moved from “%(previous)s” to “%(team)s”.") % {
            "name": name,
            "previous": previous.name,
            "team": team.name,
        }
    messages.success(request, done)
    return _to_team(team, "members")


@require_POST
def team_move_out(request: HtmxHttpRequest, pk: int, student_pk: int) -> HttpResponse:
    """A teacher takes a member out of the team (and off its canvas, which stays the team's)."""
    team = _get_team_for_teacher(request, pk)
    member = get_object_or_404(team.members.select_related("student"), student_id=student_pk)
    student = member.student
    if refusal := team.why_not_move_out(student):
        messages.error(request, refusal)
        return _to_team(team, "members")
    owned = team.owns_canvas(student)
    team.move_out(student)
    done = _("%(name)s is no longer in “%(team)s”.") % {
        "name": student.get_username(),
        "team": team.name,
    }
    if owned:
        done += " " + _("The team's canvas now belongs to %(heir)s.") % {
            "heir": team.canvas.owner.get_username()
        }
    messages.success(request, done)
    return _to_team(team, "members")


@require_http_methods(["GET", "POST"])
def team_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET asks the teacher first (and says why not, if the team has handed in); POST deletes.

    What deleting does is ``Team.delete_for_teacher``: the members are in no team any more, and
    the canvas stays with its owner.
    """
    team = _get_team_for_teacher(request, pk)
    refusal = team.why_not_delete()
    dashboard = f"{reverse('assignment_dashboard', args=[team.assignment_id])}#teams"
    if request.method == "GET":
        return render(
            request,
            "classrooms/team_delete.html",
            {
                "team": team,
                "assignment": team.assignment,
                "classroom": team.assignment.classroom,
                "refusal": refusal,
            },
        )
    if refusal:
        messages.error(request, refusal)
        return _to_team(team)
    name = team.name
    team.delete_for_teacher()
    messages.success(
        request,
        _("The team “%(name)s” is deleted; its members are in no team now.") % {"name": name},
    )
    return redirect(dashboard)
