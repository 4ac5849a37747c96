from datetime import timedelta

from django.utils import timezone

from classrooms.models import Assignment, Classroom
from relationships.sample import create_sample_canvas
from tests.factories import make_user


def make_classroom(teacher=None, **fields) -> Classroom:
    fields.setdefault("name", "Entrepreneurship")
    return Classroom.objects.create(teacher=teacher or make_user(), **fields)


def make_assignment(classroom=None, due_in_days: float = 7, **fields) -> Assignment:
    fields.setdefault("title", "Customer relationships")
    return Assignment.objects.create(
        classroom=classroom or make_classroom(),
        due_at=timezone.now() + timedelta(days=due_in_days),
        **fields,
    )


def make_student_submission(assignment, username=None):
    """A new student who joins the class and hands in the sample canvas."""
    student = make_user(username)
    assignment.classroom.join(student)
    canvas = create_sample_canvas(student)
    return assignment.submit(student, canvas)
