import csv
import io
import re

import pytest
from django.urls import reverse

from classrooms.models import Comment, RubricScore, SavedComment, Submission
from tests.classrooms.factories import make_student_submission
from tests.helpers import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(assignment):
    return make_student_submission(assignment, "ana")


def first_relationship(submission):
    return submission.block.segments[0].relationships[0]


def test_a_comment_is_anchored_to_a_relationship(teacher_client, submission):
    anchor = first_relationship(submission).anchor
    response = teacher_client.post(
        reverse("comment_create", args=[submission.pk]),
        {"body": "Put a figure on the staff hours", "anchor": anchor},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert f'id="comments-{anchor}"' in response.text
    assert "Put a figure on the staff hours" in response.text
    assert Comment.objects.get().anchor == anchor


def test_a_comment_on_a_row_that_is_not_in_the_snapshot_is_refused(teacher_client, submission):
    response = teacher_client.post(
        reverse("comment_create", args=[submission.pk]),
        {"body": "Hi", "anchor": "relationship-999999"},
        headers=HTMX,
    )
    assert "That row is not part of this submission." in response.text
    assert not Comment.objects.exists()


def test_an_empty_comment_keeps_the_box_and_says_why(teacher_client, submission):
    response = teacher_client.post(
        reverse("comment_create", args=[submission.pk]), {"body": "", "anchor": ""}, headers=HTMX
    )
    assert "This field is required." in response.text
    assert not Comment.objects.exists()


def test_the_student_sees_public_comments_but_not_private_notes(client, teacher, submission):
    anchor = first_relationship(submission).anchor
    Comment.objects.create(submission=submission, author=teacher, anchor=anchor, body="Public")
    Comment.objects.create(submission=submission, author=teacher, body="Secret", is_private=True)
    client.force_login(submission.student)
    response = client.get(reverse("submission_feedback", args=[submission.pk]))
    assert "Public" in response.text
    assert "Secret" not in response.text
    # The comment stands beside its row.
    page = response.text
    assert page.index(f'id="comments-{anchor}"') > page.index(f'id="{anchor}"')


def test_rubric_and_verdict_reach_the_student_with_an_unread_badge(teacher_client, submission):
    teacher_client.post(
        reverse("review_save", args=[submission.pk]),
        {"costs_level": "2", "costs_remark": "Staff time is missing"},
    )
    teacher_client.post(
        reverse("review_save", args=[submission.pk]),
        {"status": "approved", "summary": "Clear and complete"},
    )
    score = RubricScore.objects.get(submission=submission)
    assert (score.criterion, score.level) == ("costs", 2)

    client = client_for(submission.student)  # the student's browser, beside the teacher's
    home = client.get(reverse("canvas_list")).text
    assert 'class="badge new"' in home
    feedback = client.get(reverse("submission_feedback", args=[submission.pk])).text
    assert "Clear and complete" in feedback
    assert "Staff time is missing" in feedback
    assert "New feedback" in feedback
    # Once read, the badge goes.
    assert 'class="badge new"' not in client.get(reverse("canvas_list")).text


def test_an_invalid_rubric_level_is_refused(teacher_client, submission):
    response = teacher_client.post(
        reverse("review_save", args=[submission.pk]), {"costs_level": "9"}
    )
    assert "Select a valid choice." in response.text
    assert not RubricScore.objects.exists()


def test_next_student_walks_through_the_waiting_submissions(teacher_client, assignment, submission):
    other = make_student_submission(assignment, "ben")
    response = teacher_client.get(reverse("assignment_next", args=[assignment.pk]))
    assert response["Location"] == reverse("submission_review", args=[submission.pk])
    response = teacher_client.post(
        reverse("review_save", args=[submission.pk]),
        {"status": "changes_requested", "summary": "", "next": "1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("submission_review", args=[other.pk])
    teacher_client.post(reverse("review_save", args=[other.pk]), {"status": "approved"})
    response = teacher_client.get(reverse("assignment_next", args=[assignment.pk]), follow=True)
    assert "Nothing is waiting for review" in response.text


def test_the_comment_bank_keeps_a_teachers_remarks(teacher_client, teacher, submission):
    review_url = reverse("submission_review", args=[submission.pk])
    teacher_client.post(
        reverse("saved_comment_create"), {"text": "Quantify it", "next_url": review_url}
    )
    assert SavedComment.objects.get(teacher=teacher).text == "Quantify it"
    page = teacher_client.get(review_url).text
    assert 'data-insert-comment="Quantify it"' in page


def test_a_removed_students_submission_stays_on_the_dashboard_and_in_the_csv(
    teacher_client, assignment, submission
):
    classroom = assignment.classroom
    membership = classroom.memberships.get(student=submission.student)
    teacher_client.post(reverse("member_remove", args=[classroom.pk, membership.pk]))

    dashboard = teacher_client.get(reverse("assignment_dashboard", args=[assignment.pk])).text
    assert reverse("submission_review", args=[submission.pk]) in dashboard
    assert "removed from the class" in dashboard
    response = teacher_client.get(reverse("assignment_csv", args=[assignment.pk]))
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row[0] == "ana"
    assert row[header.index("in the class")] == "no"
    # Nor is it offered as the next submission to review: it left the class.
    response = teacher_client.get(reverse("assignment_next", args=[assignment.pk]), follow=True)
    assert "Nothing is waiting for review" in response.text


def test_next_student_goes_round_the_class_when_one_is_skipped(teacher_client, assignment):
    first, second, third = (make_student_submission(assignment, n) for n in ("ana", "ben", "cai"))
    review_url = teacher_client.get(reverse("assignment_next", args=[assignment.pk]))["Location"]
    seen = [review_url]
    for _ in range(3):  # the teacher skips each one without a verdict
        page = teacher_client.get(review_url).text
        review_url = re.search(r'href="([^"]+)">Next student', page).group(1)
        seen.append(review_url)
    assert seen == [
        reverse("submission_review", args=[s.pk]) for s in (first, second, third, first)
    ]


def test_the_comment_bank_only_goes_back_to_our_own_pages(teacher_client, submission):
    for next_url in ("https://evil.example/", "//evil.example/x", "foo", ""):
        response = teacher_client.post(
            reverse("saved_comment_create"), {"text": f"Remark {next_url}", "next_url": next_url}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("class_list"), next_url
    review_url = reverse("submission_review", args=[submission.pk])
    response = teacher_client.post(
        reverse("saved_comment_delete", args=[SavedComment.objects.first().pk]),
        {"next_url": review_url},
    )
    assert response["Location"] == review_url


def test_new_comments_and_rubric_light_the_badge_again_but_private_notes_do_not(
    teacher_client, teacher, submission
):
    submission.set_verdict(Submission.Status.CHANGES_REQUESTED, "More costs", teacher)
    client = client_for(submission.student)  # the student's browser, beside the teacher's
    feedback_url = reverse("submission_feedback", args=[submission.pk])

    def badge() -> bool:
        return 'class="badge new"' in client.get(reverse("canvas_list")).text

    client.head(feedback_url)  # a link checker, not a reader
    assert badge()
    client.get(feedback_url)
    assert not badge()
    teacher_client.post(
        reverse("comment_create", args=[submission.pk]), {"body": "Only for us", "is_private": "on"}
    )
    assert not badge()
    teacher_client.post(reverse("comment_create", args=[submission.pk]), {"body": "Look again"})
    assert badge()
    client.get(feedback_url)
    assert not badge()
    teacher_client.post(reverse("review_save", args=[submission.pk]), {"costs_level": "3"})
    assert badge()
