"""The student works where the feedback is: the teacher's comments beside the rows of the editor,
and a link each way between the editor and the feedback page."""

import re

import pytest
from django.urls import reverse

from classrooms.models import Comment, Submission
from tests.classrooms.factories import make_student_submission
from tests.helpers import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(assignment, teacher):
    submission = make_student_submission(assignment, "ana")
    relationship = submission.block.segments[0].relationships[0]
    for anchor, body, private in [
        (relationship.anchor, "How many hours a week is this?", False),
        ("", "Good start: now put figures on it.", False),
        (relationship.anchor, "Ana copied this from Ben", True),
    ]:
        Comment.objects.create(
            submission=submission, author=teacher, anchor=anchor, body=body, is_private=private
        )
    submission.set_verdict(Submission.Status.CHANGES_REQUESTED, "Add the costs", teacher)
    return submission, relationship


def editor(client, submission) -> str:
    return client.get(reverse("canvas_detail", args=[submission.canvas_id])).text


def test_the_editor_shows_each_comment_beside_its_row(reviewed):
    submission, relationship = reviewed
    page = editor(client_for(submission.student), submission)
    item = re.search(
        rf'<li>\s*<article id="{relationship.anchor}".*?</article>(.*?)</li>', page, re.S
    ).group(1)
    assert "How many hours a week is this?" in item
    banner = re.search(r'<section class="teacher-feedback".*?</section>', page, re.S).group(0)
    assert "Good start: now put figures on it." in banner
    assert reverse("submission_feedback", args=[submission.pk]) in banner


def test_private_notes_never_reach_the_editor(reviewed):
    submission, _relationship = reviewed
    assert "Ana copied this from Ben" not in editor(client_for(submission.student), submission)


def test_comments_wait_for_the_review_to_be_given(assignment, teacher):
    submission = make_student_submission(assignment, "ana")
    Comment.objects.create(submission=submission, author=teacher, anchor="", body="Draft note")
    assert "Draft note" not in editor(client_for(submission.student), submission)


def test_the_comment_stays_beside_its_row_after_an_edit_in_place(reviewed):
    submission, _relationship = reviewed
    client = client_for(submission.student)
    segment = submission.block.segments[0]
    response = client.post(
        reverse("relationship_create", args=[segment.pk]),
        {
            "type": "communities",
            "state": "planned",
            "contact": "remote",
            "reach": "collective",
            "bond": "long_term",
            "goals": ["retention"],
            "interaction": "Monthly workshop",
        },
        headers=HTMX,
    )
    assert "How many hours a week is this?" in response.text


def test_the_feedback_page_leads_back_to_the_row_in_the_editor(reviewed):
    submission, relationship = reviewed
    page = client_for(submission.student).get(reverse("submission_feedback", args=[submission.pk]))
    editor_url = reverse("canvas_detail", args=[submission.canvas_id])
    assert f'href="{editor_url}#{relationship.anchor}"' in page.text
    assert f'href="{editor_url}#canvas-header"' in page.text


def test_a_student_answers_a_comment_and_the_teacher_reads_it_there(reviewed, teacher_client):
    submission, relationship = reviewed
    student = client_for(submission.student)
    response = student.post(
        reverse("comment_answer", args=[submission.pk]),
        {"anchor": relationship.anchor, "body": "About four hours: I add it as a cost."},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "About four hours" in response.text
    assert "Answer from the student" in response.text
    assert "Ana copied this from Ben" not in response.text  # the private note stays private
    review = teacher_client.get(reverse("submission_review", args=[submission.pk])).text
    box = re.search(rf'id="comments-{relationship.anchor}".*?</ul>', review, re.S).group(0)
    assert "About four hours" in box


def test_an_answer_needs_a_comment_to_answer_and_keeps_the_text_when_refused(reviewed):
    submission, _relationship = reviewed
    segment = submission.block.segments[1]  # nobody commented on it
    response = client_for(submission.student).post(
        reverse("comment_answer", args=[submission.pk]),
        {"anchor": segment.anchor, "body": "My own remark"},
    )
    assert response.status_code == 200
    assert "There is no comment here to answer." in response.text
    assert "My own remark" in response.text
    assert not Comment.objects.filter(body="My own remark").exists()


def test_nobody_answers_on_someone_elses_submission(reviewed, assignment, teacher_client):
    submission, relationship = reviewed
    other = make_student_submission(assignment, "ben")
    url = reverse("comment_answer", args=[submission.pk])
    data = {"anchor": relationship.anchor, "body": "Not mine"}
    assert client_for(other.student).post(url, data).status_code == 404
    assert teacher_client.post(url, data).status_code == 404  # teachers comment, not answer
    assert not Comment.objects.filter(body="Not mine").exists()


def test_the_students_own_answers_are_not_shown_as_the_teachers_comments(reviewed):
    submission, relationship = reviewed
    Comment.objects.create(
        submission=submission,
        author=submission.student,
        anchor=relationship.anchor,
        body="I will count the hours",
    )
    assert "I will count the hours" not in editor(client_for(submission.student), submission)
