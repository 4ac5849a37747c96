"""The optional e-mail at sign-up: stored, checked, and never shared by two accounts."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PASSWORDS = {"password1": "pan-de-masa-madre-42", "password2": "pan-de-masa-madre-42"}


def sign_up(client, **fields):
    return client.post(reverse("signup"), {**PASSWORDS, **fields})


def error_beside(response, field: str) -> list[str]:
    """The messages shown under ``field`` (the form layout puts them right after it)."""
    return [str(error) for error in response.context["form"][field].errors]


def test_the_e_mail_is_kept_on_the_account(client):
    response = sign_up(client, username="ana", email="Ana.Lopez@Example.COM")

    assert response["Location"] == reverse("canvas_list")
    # The mailbox part as typed, the domain in lower case (domains ignore case).
    assert get_user_model().objects.get(username="ana").email == "Ana.Lopez@example.com"


def test_the_e_mail_is_optional():
    assert sign_up(client_for(), username="ana", email="").status_code == 302
    assert sign_up(client_for(), username="bea").status_code == 302  # no field at all

    # Two accounts without an e-mail do not clash.
    assert list(get_user_model().objects.order_by("username").values_list("email", flat=True)) == [
        "",
        "",
    ]


def test_the_sign_up_page_asks_for_an_optional_e_mail(client):
    page = client.get(reverse("signup")).text

    assert 'type="email" name="email"' in page
    assert "E-mail (optional)" in page
    assert "Only to send you a link if you forget your password." in page


def test_a_mistyped_e_mail_is_refused_beside_the_field(client):
    response = sign_up(client, username="ana", email="ana.example.com")

    assert response.status_code == 200
    assert error_beside(response, "email") == [
        "Type a whole e-mail address, such as ana@example.com."
    ]
    assert 'value="ana"' in response.text  # the username is kept
    assert not get_user_model().objects.filter(username="ana").exists()


@pytest.mark.parametrize("typed", ["ana@example.com", "ANA@Example.com", " ana@EXAMPLE.com "])
def test_an_e_mail_of_another_account_is_refused_whatever_its_case(client, typed):
    first = make_user("ana")
    first.email = "Ana@example.com"
    first.save()

    response = sign_up(client, username="ana2", email=typed)

    assert response.status_code == 200
    assert error_beside(response, "email") == [
        "Another account already uses this e-mail. If it is yours, log in, or set a new "
        "password with “Forgot your password?” on the log-in page."
    ]
    assert 'class="field-error"' in response.text
    assert not get_user_model().objects.filter(username="ana2").exists()
