"""The teacher's review is one form: no button throws away what another part holds."""

import re

import pytest
from django.urls import reverse

from classrooms.models import Comment, RubricScore, Submission
from relationships.models import Canvas
from tests.classrooms.factories import make_student_submission
from tests.factories import make_user
from tests.helpers import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(assignment):
    return make_student_submission(assignment, "ana")


def review_page(client, submission) -> str:
    return client.get(reverse("submission_review", args=[submission.pk])).text


def selected_level(page: str, criterion: str) -> str | None:
    select = re.search(rf'<select name="{criterion}_level".*?</select>', page, re.S).group(0)
    chosen = re.search(r'<option value="(\d)" selected>', select)
    return chosen.group(1) if chosen else None


def test_scoring_the_rubric_and_saving_the_verdict_keeps_both(teacher_client, submission):
    response = teacher_client.post(
        reverse("review_save", args=[submission.pk]),
        {
            "status": "changes_requested",
            "summary": "Put a figure on the staff time",
            "costs_level": "2",
            "costs_remark": "Staff time is missing",
            "next": "1",
        },
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CHANGES_REQUESTED
    score = RubricScore.objects.get(submission=submission)
    assert (score.criterion, score.level, score.remark) == ("costs", 2, "Staff time is missing")


def test_the_review_page_has_one_form_for_verdict_and_rubric(teacher_client, submission):
    page = review_page(teacher_client, submission)
    form = re.search(r'<form[^>]*id="review-form".*?</form>', page, re.S).group(0)
    assert 'name="status"' in form
    assert 'name="costs_level"' in form
    assert form.count('type="submit"') == 2  # save, and save and go on


def test_a_refused_level_keeps_the_verdict_and_summary_typed(teacher_client, submission):
    response = teacher_client.post(
        reverse("review_save", args=[submission.pk]),
        {"status": "approved", "summary": "Very clear block", "costs_level": "9"},
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert "Very clear block" in response.text
    assert re.search(r'value="approved"[^>]*checked', response.text)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert not RubricScore.objects.exists()


def test_a_summary_without_a_verdict_keeps_the_submission_waiting(teacher_client, submission):
    teacher_client.post(
        reverse("review_save", args=[submission.pk]), {"status": "", "summary": "Half read"}
    )
    submission.refresh_from_db()
    assert (submission.status, submission.verdict_summary) == ("submitted", "Half read")
    assert submission.reviewed_at is None
    assert not submission.has_unread_feedback


def test_a_resubmission_starts_from_the_previous_rounds_rubric_and_summary(
    teacher_client, teacher, assignment, submission
):
    teacher_client.post(
        reverse("review_save", args=[submission.pk]),
        {
            "status": "changes_requested",
            "summary": "Add what the offices cost",
            "costs_level": "2",
            "costs_remark": "Staff time is missing",
            "expectations_level": "3",
        },
    )
    canvas = Canvas.objects.get(pk=submission.canvas_id)
    again = assignment.submit(submission.student, canvas)
    page = review_page(teacher_client, again)
    assert "Carried over from the version you reviewed" in page
    assert selected_level(page, "costs") == "2"
    assert selected_level(page, "expectations") == "3"
    assert "Staff time is missing" in page
    assert "Add what the offices cost" in page
    assert not RubricScore.objects.filter(submission=again).exists()  # until the teacher saves

    teacher_client.post(
        reverse("review_save", args=[again.pk]),
        {"status": "approved", "summary": "Now it adds up", "costs_level": "4"},
    )
    levels = dict(RubricScore.objects.filter(submission=again).values_list("criterion", "level"))
    assert levels == {"costs": 4}
    assert "Carried over" not in review_page(teacher_client, again)


def test_a_private_note_shows_in_the_notes_at_once(teacher_client, submission):
    response = teacher_client.post(
        reverse("comment_create", args=[submission.pk]),
        {"body": "Ask about the van", "is_private": "on", "anchor": ""},
        headers=HTMX,
    )
    notes = re.search(
        r'<section id="private-notes" hx-swap-oob="true">.*?</section>', response.text, re.S
    )
    assert notes is not None
    assert "Ask about the van" in notes.group(0)
    public = teacher_client.post(
        reverse("comment_create", args=[submission.pk]),
        {"body": "Nice", "anchor": ""},
        headers=HTMX,
    )
    assert "private-notes" not in public.text


def test_a_resubmission_lists_the_previous_rounds_comments_to_mark_resolved(
    teacher_client, teacher, assignment, submission
):
    relationship = submission.block.relationships[0]
    asked = Comment.objects.create(
        submission=submission, author=teacher, anchor=relationship.anchor, body="Put hours on it"
    )
    Comment.objects.create(
        submission=submission, author=teacher, anchor="", body="Only for us", is_private=True
    )
    submission.set_verdict(Submission.Status.CHANGES_REQUESTED, "", teacher)
    again = assignment.submit(submission.student, Canvas.objects.get(pk=submission.canvas_id))
    url = reverse("submission_review", args=[again.pk])
    page = teacher_client.get(url).text
    past = re.search(r'<section class="past-comments".*?</section>', page, re.S).group(0)
    assert "Put hours on it" in past
    assert "Still open" in past
    assert f'href="#{relationship.anchor}"' in past  # the row is still in the new version
    assert "Only for us" not in past  # a private note was never asked of the student

    response = teacher_client.post(
        reverse("comment_resolve", args=[asked.pk]), {"next_url": f"{url}#past-comments"}
    )
    assert response["Location"] == f"{url}#past-comments"
    asked.refresh_from_db()
    assert asked.resolved_at is not None
    assert "Resolved" in teacher_client.get(url).text


def test_only_the_class_teachers_resolve_a_comment(teacher, submission):
    comment = Comment.objects.create(submission=submission, author=teacher, body="Hours?")
    for user in (submission.student, make_user("other-teacher")):
        response = client_for(user).post(reverse("comment_resolve", args=[comment.pk]))
        assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_the_previous_comments_show_the_students_answers_and_resolve_in_place(
    teacher_client, teacher, assignment, submission
):
    relationship = submission.block.relationships[0]
    asked = Comment.objects.create(
        submission=submission, author=teacher, anchor=relationship.anchor, body="Hours?"
    )
    Comment.objects.create(
        submission=submission,
        author=submission.student,
        anchor=relationship.anchor,
        body="About four a week",
    )
    submission.set_verdict(Submission.Status.CHANGES_REQUESTED, "", teacher)
    again = assignment.submit(submission.student, Canvas.objects.get(pk=submission.canvas_id))
    url = reverse("submission_review", args=[again.pk])
    page = teacher_client.get(url).text
    item = re.search(rf'<li [^>]*id="past-comment-{asked.pk}".*?</li>', page, re.S).group(0)
    assert "About four a week" in item
    assert 'hx-select="#past-comment-' in item  # only this line is swapped: the review stays
    resolved = teacher_client.post(
        reverse("comment_resolve", args=[asked.pk]),
        {"next_url": f"{url}#past-comments"},
        headers=HTMX,
        follow=True,
    )
    assert re.search(rf'id="past-comment-{asked.pk}".*?Resolved', resolved.text, re.S)


def test_saving_an_empty_review_says_there_was_nothing_to_save(teacher_client, submission):
    response = teacher_client.post(
        reverse("review_save", args=[submission.pk]), {"status": "", "summary": ""}, follow=True
    )
    assert "Nothing new to save" in response.text
    assert "Review saved" not in response.text


def test_saving_the_same_verdict_again_does_not_light_the_students_badge(
    teacher_client, submission
):
    url = reverse("review_save", args=[submission.pk])
    teacher_client.post(url, {"status": "approved", "summary": "Good"})
    submission.refresh_from_db()
    first = (submission.reviewed_at, submission.feedback_updated_at)
    response = teacher_client.post(url, {"status": "approved", "summary": "Good"}, follow=True)
    submission.refresh_from_db()
    assert (submission.reviewed_at, submission.feedback_updated_at) == first
    assert "Nothing new to save" in response.text


def test_save_and_next_goes_on_to_another_student(teacher_client, assignment, submission):
    other = make_student_submission(assignment, "ben")
    response = teacher_client.post(
        reverse("review_save", args=[submission.pk]), {"summary": "Half done", "next": "1"}
    )
    assert response["Location"] == reverse("submission_review", args=[other.pk])
