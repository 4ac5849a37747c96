"""Co-teachers: only the class's owner adds and removes them; they are told, and may leave."""

import pytest
from django.urls import reverse

from classrooms.models import Comment, CoTeacher, Submission
from tests.classrooms.factories import make_classroom, make_student_submission
from tests.factories import make_user
from tests.helpers import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(classroom):
    """A co-teacher of the class, who has already dismissed the notice."""
    user = make_user("colleague")
    CoTeacher.objects.create(classroom=classroom, user=user, seen_at="2027-01-01T10:00Z")
    return user


@pytest.fixture
def colleague_client(colleague):
    return client_for(colleague)


def add_url(classroom) -> str:
    return reverse("co_teacher_add", args=[classroom.pk])


def remove_url(classroom, user) -> str:
    co_teacher = CoTeacher.objects.get(classroom=classroom, user=user)
    return reverse("co_teacher_remove", args=[classroom.pk, co_teacher.pk])


def leave_url(classroom) -> str:
    return reverse("co_teacher_leave", args=[classroom.pk])


def dismiss_url(classroom) -> str:
    return reverse("co_teacher_notice_dismiss", args=[classroom.pk])


def class_url(classroom) -> str:
    return reverse("class_detail", args=[classroom.pk])


# --- adding -------------------------------------------------------------------------------


def test_the_owner_adds_a_co_teacher(teacher_client, classroom):
    ana = make_user("ana")
    response = teacher_client.post(add_url(classroom), {"username": " ana "})
    assert response["Location"] == f"{class_url(classroom)}#co-teachers"
    assert list(classroom.co_teachers.all()) == [ana]
    page = teacher_client.get(response["Location"]).text
    assert "ana is now a co-teacher of the class." in page
    assert remove_url(classroom, ana) in page


def test_the_owner_adds_a_co_teacher_in_place_with_htmx(teacher_client, classroom):
    make_user("ana")
    response = teacher_client.post(add_url(classroom), {"username": "ana"}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="co-teachers">')
    assert "ana is now a co-teacher of the class." in response.text
    assert classroom.co_teachers.filter(username="ana").exists()


def test_adding_someone_twice_says_so_beside_the_field(teacher_client, classroom, colleague):
    response = teacher_client.post(add_url(classroom), {"username": "colleague"}, headers=HTMX)
    assert "colleague already teaches this class." in response.text
    assert CoTeacher.objects.filter(classroom=classroom).count() == 1


def test_a_co_teacher_cannot_add_another_and_is_not_offered_the_form(
    colleague_client, classroom, colleague
):
    make_user("friend")
    response = colleague_client.post(add_url(classroom), {"username": "friend"})
    assert response.status_code == 404
    assert list(classroom.co_teachers.all()) == [colleague]
    page = colleague_client.get(class_url(classroom)).text
    assert f'action="{add_url(classroom)}"' not in page
    assert "teacher owns the class: only they add or remove co-teachers." in page


# --- removing -----------------------------------------------------------------------------


def test_the_owner_is_asked_before_removing_without_javascript(
    teacher_client, classroom, colleague
):
    url = remove_url(classroom, colleague)
    page = teacher_client.get(class_url(classroom)).text
    # The button leads to the question without JavaScript; htmx asks with hx-confirm.
    assert f'action="{url}"' in page
    assert f'hx-post="{url}"' in page
    assert "Remove colleague as co-teacher?" in page
    question = teacher_client.get(url)
    assert "Remove colleague as co-teacher of “Entrepreneurship”?" in question.text
    assert '<form method="post">' in question.text
    assert classroom.co_teachers.exists()  # asking removed nobody


def test_the_owner_removes_a_co_teacher_who_then_gets_404(
    teacher_client, colleague_client, classroom, colleague
):
    response = teacher_client.post(remove_url(classroom, colleague))
    assert response["Location"] == f"{class_url(classroom)}#co-teachers"
    assert not classroom.co_teachers.exists()
    assert colleague_client.get(class_url(classroom)).status_code == 404
    page = teacher_client.get(response["Location"]).text
    assert "colleague no longer teaches the class; their reviews and comments stay." in page


def test_removing_with_htmx_returns_the_panel(teacher_client, classroom, colleague):
    response = teacher_client.post(remove_url(classroom, colleague), headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="co-teachers">')
    assert "Nobody teaches the class with you yet." in response.text


def test_removing_a_co_teacher_keeps_their_reviews_and_comments(
    teacher_client, classroom, colleague, assignment
):
    submission = make_student_submission(assignment, "student")
    submission.set_verdict(Submission.Status.APPROVED, "Well done", colleague)
    Comment.objects.create(submission=submission, author=colleague, body="Nice costs")
    Comment.objects.create(
        submission=submission, author=colleague, body="Private remark", is_private=True
    )

    teacher_client.post(remove_url(classroom, colleague))

    submission.refresh_from_db()
    assert submission.reviewed_by == colleague
    assert submission.status == Submission.Status.APPROVED
    assert [c.author for c in Comment.objects.filter(submission=submission)] == [colleague] * 2
    review = teacher_client.get(reverse("submission_review", args=[submission.pk])).text
    assert "Nice costs" in review
    assert "Private remark" in review


def test_a_co_teacher_cannot_remove_anyone(colleague_client, classroom, colleague):
    other = make_user("other")
    CoTeacher.objects.create(classroom=classroom, user=other)
    for user in (other, colleague):
        url = remove_url(classroom, user)
        assert colleague_client.get(url).status_code == 404
        assert colleague_client.post(url).status_code == 404
        assert colleague_client.post(url, headers=HTMX).status_code == 404
    assert classroom.co_teachers.count() == 2
    page = colleague_client.get(class_url(classroom)).text
    assert remove_url(classroom, other) not in page


def test_a_stranger_gets_404_on_every_co_teacher_url(classroom, colleague):
    stranger = client_for(make_user("stranger"))
    assert stranger.post(add_url(classroom), {"username": "stranger"}).status_code == 404
    for url in (remove_url(classroom, colleague), leave_url(classroom)):
        assert stranger.get(url).status_code == 404
        assert stranger.post(url).status_code == 404
    assert stranger.post(dismiss_url(classroom)).status_code == 404
    assert list(classroom.co_teachers.all()) == [colleague]


def test_the_owner_of_another_class_cannot_remove_this_ones_co_teachers(classroom, colleague):
    rival = make_user("rival")
    theirs = make_classroom(rival)
    url = reverse(
        "co_teacher_remove",
        args=[theirs.pk, CoTeacher.objects.get(classroom=classroom, user=colleague).pk],
    )
    assert client_for(rival).post(url).status_code == 404
    assert classroom.co_teachers.exists()


# --- being told ---------------------------------------------------------------------------


def test_the_added_teacher_sees_a_notice_until_they_dismiss_it(teacher_client, classroom):
    ana = make_user("ana")
    ana_client = client_for(ana)  # her own browser, another day: nothing flashed on it
    assert "added you as a co-teacher" not in ana_client.get(reverse("class_list")).text

    teacher_client.post(add_url(classroom), {"username": "ana"})
    assert "added you as a co-teacher" not in teacher_client.get(reverse("class_list")).text
    page = ana_client.get(reverse("class_list")).text
    assert "teacher added you as a co-teacher of “Entrepreneurship”" in page
    assert f'action="{dismiss_url(classroom)}"' in page
    # Still there on the next visit: only dismissing it makes it go.
    assert "added you as a co-teacher" in ana_client.get(reverse("class_list")).text

    response = ana_client.post(dismiss_url(classroom))
    assert response["Location"] == reverse("class_list")
    assert CoTeacher.objects.get(user=ana).seen_at is not None
    assert "added you as a co-teacher" not in ana_client.get(reverse("class_list")).text
    assert ana_client.get(class_url(classroom)).status_code == 200  # she still teaches it


def test_dismissing_with_htmx_swaps_the_notice_for_nothing(classroom):
    ana = make_user("ana")
    CoTeacher.objects.create(classroom=classroom, user=ana)
    response = client_for(ana).post(dismiss_url(classroom), headers=HTMX)
    assert response.status_code == 200
    assert response.content == b""
    assert not CoTeacher.objects.unseen_by(ana).exists()


def test_someone_added_again_after_removal_is_told_again(teacher_client, classroom, colleague):
    teacher_client.post(remove_url(classroom, colleague))
    teacher_client.post(add_url(classroom), {"username": "colleague"})
    page = client_for(colleague).get(reverse("class_list")).text
    assert "teacher added you as a co-teacher of “Entrepreneurship”" in page


# --- leaving ------------------------------------------------------------------------------


def test_a_co_teacher_is_asked_then_leaves_and_the_class_is_a_404(
    colleague_client, classroom, colleague
):
    page = colleague_client.get(class_url(classroom)).text
    assert f'action="{leave_url(classroom)}"' in page
    assert f'hx-post="{leave_url(classroom)}"' in page
    question = colleague_client.get(leave_url(classroom))
    assert "Leave “Entrepreneurship”?" in question.text
    assert classroom.co_teachers.exists()  # asking took nobody out

    response = colleague_client.post(leave_url(classroom))
    assert response["Location"] == reverse("class_list")
    assert not classroom.co_teachers.exists()
    assert "You left “Entrepreneurship”." in colleague_client.get(reverse("class_list")).text
    assert colleague_client.get(class_url(classroom)).status_code == 404
    assert colleague_client.post(leave_url(classroom)).status_code == 404


def test_leaving_with_htmx_sends_the_browser_to_my_classes(colleague_client, classroom):
    response = colleague_client.post(leave_url(classroom), headers=HTMX)
    assert response["HX-Redirect"] == reverse("class_list")
    assert not classroom.co_teachers.exists()


def test_the_owner_cannot_leave_their_own_class(teacher_client, classroom):
    assert teacher_client.get(leave_url(classroom)).status_code == 404
    assert teacher_client.post(leave_url(classroom)).status_code == 404
    assert teacher_client.get(class_url(classroom)).status_code == 200


def test_a_co_taught_class_is_listed_with_its_owner(colleague_client, classroom):
    page = colleague_client.get(reverse("class_list")).text
    assert "Entrepreneurship" in page
    assert "with teacher" in page
