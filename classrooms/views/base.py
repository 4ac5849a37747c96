"""Who may see what in a class: one access helper per kind of object, each a 404 for others.

A teacher (owner or co-teacher) sees the class's submissions and private notes; a student sees
only their own submissions (and their teams') and the public comments on them; anyone else gets
a 404. Only the owner picks the co-teachers; a co-teacher may leave.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from classrooms.models import (
    Assignment,
    Classroom,
    CoTeacher,
    Submission,
    Team,
)
from relationships.views.base import HtmxHttpRequest

# --- access -------------------------------------------------------------------------------


def _get_class_for_teacher(request: HtmxHttpRequest, pk: int) -> Classroom:
    return get_object_or_404(Classroom.objects.for_teacher(request.user), pk=pk)


def _get_class_for_owner(request: HtmxHttpRequest, pk: int) -> Classroom:
    """A class the user owns; a 404 for its co-teachers as for anyone else."""
    return get_object_or_404(
        Classroom.objects.select_related("teacher"), pk=pk, teacher=request.user
    )


def _get_co_teacher_for_owner(request: HtmxHttpRequest, pk: int, co_teacher_pk: int) -> CoTeacher:
    """A co-teacher of the class ``pk``, for the class's owner; a 404 for anyone else."""
    return get_object_or_404(
        CoTeacher.objects.select_related("classroom", "user"),
        pk=co_teacher_pk,
        classroom_id=pk,
        classroom__teacher=request.user,
    )


def _get_own_co_teachership(request: HtmxHttpRequest, pk: int) -> CoTeacher:
    """The user's own place as co-teacher of the class ``pk``; a 404 if they are not one."""
    return get_object_or_404(
        CoTeacher.objects.select_related("classroom__teacher"), classroom_id=pk, user=request.user
    )


def _get_assignment_for_teacher(request: HtmxHttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related("classroom").filter(
            classroom__in=Classroom.objects.for_teacher(request.user)
        ),
        pk=pk,
    )


def _get_team_for_teacher(request: HtmxHttpRequest, pk: int) -> Team:
    """A team of an assignment of a class the user teaches (owner or co-teacher); else a 404.
    With its assignment, class, canvas and the canvas's owner, in one query."""
    return get_object_or_404(
        Team.objects.select_related("assignment__classroom", "canvas__owner").filter(
            assignment__classroom__in=Classroom.objects.for_teacher(request.user)
        ),
        pk=pk,
    )


def _get_submission_for_teacher(request: HtmxHttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("assignment__classroom", "student", "team").filter(
            assignment__classroom__in=Classroom.objects.for_teacher(request.user)
        ),
        pk=pk,
    )


def _get_submission_for_reader(request: HtmxHttpRequest, pk: int) -> Submission:
    """A submission its student or one of the class's teachers may read; else a 404."""
    return get_object_or_404(
        Submission.objects.readable_by(request.user).select_related("assignment__classroom"),
        pk=pk,
    )


def _get_submission_for_student(request: HtmxHttpRequest, pk: int) -> Submission:
    """A submission the user handed in, or their team did; else a 404. With when the user
    last opened its feedback (``with_seen_by``)."""
    return get_object_or_404(
        Submission.objects.of_student(request.user)
        .with_seen_by(request.user)
        .select_related("assignment__classroom"),
        pk=pk,
    )
