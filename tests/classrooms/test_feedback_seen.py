"""The "new feedback" badge is each reader's own: a teammate reading the feedback leaves it on
for the others, and new feedback lights it again for everyone."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from classrooms.models import Comment, FeedbackSeen, Submission, Team
from tests.classrooms.factories import make_assignment, make_student_submission
from tests.factories import make_user
from tests.helpers import client_for

BADGE = 'class="badge new"'


def student_of(classroom, username):
    student = make_user(username)
    classroom.join(student)
    return student


@pytest.fixture
def reviewed_team(db, classroom, teacher):
    """Ana and Ben are the Owls; Ben hands in, the teacher asks for changes."""
    ana, ben = student_of(classroom, "ana"), student_of(classroom, "ben")
    assignment = make_assignment(classroom, title="Pitch", team_work=True)
    Team.start(assignment, "Owls", [ana, ben])
    client_for(ben).post(reverse("assignment_submit", args=[assignment.pk]))
    submission = Submission.objects.get()
    submission.set_verdict(Submission.Status.CHANGES_REQUESTED, "Costs are missing.", teacher)
    return ana, ben, submission


def class_page(student, submission) -> str:
    url = reverse("class_detail", args=[submission.assignment.classroom_id])
    return client_for(student).get(url).text


def test_one_member_reading_the_feedback_leaves_the_badge_on_for_the_other(reviewed_team):
    ana, ben, submission = reviewed_team
    assert BADGE in class_page(ana, submission)
    assert BADGE in class_page(ben, submission)

    page = client_for(ana).get(reverse("submission_feedback", args=[submission.pk])).text
    assert "Costs are missing." in page

    assert "New feedback" not in class_page(ana, submission)
    assert "New feedback" in class_page(ben, submission)  # Ben has not read it yet
    # The header's count too: Ana has nothing new, Ben one.
    assert Submission.objects.with_unread_feedback(ana).count() == 0
    assert Submission.objects.with_unread_feedback(ben).count() == 1
    assert BADGE not in client_for(ana).get(reverse("canvas_list")).text
    assert BADGE in client_for(ben).get(reverse("canvas_list")).text


def test_new_feedback_lights_the_badge_again_for_every_member(reviewed_team, teacher):
    ana, ben, submission = reviewed_team
    for student in (ana, ben):
        client_for(student).get(reverse("submission_feedback", args=[submission.pk]))
    assert "New feedback" not in class_page(ana, submission)
    assert "New feedback" not in class_page(ben, submission)

    Comment.objects.create(submission=submission, author=teacher, body="Add the app's upkeep.")
    submission.feedback_changed()

    assert "New feedback" in class_page(ana, submission)
    assert "New feedback" in class_page(ben, submission)
    assert FeedbackSeen.objects.filter(submission=submission).count() == 2  # one each, kept


def test_a_solo_hand_in_loses_its_badge_once_its_student_reads_it(db, assignment, teacher):
    submission = make_student_submission(assignment, "carl")
    submission.set_verdict(Submission.Status.APPROVED, "Well done.", teacher)
    carl = submission.student
    assert "New feedback" in class_page(carl, submission)
    client_for(carl).get(reverse("submission_feedback", args=[submission.pk]))
    assert "New feedback" not in class_page(carl, submission)
    # A HEAD is no reading: it does not count.
    other = make_student_submission(assignment, "dora")
    other.set_verdict(Submission.Status.APPROVED, "Fine.", teacher)
    client_for(other.student).head(reverse("submission_feedback", args=[other.pk]))
    assert "New feedback" in class_page(other.student, other)


@pytest.mark.django_db(transaction=True)
def test_what_was_read_before_the_change_stays_read_for_the_student_and_the_team():
    executor = MigrationExecutor(connection)
    executor.migrate([("classrooms", "0007_teams")])
    old = executor.loader.project_state([("classrooms", "0007_teams")]).apps
    User = old.get_model("auth", "User")
    teacher, ana, ben, carl = (
        User.objects.create(username=n) for n in ["teacher", "ana", "ben", "carl"]
    )
    classroom = old.get_model("classrooms", "Classroom").objects.create(
        name="Class", teacher=teacher, join_code="CODE1234"
    )
    assignment = old.get_model("classrooms", "Assignment").objects.create(
        classroom=classroom, title="Pitch", due_at="2030-01-01T00:00Z", team_work=True
    )
    team = old.get_model("classrooms", "Team").objects.create(assignment=assignment, name="Owls")
    TeamMember = old.get_model("classrooms", "TeamMember")
    for student in (ana, ben):
        TeamMember.objects.create(team=team, assignment=assignment, student=student)
    OldSubmission = old.get_model("classrooms", "Submission")
    seen_at, updated_at = "2026-11-02T10:00Z", "2026-11-01T10:00Z"
    read = OldSubmission.objects.create(
        assignment=assignment,
        student=ben,
        team=team,
        document={},
        feedback_updated_at=updated_at,
        feedback_seen_at=seen_at,
    )
    unread = OldSubmission.objects.create(
        assignment=assignment, student=carl, document={}, feedback_updated_at=updated_at
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    seen = FeedbackSeen.objects.filter(submission=read.pk)
    assert {row.student.username for row in seen} == {"ana", "ben"}
    assert not FeedbackSeen.objects.filter(submission=unread.pk).exists()
    for username, count in (("ana", 0), ("ben", 0), ("carl", 1)):
        student = get_user_model().objects.get(username=username)
        assert Submission.objects.with_unread_feedback(student).count() == count
