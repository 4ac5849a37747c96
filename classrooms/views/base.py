"""Who may see what in a class: one access helper per kind of object, each a 404 for others.

A teacher (owner or co-teacher) sees the class's submissions and private notes; a student sees
only their own submissions and the public comments on them; anyone else gets a 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from classrooms.models import (
    Assignment,
    Classroom,
    Submission,
)
from relationships.views.base import HtmxHttpRequest

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
        Submission.objects.readable_by(request.user).select_related("assignment__classroom"),
        pk=pk,
    )


def _get_submission_for_student(request: HtmxHttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("assignment__classroom"), pk=pk, student=request.user
    )
