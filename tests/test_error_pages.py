"""Error pages speak the reader's language and say what to do, in the site's own look."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_canvas

pytestmark = pytest.mark.django_db


def test_another_users_canvas_is_a_friendly_404_in_spanish(user, other_user):
    strangers = make_canvas(other_user)
    client = Client()  # Spanish, the default
    client.force_login(user)
    response = client.get(reverse("canvas_detail", args=[strangers.pk]))
    assert response.status_code == 404
    assert '<html lang="es"' in response.text
    assert "Esta página no existe" in response.text
    assert reverse("canvas_list") in response.text  # a way back


def test_a_404_in_english(owner_client):
    response = owner_client.get("/no/such/page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text


def test_a_post_without_csrf_token_explains_the_form_expired(user):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    client.force_login(user)
    response = client.post(reverse("canvas_list"), {"title": "Bakery"})
    assert response.status_code == 403
    assert "The form has expired" in response.text
    assert "Nothing was saved" in response.text


@pytest.mark.urls("tests.production.urls")
def test_a_server_error_says_so_in_the_readers_language(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get("/test/broken/")
    assert response.status_code == 500
    assert "Algo ha fallado por nuestra parte" in response.text
    assert "RuntimeError" not in response.text
