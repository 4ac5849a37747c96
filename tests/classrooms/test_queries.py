"""Query counts pinned for the class pages: the same for a class of 3 and of 30."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classrooms.models import Membership, Submission, Team, TeamMember
from relationships.document import canvas_document
from relationships.models import Canvas
from relationships.sample import create_sample_canvas
from tests.classrooms.factories import make_assignment, make_classroom
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SIZES = [3, 30]


def logged_in(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def feedback_url(pk: int) -> str:
    return reverse("submission_feedback", args=[pk])


def fill_class(classroom, students: int) -> list:
    """``students`` members, each with a submission to each of two assignments; one removed."""
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"student-{classroom.pk}-{i:02}") for i in range(students)
    )
    Membership.objects.bulk_create(Membership(classroom=classroom, student=u) for u in users)
    canvas = create_sample_canvas(users[0])
    document = canvas_document(Canvas.objects.with_block().get(pk=canvas.pk))
    assignments = [make_assignment(classroom, title=t) for t in ("First", "Second")]
    Submission.objects.bulk_create(
        Submission(assignment=a, student=u, document=document, canvas=canvas)
        for a in assignments
        for u in users
    )
    Membership.objects.filter(classroom=classroom, student=users[-1]).update(
        removed_at=timezone.now()
    )
    return users


@pytest.mark.parametrize("students", SIZES)
def test_the_teachers_class_page_takes_as_many_queries_for_3_students_as_for_30(
    django_assert_num_queries, teacher, classroom, students
):
    fill_class(classroom, students)
    classroom.co_teachers.add(make_user("colleague"))
    client = logged_in(teacher)
    # Session, user, class, memberships, newest submissions, co-teachers, assignments, badge.
    with django_assert_num_queries(8):
        response = client.get(reverse("class_detail", args=[classroom.pk]))
    assert f"{students - 1} students" in response.text
    assert "Removed from the class" in response.text
    assert f"Across the newest canvas of {students} students." in response.text


@pytest.mark.parametrize("submissions", SIZES)
def test_the_students_class_page_takes_as_many_queries_for_3_submissions_as_for_30(
    django_assert_num_queries, classroom, submissions
):
    users = fill_class(classroom, 3)
    student = users[0]
    assignment = classroom.assignments.first()
    own = Submission.objects.get(assignment=assignment, student=student)
    Submission.objects.bulk_create(
        Submission(assignment=assignment, student=student, document=own.document)
        for _ in range(submissions - 1)
    )
    client = logged_in(student)
    # Session, user, class, co-teacher?, member?, submissions, assignments, canvases, badge.
    with django_assert_num_queries(9):
        response = client.get(reverse("class_detail", args=[classroom.pk]))
    page = response.text
    # Each of their hand-ins is listed once; a classmate's never.
    mine = Submission.objects.filter(student=student).values_list("pk", flat=True)
    assert len(mine) == submissions + 1
    assert all(page.count(f'href="{feedback_url(pk)}"') == 1 for pk in mine)
    classmates = Submission.objects.get(assignment=assignment, student=users[1])
    assert f'href="{feedback_url(classmates.pk)}"' not in page


@pytest.mark.parametrize("classes", SIZES)
def test_my_classes_takes_as_many_queries_for_3_co_teacher_notices_as_for_30(
    django_assert_num_queries, teacher, classes
):
    colleague = make_user("colleague")
    for i in range(classes):
        make_classroom(teacher, name=f"Class {i}").co_teachers.add(colleague)
    client = logged_in(colleague)
    # Session, user, unread feedback, classes I teach, classes I take, notices (with each
    # class and its owner, in the same query), badge.
    with django_assert_num_queries(7):
        response = client.get(reverse("class_list"))
    assert response.text.count("teacher added you as a co-teacher") == classes


@pytest.mark.parametrize("teams", SIZES)
def test_a_team_assignments_dashboard_takes_as_many_queries_for_3_teams_as_for_30(
    django_assert_num_queries, teacher, classroom, teams
):
    users = fill_class(classroom, teams * 2 + 2)  # two per team, one in no team, one removed
    assignment = make_assignment(classroom, title="Teams", team_work=True)
    made = Team.objects.bulk_create(
        Team(assignment=assignment, name=f"Team {i:02}") for i in range(teams)
    )
    TeamMember.objects.bulk_create(
        TeamMember(team=team, assignment=assignment, student=student)
        for i, team in enumerate(made)
        for student in users[2 * i : 2 * i + 2]
    )
    document = Submission.objects.first().document
    Submission.objects.bulk_create(
        Submission(assignment=assignment, student=users[2 * i], team=team, document=document)
        for i, team in enumerate(made)
    )
    client = logged_in(teacher)
    # Session, user, assignment, teams, their members, team submissions, solo submissions,
    # memberships, badge, the team form's students (twice: asked, then listed).
    with django_assert_num_queries(11):
        response = client.get(reverse("assignment_dashboard", args=[assignment.pk]))
    rows = response.context["roster"].rows
    assert [row.team is not None for row in rows].count(True) == teams
    assert response.text.count("(in no team)") == 1


@pytest.mark.parametrize("teams", SIZES)
def test_the_students_class_page_takes_as_many_queries_for_3_teams_as_for_30(
    django_assert_num_queries, classroom, teams
):
    users = fill_class(classroom, teams + 1)
    assignment = make_assignment(classroom, title="Teams", team_work=True)
    for i, student in enumerate(users[1:]):
        Team.start(assignment, f"Team {i:02}", [student])
    client = logged_in(users[0])
    # Session, user, class, co-teacher?, member?, submissions, assignments, teams (with their
    # canvases), their members, the members' names, canvases, badge.
    with django_assert_num_queries(12):
        response = client.get(reverse("class_detail", args=[classroom.pk]))
    assert response.text.count("Join “Team ") == teams


@pytest.mark.parametrize("submissions", SIZES)
def test_a_team_members_class_page_shows_their_own_badges_in_as_many_queries_for_3_as_30(
    django_assert_num_queries, classroom, submissions
):
    ana, ben = fill_class(classroom, 3)[:2]
    assignment = make_assignment(classroom, title="Teams", team_work=True)
    team = Team.start(assignment, "Owls", [ana, ben])
    document = Submission.objects.first().document
    handed_in = Submission.objects.bulk_create(
        Submission(
            assignment=assignment,
            student=ben,
            team=team,
            document=document,
            feedback_updated_at=timezone.now(),
        )
        for _ in range(submissions)
    )
    for submission in handed_in[1:]:  # Ben read all but the first; Ana none
        submission.mark_feedback_seen(ben)
    # Session, user, class, co-teacher?, member?, submissions (with when Ana read each),
    # assignments, teams (with their canvases), their members, the members' names, canvases,
    # badge.
    client = logged_in(ana)
    with django_assert_num_queries(12):
        response = client.get(reverse("class_detail", args=[classroom.pk]))
    assert response.text.count("New feedback") == submissions
    page = logged_in(ben).get(reverse("class_detail", args=[classroom.pk])).text
    assert page.count("New feedback") == 1
