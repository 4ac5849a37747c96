import pytest
from django.test import Client
from django.urls import reverse

from classrooms.models import Classroom, Membership
from tests.classrooms.factories import make_classroom
from tests.factories import make_user
from tests.helpers import client_for

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


def test_wrong_join_codes_are_rationed_per_student(locmem_cache, still_throttle_clock):
    classroom = make_classroom()
    student = client_for(make_user("guesser"))
    statuses = [
        student.post(reverse("join"), {"code": f"WRONG{n:03}"}).status_code for n in range(11)
    ]
    assert statuses[:10] == [200] * 10  # each says the code is unknown
    assert statuses[10] == 429
    refused = student.post(reverse("join"), {"code": classroom.join_code})
    assert refused.status_code == 429  # even the right code waits: no guessing on
    assert int(refused["Retry-After"]) > 0


def test_wrong_join_codes_are_rationed_per_address(locmem_cache, still_throttle_clock):
    statuses = []
    for n in range(41):
        client = client_for(make_user(f"s{n}"))
        statuses.append(client.post(reverse("join"), {"code": "NOPE"}).status_code)
    assert statuses[:40] == [200] * 40
    assert statuses[40] == 429


def test_a_right_code_never_counts_against_anyone(locmem_cache, still_throttle_clock):
    classroom = make_classroom()
    for n in range(15):
        client = client_for(make_user(f"k{n}"))
        assert client.post(reverse("join"), {"code": classroom.join_code}).status_code == 302
