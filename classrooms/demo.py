"""Demo class for `make run`: a teacher, a dozen students, submissions in every state."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from classrooms.models import Assignment, Classroom, Comment, RubricScore, Submission
from relationships.document import create_canvas_from_document
from relationships.sample import SAMPLE, sample_document
from relationships.writes import change_block

TEACHER_USERNAME = "profe"
CLASS_NAME = "Emprendimiento"
STUDENTS = [
    "lucia", "mateo", "valentina", "santiago", "camila", "diego",
    "isabella", "nicolas", "sofia", "tomas", "martina",
]  # fmt: skip


def _variant(index: int) -> dict:
    """The document of the sample canvas with some gaps, different for each student."""
    data = sample_document(SAMPLE)
    data["title"] = f"{SAMPLE['title']} · {index + 1}"
    if index % 3 == 0:
        data["market_effect"] = ""
    if index % 4 == 1:
        for relationship in data["segments"][1]["relationships"]:
            relationship["costs"] = []
    if index % 5 == 2:
        data["segments"][0]["relationships"] = data["segments"][0]["relationships"][:1]
        data["business_fit"] = ""
    return data


PLAN = [
    "changes_requested_unread",  # demo: reviewed, feedback waiting to be read
    "not_submitted",
    "not_submitted",
    "submitted",
    "submitted",
    "submitted_late",
    "submitted",
    "changes_requested",
    "resubmitted",
    "approved",
    "approved",
    "approved",
]


def _user(username: str, password: str):
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.save()
    return user


@transaction.atomic
def create_demo_class(demo_student, password: str) -> Classroom | None:
    """Create the demo class once; return None when it already exists."""
    teacher = _user(TEACHER_USERNAME, password)
    if teacher.taught_classes.filter(name=CLASS_NAME).exists():
        return None
    classroom = Classroom.objects.create(name=CLASS_NAME, term="2026-27", teacher=teacher)
    assignment = Assignment.objects.create(
        classroom=classroom,
        title="Bloque de relaciones con clientes",
        instructions=(
            "Describe las relaciones con cada segmento, con su coste, y explica cómo encajan "
            "en tu modelo de negocio."
        ),
        due_at=timezone.now() - timedelta(days=1),
    )
    students = [demo_student] + [_user(username, password) for username in STUDENTS]
    for index, (student, state) in enumerate(zip(students, PLAN, strict=True)):
        classroom.join(student)
        if state != "not_submitted":
            canvas = (
                student.canvases.filter(title=SAMPLE["title"]).first()
                if student == demo_student
                else None
            ) or create_canvas_from_document(student, _variant(index))
            _hand_in(assignment, student, canvas, index, state)
    return classroom


def _hand_in(assignment: Assignment, student, canvas, index: int, state: str) -> None:
    """Hand ``canvas`` in and take it as far along the review as ``state`` says."""
    now = timezone.now()
    submission = assignment.submit(student, canvas)
    when = now - timedelta(days=3, hours=index) if state != "submitted_late" else now
    submission.submitted_at = when
    submission.is_late = when > assignment.due_at
    submission.save(update_fields=["submitted_at", "is_late"])
    teacher = assignment.classroom.teacher
    if state in {"changes_requested", "changes_requested_unread", "resubmitted"}:
        _review(submission, teacher, Submission.Status.CHANGES_REQUESTED)
    if state == "approved":
        _review(submission, teacher, Submission.Status.APPROVED)
    if state in {"changes_requested", "resubmitted", "approved"}:  # feedback already read
        submission.mark_feedback_seen(student)
    if state == "resubmitted":
        segment = canvas.segments.all()[1]
        segment.expectation = "Un contacto fijo y respuesta en menos de una hora."
        change_block(canvas.pk, segment.save)
        later = assignment.submit(student, canvas)
        later.submitted_at = when + timedelta(days=1)
        later.is_late = later.submitted_at > assignment.due_at
        later.save(update_fields=["submitted_at", "is_late"])


def _review(submission: Submission, teacher, status: str) -> None:
    block = submission.block
    relationship = block.segments[0].relationships[0]
    Comment.objects.create(
        submission=submission,
        author=teacher,
        anchor=relationship.anchor,
        body="¿Cuántas horas a la semana supone esto? Ponle una cifra al coste.",
    )
    Comment.objects.create(
        submission=submission,
        author=teacher,
        body="Buen análisis de los segmentos.",
    )
    Comment.objects.create(
        submission=submission,
        author=teacher,
        body="Revisar en clase el punto de los costes.",
        is_private=True,
    )
    for criterion in RubricScore.Criterion.values:
        RubricScore.objects.create(
            submission=submission,
            criterion=criterion,
            level=4 if status == Submission.Status.APPROVED else 2,
        )
    submission.set_verdict(
        status,
        "Muy bien planteado." if status == Submission.Status.APPROVED else "Cuantifica los costes.",
        teacher,
    )
