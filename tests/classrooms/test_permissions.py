import pytest
from django.urls import reverse

from classrooms.models import Comment
from tests.classrooms.factories import make_classroom, make_student_submission
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(assignment):
    return make_student_submission(assignment, "ana")


def teacher_urls(submission):
    assignment = submission.assignment
    return [
        ("get", reverse("assignment_dashboard", args=[assignment.pk])),
        ("get", reverse("assignment_csv", args=[assignment.pk])),
        ("get", reverse("assignment_xlsx", args=[assignment.pk])),
        ("get", reverse("assignment_edit", args=[assignment.pk])),
        ("post", reverse("assignment_edit", args=[assignment.pk])),
        ("get", reverse("assignment_next", args=[assignment.pk])),
        ("get", reverse("submission_review", args=[submission.pk])),
        ("post", reverse("comment_create", args=[submission.pk])),
        ("post", reverse("review_save", args=[submission.pk])),
    ]


# Valid for each form: a 404 must come from the access check, not from a refused form.
POSTED = {"body": "x", "status": "approved", "title": "Taken over", "due_at": "2027-01-01T10:00"}


def test_another_classes_teacher_gets_404_everywhere(client, submission):
    other_teacher = make_user("other-teacher")
    make_classroom(other_teacher)
    client.force_login(other_teacher)
    for method, url in teacher_urls(submission):
        response = getattr(client, method)(url, POSTED)
        assert response.status_code == 404, url
    assert not Comment.objects.exists()
    submission.assignment.refresh_from_db()
    assert submission.assignment.title == "Customer relationships"


def test_a_student_cannot_reach_the_teachers_pages(client, submission):
    client.force_login(submission.student)
    dashboard, *others = teacher_urls(submission)
    # The assignment's page sends its students to the class page, where they hand in.
    response = client.get(dashboard[1])
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("class_detail", args=[submission.assignment.classroom_id])
    )
    for method, url in others:
        response = getattr(client, method)(url, POSTED)
        assert response.status_code == 404, url
    submission.assignment.refresh_from_db()
    assert submission.assignment.title == "Customer relationships"


def test_a_student_sees_only_their_own_submissions(client, assignment, submission):
    classmate = make_student_submission(assignment, "ben")
    client.force_login(submission.student)
    assert client.get(reverse("submission_feedback", args=[submission.pk])).status_code == 200
    assert client.get(reverse("submission_feedback", args=[classmate.pk])).status_code == 404


def test_a_removed_students_submissions_stay_with_the_teacher(
    teacher_client, classroom, submission
):
    membership = classroom.memberships.get(student=submission.student)
    teacher_client.post(reverse("member_remove", args=[classroom.pk, membership.pk]))
    response = teacher_client.get(reverse("submission_review", args=[submission.pk]))
    assert response.status_code == 200
    assert submission.document["title"] in response.text


def test_a_co_teacher_sees_private_notes(client, teacher, classroom, submission):
    colleague = make_user("colleague")
    classroom.co_teachers.add(colleague)
    Comment.objects.create(submission=submission, author=teacher, body="Secret", is_private=True)
    client.force_login(colleague)
    assert "Secret" in client.get(reverse("submission_review", args=[submission.pk])).text
