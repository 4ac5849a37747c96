import pytest
from django.test import Client
from django.urls import reverse

from classrooms.models import Classroom, Membership
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_creating_a_class_makes_me_its_teacher_with_a_join_code(teacher_client, teacher):
    response = teacher_client.post(reverse("class_list"), {"name": "Startups", "term": "2027"})
    classroom = Classroom.objects.get(teacher=teacher)
    assert response["Location"] == reverse("class_detail", args=[classroom.pk])
    page = teacher_client.get(response["Location"]).text
    assert classroom.join_code in page
    assert len(classroom.join_code) == 6


def test_a_student_joins_with_the_code_typed_loosely(client, classroom):
    student = make_user("ana")
    client.force_login(student)
    code = classroom.join_code.lower()
    response = client.post(reverse("join"), {"code": f" {code[:3]} {code[3:]} "})
    assert response["Location"] == reverse("class_detail", args=[classroom.pk])
    assert Membership.objects.filter(classroom=classroom, student=student).exists()


def test_the_join_link_fills_in_the_code(client, classroom):
    client.force_login(make_user("ana"))
    response = client.get(reverse("join_with_code", args=[classroom.join_code]))
    assert f'value="{classroom.join_code}"' in response.text


def test_a_wrong_code_says_so(client, classroom):
    client.force_login(make_user("ana"))
    response = client.post(reverse("join"), {"code": "ZZZZZZ"}, headers={"Accept-Language": "en"})
    assert "No class has the code “ZZZZZZ”" in response.text
    assert not Membership.objects.exists()


def test_a_closed_class_says_so(client, teacher_client, classroom):
    teacher_client.post(reverse("class_joining", args=[classroom.pk]))
    classroom.refresh_from_db()
    assert not classroom.joining_open
    client.force_login(make_user("ana"))
    response = client.post(reverse("join"), {"code": classroom.join_code})
    assert "is closed to new students" in response.text
    assert not Membership.objects.exists()


def test_a_removed_student_no_longer_sees_the_class(client, teacher_client, classroom):
    student = make_user("ana")
    membership = classroom.join(student)
    teacher_client.post(reverse("member_remove", args=[classroom.pk, membership.pk]))
    client.force_login(student)
    assert client.get(reverse("class_detail", args=[classroom.pk])).status_code == 404


def test_a_removed_student_cannot_rejoin_until_the_teacher_lets_them_back(
    teacher_client, classroom
):
    client = Client()  # the student's browser, beside the teacher's
    client.cookies["django_language"] = "en"
    student = make_user("ana")
    membership = classroom.join(student)
    teacher_client.post(reverse("member_remove", args=[classroom.pk, membership.pk]))
    client.force_login(student)
    response = client.post(reverse("join"), {"code": classroom.join_code})
    assert response.status_code == 200
    assert "Your teacher removed you from" in response.text
    assert client.get(reverse("class_detail", args=[classroom.pk])).status_code == 404

    page = teacher_client.get(reverse("class_detail", args=[classroom.pk])).text
    assert "Removed from the class" in page
    teacher_client.post(reverse("member_restore", args=[classroom.pk, membership.pk]))
    assert client.get(reverse("class_detail", args=[classroom.pk])).status_code == 200


def test_a_co_teacher_can_manage_the_class(client, teacher_client, classroom):
    colleague = make_user("colleague")
    teacher_client.post(reverse("co_teacher_add", args=[classroom.pk]), {"username": "colleague"})
    client.force_login(colleague)
    response = client.get(reverse("class_detail", args=[classroom.pk]))
    assert classroom.join_code in response.text


def test_adding_an_unknown_co_teacher_says_so(teacher_client, classroom):
    response = teacher_client.post(
        reverse("co_teacher_add", args=[classroom.pk]), {"username": "nobody"}
    )
    assert "Nobody has the username “nobody”." in response.text


def test_an_assignment_without_due_date_is_refused_beside_the_field(teacher_client, classroom):
    response = teacher_client.post(
        reverse("assignment_create", args=[classroom.pk]), {"title": "Block", "due_at": "soon"}
    )
    assert "Enter a valid date/time." in response.text
    assert 'value="Block"' in response.text
    assert not classroom.assignments.exists()


def test_another_teacher_cannot_open_or_change_the_class(client, classroom):
    client.force_login(make_user("other-teacher"))
    assert client.get(reverse("class_detail", args=[classroom.pk])).status_code == 404
    assert client.post(reverse("class_joining", args=[classroom.pk])).status_code == 404
    assert (
        client.post(
            reverse("assignment_create", args=[classroom.pk]),
            {"title": "x", "due_at": "2030-01-01T10:00"},
        ).status_code
        == 404
    )
