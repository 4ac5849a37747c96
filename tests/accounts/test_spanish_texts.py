"""The account pages speak to a Spanish reader as the rest of the product does: with "tú"."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

# Django's own Spanish says "usted": "introduzca", "su contraseña", "Requerido"...
USTED = re.compile(
    r"\b(introduzca|introduza|su contraseña|su otra|observe|asegúrese|requerido|usted)\b",
    re.IGNORECASE,
)


@pytest.fixture
def reader():
    client = client_for()
    client.cookies["django_language"] = "es"
    return client


def visible_text(response) -> str:
    """The page as read: no tags; the language menu's own names left out."""
    body = response.text.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_the_sign_up_page_says_tu_even_in_its_errors(reader):
    make_user("ana")
    blank = visible_text(reader.get(reverse("signup")))
    refused = visible_text(
        reader.post(
            reverse("signup"),
            {"username": "ana lópez", "email": "ana", "password1": "1234", "password2": "12345"},
        )
    )
    taken = visible_text(
        reader.post(
            reverse("signup"),
            {"username": "ANA", "password1": "pan-de-masa-42", "password2": "pan-de-masa-42"},
        )
    )

    for page in (blank, refused, taken):
        assert not USTED.search(page), USTED.search(page)
    assert "Correo electrónico (opcional)" in blank
    assert "Solo para enviarte un enlace si olvidas tu contraseña." in blank
    assert "Hasta 150 caracteres: letras, cifras y @ . + - _" in blank
    assert "Al menos 8 caracteres" in blank
    assert "Escríbela otra vez, para asegurarte de que es la que querías." in blank
    assert "Un nombre de usuario solo puede tener letras" in refused
    assert "Escribe una dirección de correo completa" in refused


def test_the_log_in_page_says_tu_when_the_password_is_wrong(reader):
    make_user("ana", password="pan-de-masa-madre-42")

    page = visible_text(reader.post(reverse("login"), {"username": "ana", "password": "pan"}))

    assert "El nombre de usuario y la contraseña no coinciden." in page
    assert "¿Has olvidado tu contraseña?" in page
    assert "¿Primera vez por aquí?" in page
    assert not USTED.search(page)


def test_choosing_a_new_password_says_tu(reader, locmem_cache):
    ana = make_user("ana")
    ana.email = "ana@example.com"
    ana.save()
    reader.post(reverse("password_reset"), {"email": "ana@example.com"})
    url = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body)[1]

    form_url = reader.get(url, follow=True).redirect_chain[-1][0]
    page = visible_text(reader.get(form_url))
    mismatch = visible_text(
        reader.post(form_url, {"new_password1": "pan-de-masa-42", "new_password2": "pan"})
    )

    assert "Elige una contraseña nueva" in page
    assert "Escríbela otra vez" in page
    for text in (page, mismatch, mail.outbox[0].body):
        assert not USTED.search(text), USTED.search(text)
