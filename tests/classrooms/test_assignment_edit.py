"""A teacher edits an assignment after creating it: title, instructions, due date; a new due
date re-marks which hand-ins are late."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classrooms.models import Assignment, Submission, Team
from tests.classrooms.factories import make_assignment, make_classroom, make_student_submission
from tests.factories import make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def edit_url(assignment) -> str:
    return reverse("assignment_edit", args=[assignment.pk])


def dashboard_url(assignment) -> str:
    return reverse("assignment_dashboard", args=[assignment.pk])


def local_input(moment: datetime) -> str:
    """A moment as the date-and-time field shows and sends it: the class's time, to the minute."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def late_on_the_dashboard(client, assignment, **params) -> set[str]:
    """The students whose row on the dashboard carries the "late" badge."""
    page = client.get(dashboard_url(assignment), params).text
    rows = re.findall(r'<tr class="row-[^"]+">(.*?)</tr>', page, re.DOTALL)
    return {
        re.search(r'<th scope="row">(?:<a [^>]+>)?([^<]+)<', row).group(1)
        for row in rows
        if 'class="badge warn"' in row
    }


def handed_in(assignment, username: str, days_ago: float) -> Submission:
    submission = make_student_submission(assignment, username)
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return submission


def test_the_page_shows_the_assignment_as_saved(teacher_client, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(
        instructions="Fill in every segment.", due_at=datetime(2027, 6, 30, 21, 59, tzinfo=UTC)
    )
    response = teacher_client.get(edit_url(assignment))
    assert response.status_code == 200
    page = response.text
    assert "<h1>Edit “Customer relationships”</h1>" in page
    assert 'value="Customer relationships"' in page
    assert ">\nFill in every segment.</textarea>" in page
    assert 'value="2027-06-30T23:59"' in page  # Madrid's summer time, as the teacher set it
    assert f'href="{dashboard_url(assignment)}"' in page  # the breadcrumb and Cancel
    assert "marked late" in page  # what a new due date does, beside the field


def test_saving_changes_the_title_instructions_and_due_date(teacher_client, assignment):
    response = teacher_client.post(
        edit_url(assignment),
        {
            "title": "Relationships, second round",
            "instructions": "Add the costs.",
            "due_at": "2027-01-15T18:00",
        },
        follow=True,
    )
    assert response.redirect_chain == [(dashboard_url(assignment), 302)]
    assert "<h1>Relationships, second round</h1>" in response.text
    assert "The assignment is saved." in response.text
    assert "Jan. 15, 2027, 6 p.m." in response.text  # the dashboard's new due date
    assignment.refresh_from_db()
    assert assignment.instructions == "Add the costs."
    assert timezone.localtime(assignment.due_at) == datetime(
        2027, 1, 15, 18, 0, tzinfo=timezone.get_current_timezone()
    )
    class_page = teacher_client.get(reverse("class_detail", args=[assignment.classroom_id]))
    assert "Relationships, second round" in class_page.text


def test_a_refused_edit_shows_why_beside_each_field_and_keeps_what_was_typed(
    teacher_client, assignment
):
    due_before = assignment.due_at
    response = teacher_client.post(
        edit_url(assignment),
        {"title": "", "instructions": "Typed with care", "due_at": "2101-01-01T10:00"},
    )
    assert response.status_code == 200
    page = response.text
    assert '<small class="field-error" id="id_title_error">This field is required.</small>' in page
    assert (
        '<small class="field-error" id="id_due_at_error">Pick a date between 2000 and 2100.</small>'
    ) in page
    assert ">\nTyped with care</textarea>" in page
    assert 'value="2101-01-01T10:00"' in page
    assert "nothing was saved yet" in page
    # The page still names the assignment as it is saved, and nothing was saved.
    assert "<h1>Edit “Customer relationships”</h1>" in page
    assignment.refresh_from_db()
    assert (assignment.title, assignment.instructions) == ("Customer relationships", "")
    assert assignment.due_at == due_before


@pytest.mark.parametrize(
    ("due_at", "error"),
    [
        ("1999-12-31T23:59", "Pick a date between 2000 and 2100."),
        ("tomorrow", "Enter a valid date/time."),
        ("", "This field is required."),
    ],
)
def test_the_due_date_is_checked_as_when_creating(teacher_client, assignment, due_at, error):
    response = teacher_client.post(edit_url(assignment), {"title": "T", "due_at": due_at})
    assert f'id="id_due_at_error">{error}</small>' in response.text
    assignment.refresh_from_db()
    assert assignment.title == "Customer relationships"


def test_a_new_due_date_re_marks_which_hand_ins_are_late(teacher_client, assignment):
    handed_in(assignment, "ana", days_ago=3)
    handed_in(assignment, "ben", days_ago=1)
    assert late_on_the_dashboard(teacher_client, assignment) == set()

    # Due two days ago: ben handed in after it, ana before.
    two_days_ago = local_input(timezone.now() - timedelta(days=2))
    response = teacher_client.post(
        edit_url(assignment),
        {"title": assignment.title, "due_at": two_days_ago},
        follow=True,
    )
    assert "With the new due date, 1 hand-in is now marked late." in response.text
    assert late_on_the_dashboard(teacher_client, assignment) == {"ben"}
    assert late_on_the_dashboard(teacher_client, assignment, late="1") == {"ben"}
    csv_rows = csv.DictReader(
        io.StringIO(teacher_client.get(reverse("assignment_csv", args=[assignment.pk])).text[1:])
    )
    assert {row["student"]: row["late"] for row in csv_rows} == {"ana": "no", "ben": "yes"}

    # Due four days ago: both late.
    response = teacher_client.post(
        edit_url(assignment),
        {"title": assignment.title, "due_at": local_input(timezone.now() - timedelta(days=4))},
        follow=True,
    )
    assert "1 hand-in is now marked late." in response.text
    assert late_on_the_dashboard(teacher_client, assignment) == {"ana", "ben"}

    # Extended to next week: nobody is late any more.
    response = teacher_client.post(
        edit_url(assignment),
        {"title": assignment.title, "due_at": local_input(timezone.now() + timedelta(days=7))},
        follow=True,
    )
    assert "With the new due date, 2 hand-ins are no longer late." in response.text
    assert late_on_the_dashboard(teacher_client, assignment) == set()


def test_a_student_who_handed_in_twice_counts_once_and_both_hand_ins_follow(
    teacher_client, assignment
):
    first = handed_in(assignment, "ana", days_ago=3)
    second = assignment.submit(first.student, first.canvas)
    Submission.objects.filter(pk=second.pk).update(submitted_at=timezone.now() - timedelta(days=1))
    response = teacher_client.post(
        edit_url(assignment),
        {"title": assignment.title, "due_at": local_input(timezone.now() - timedelta(days=4))},
        follow=True,
    )
    # One row of the dashboard changed, so the message counts one.
    assert "With the new due date, 1 hand-in is now marked late." in response.text
    assert late_on_the_dashboard(teacher_client, assignment) == {"ana"}
    # The older hand-in is late too, as its review page will say.
    assert set(Submission.objects.values_list("is_late", flat=True)) == {True}


def test_a_hand_in_after_the_edit_is_late_by_the_new_due_date(teacher_client, assignment):
    teacher_client.post(
        edit_url(assignment),
        {"title": assignment.title, "due_at": local_input(timezone.now() - timedelta(hours=1))},
    )
    assignment.refresh_from_db()
    make_student_submission(assignment, "ana")
    assert late_on_the_dashboard(teacher_client, assignment) == {"ana"}


def test_saving_without_a_new_due_date_says_nothing_about_late_hand_ins(teacher_client, assignment):
    handed_in(assignment, "ana", days_ago=1)
    response = teacher_client.post(
        edit_url(assignment),
        {"title": "New title", "due_at": local_input(assignment.due_at)},
        follow=True,
    )
    assert "The assignment is saved." in response.text
    assert "hand-in" not in response.text


def test_only_the_classes_teachers_can_edit(client, teacher, classroom, assignment):
    student = make_student_submission(assignment, "ana").student
    stranger = make_user("other-teacher")
    make_classroom(stranger)
    for user in [student, stranger]:
        other = client_for(user)
        assert other.get(edit_url(assignment)).status_code == 404
        response = other.post(edit_url(assignment), {"title": "Mine", "due_at": "2027-01-01T10:00"})
        assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.title == "Customer relationships"
    response = client.get(edit_url(assignment))  # not logged in
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    colleague = make_user("colleague")
    classroom.co_teachers.add(colleague)
    response = client_for(colleague).post(
        edit_url(assignment), {"title": "Shared", "due_at": "2027-01-01T10:00"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.title == "Shared"


def test_the_dashboard_and_the_class_page_link_to_the_edit_page(teacher_client, assignment):
    dashboard = teacher_client.get(dashboard_url(assignment)).text
    assert f'<a href="{edit_url(assignment)}">Edit the assignment</a>' in dashboard
    class_page = teacher_client.get(reverse("class_detail", args=[assignment.classroom_id])).text
    # Each link says which assignment it edits to a screen reader.
    assert (
        f'<a href="{edit_url(assignment)}">Edit'
        '<span class="visually-hidden"> Customer relationships</span></a>'
    ) in class_page


def test_the_page_speaks_spanish(teacher, assignment):
    client = client_for(teacher)
    client.cookies["django_language"] = "es"
    page = client.get(edit_url(assignment)).text
    assert "<h1>Editar “Customer relationships”</h1>" in page
    assert "Guardar cambios" in page
    assert "con retraso" in page
    page = client.post(edit_url(assignment), {"title": "Relaciones", "due_at": "x"}).text
    assert "Introduzca una fecha/hora válida." in page
    handed_in(assignment, "ana", days_ago=1)
    handed_in(assignment, "ben", days_ago=1)
    two_days_ago = local_input(timezone.now() - timedelta(days=2))
    response = client.post(
        edit_url(assignment), {"title": "Relaciones", "due_at": two_days_ago}, follow=True
    )
    assert (
        "La tarea está guardada. Con la nueva fecha límite, 2 entregas quedan marcadas con retraso."
    ) in response.text


def test_the_edit_page_takes_a_fixed_number_of_queries(
    django_assert_num_queries, teacher_client, assignment
):
    for username in ["ana", "ben", "cai"]:
        make_student_submission(assignment, username)
    # Session, user, the assignment with its class, the unread-feedback badge.
    with django_assert_num_queries(4):
        assert teacher_client.get(edit_url(assignment)).status_code == 200


def test_on_a_team_assignment_the_message_counts_teams_not_students(teacher_client, classroom):
    assignment = make_assignment(classroom, title="Pitch", team_work=True)
    students = {}
    for name in ("ana", "ben", "carl"):
        students[name] = make_user(name)
        classroom.join(students[name])
    owls = Team.start(assignment, "Owls", [students["ana"], students["ben"]])
    larks = Team.start(assignment, "Larks", [students["carl"]])
    # Both Owls hand in, a day and a half and a day ago; Carl for the Larks, 1.75 days ago.
    for name, team, days_ago in (("ana", owls, 1.5), ("ben", owls, 1), ("carl", larks, 1.75)):
        submission = assignment.submit(students[name], team.canvas, team=team)
        Submission.objects.filter(pk=submission.pk).update(
            submitted_at=timezone.now() - timedelta(days=days_ago)
        )
    data = {"title": assignment.title, "team_work": "on"}

    # Due two days ago: three hand-ins late, by three students, but the rows of two teams.
    data["due_at"] = local_input(timezone.now() - timedelta(days=2))
    response = teacher_client.post(edit_url(assignment), data, follow=True)
    assert "the hand-ins of 2 teams are now marked late." in response.text
    assert late_on_the_dashboard(teacher_client, assignment) == {"Owls", "Larks"}

    data["due_at"] = local_input(timezone.now() + timedelta(days=7))
    response = teacher_client.post(edit_url(assignment), data, follow=True)
    assert "the hand-ins of 2 teams are no longer late." in response.text

    # Due 1.6 days ago: both Owls' hand-ins are late again, the Larks' is not: one team.
    data["due_at"] = local_input(timezone.now() - timedelta(days=1.6))
    response = teacher_client.post(edit_url(assignment), data, follow=True)
    assert "the hand-in of 1 team is now marked late." in response.text
    assert late_on_the_dashboard(teacher_client, assignment) == {"Owls"}
