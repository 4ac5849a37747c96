"""A join link survives logging in and signing up: the student ends up in the class."""

import pytest
from django.urls import reverse

from tests.accounts.pages import hidden, link
from tests.classrooms.factories import make_classroom
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_STUDENT = {
    "username": "lucia",
    "password1": "pan-de-masa-madre-42",
    "password2": "pan-de-masa-madre-42",
}


@pytest.fixture
def classroom():
    return make_classroom(name="Emprendimiento 2B")


def _join_from_the_page(client, response, classroom):
    """Press "Join" on the join page the student landed on, as it was filled in."""
    assert f'value="{classroom.join_code}"' in response.text
    return client.post(reverse("join"), {"code": classroom.join_code}, follow=True)


def test_a_student_who_signs_up_from_a_join_link_lands_in_the_class(client, classroom):
    join_url = reverse("join_with_code", args=[classroom.join_code])

    login_page = client.get(join_url, follow=True)
    assert login_page.redirect_chain[-1][0].startswith(reverse("login"))
    signup_page = client.get(link(login_page, "Create an account"))
    next_url = hidden(signup_page, "next")
    assert next_url == join_url
    # The way back to the log-in page keeps the link too.
    assert client.get(link(signup_page, "Log in")).context["next"] == join_url

    join_page = client.post(reverse("signup"), {**NEW_STUDENT, "next": next_url}, follow=True)
    assert join_page.redirect_chain == [(join_url, 302)]
    assert join_page.context["user"].username == "lucia"
    class_page = _join_from_the_page(client, join_page, classroom)

    assert class_page.redirect_chain[-1][0] == reverse("class_detail", args=[classroom.pk])
    assert "You joined “Emprendimiento 2B”." in class_page.text
    assert classroom.has_student(class_page.context["user"])


def test_a_student_who_logs_in_from_a_join_link_lands_in_the_class(client, classroom):
    student = make_user("lucia", password="pan-de-masa-madre-42")
    join_url = reverse("join_with_code", args=[classroom.join_code])
    login_page = client.get(join_url, follow=True)

    join_page = client.post(
        reverse("login"),
        {
            "username": "lucia",
            "password": "pan-de-masa-madre-42",
            "next": hidden(login_page, "next"),
        },
        follow=True,
    )

    assert join_page.redirect_chain == [(join_url, 302)]
    _join_from_the_page(client, join_page, classroom)
    assert classroom.has_student(student)


def test_the_log_in_page_without_a_link_offers_a_plain_sign_up(client):
    assert link(client.get(reverse("login")), "Create an account") == reverse("signup")


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/",
        "//evil.example",
        "///evil.example/",
        "http://testserver.evil.example/classes/",
        "javascript:alert(1)",
    ],
)
def test_a_link_to_another_site_is_dropped_for_my_canvases(client, unsafe):
    signup_page = client.get(reverse("signup"), {"next": unsafe})
    assert hidden(signup_page, "next") is None
    assert "evil" not in link(signup_page, "Log in")

    response = client.post(reverse("signup"), {**NEW_STUDENT, "next": unsafe})

    assert response.status_code == 302
    assert response["Location"] == reverse("canvas_list")


def test_someone_logged_in_who_opens_sign_up_goes_on_to_the_link(client, classroom):
    client.force_login(make_user("lucia"))
    join_url = reverse("join_with_code", args=[classroom.join_code])

    assert client.get(reverse("signup"), {"next": join_url})["Location"] == join_url
    assert client.get(reverse("signup"), {"next": "//evil.example"})["Location"] == reverse(
        "canvas_list"
    )
