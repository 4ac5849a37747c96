"""Views of teams, for a team assignment: students start, join and leave one on the class page;
a teacher forms one from the assignment's dashboard. Each is a 404 for anyone else."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from classrooms.forms import TeamForm
from classrooms.models import Assignment, Team
from classrooms.views.base import _get_assignment_for_teacher
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
