"""Spanish first, English second: both render, numbers follow the reader's locale."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_cost, make_relationship, make_segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced_canvas(canvas):
    segment = make_segment(canvas, name="Tourists", customer_count=12000)
    make_cost(make_relationship(segment), amount="1234.5")
    return canvas


def test_spanish_is_the_default(user, priced_canvas):
    client = Client()  # no language cookie, no Accept-Language
    client.force_login(user)
    response = client.get(reverse("canvas_detail", args=[priced_canvas.pk]))
    assert '<html lang="es"' in response.text
    assert "Asistencia personal" in response.text
    assert "14.814,00\xa0€" in response.text  # 1234.50 x 12, Spanish style
    assert "<dd>12.000</dd>" in response.text  # customers


def test_english_reader_sees_english_numbers(owner_client, priced_canvas):
    response = owner_client.get(reverse("canvas_detail", args=[priced_canvas.pk]))
    assert '<html lang="en"' in response.text
    assert "Personal assistance" in response.text
    assert "€14,814.00" in response.text
    assert "<dd>12,000</dd>" in response.text


def test_language_switcher_changes_the_language(client, user, priced_canvas):
    client.force_login(user)
    url = reverse("canvas_detail", args=[priced_canvas.pk])
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Personal assistance" in client.get(url).text
    client.post(reverse("set_language"), {"language": "es", "next": url})
    assert "Asistencia personal" in client.get(url).text
