"""Numbers read the way the reader writes them, and shown back the same way."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from relationships.numbers import parse_number, show_number
from tests.factories import make_cost, make_relationship, make_segment
from tests.helpers import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("es", "95,50", "95.50"),
        ("es", "1.200", "1200"),
        ("es", "1.200,50", "1200.50"),
        ("es", "1 200", "1200"),
        ("es", "95,50 €", "95.50"),
        ("es", "€ 1.234,56", "1234.56"),
        ("es", "EUR 12", "12"),
        ("es", "95.50", "95.50"),  # a dot before two digits cannot mark thousands
        ("es", "0.5", "0.5"),
        ("en", "95.50", "95.50"),
        ("en", "1,200", "1200"),
        ("en", "$1,234.56", "1234.56"),
        ("en", "95,50", "95.50"),
        ("en", "\u00a01\u202f200\u00a0", "1200"),  # spaces a phone or a copy may put in
    ],
)
def test_a_number_is_read_the_way_the_reader_writes_it(language, typed, read):
    with translation.override(language):
        assert parse_number(typed) == Decimal(read)


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("es", "1,234.56"),  # English marks on a Spanish page: which is the decimal?
        ("es", "12.34.567"),
        ("es", "1,2,3"),
        ("es", "muchos"),
        ("es", "1.2.3"),
        ("en", "1.234,56"),
        ("en", "--5"),
        ("en", ","),
    ],
)
def test_what_could_be_two_numbers_is_refused_with_the_way_to_write_it(language, typed):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        parse_number(typed)
    example = {"es": "1.234,56", "en": "1,234.56"}[language]
    assert example in refused.value.messages[0]


def test_nothing_typed_is_no_number():
    assert parse_number("") is None
    assert parse_number("  € ") is None


@pytest.mark.parametrize(
    ("language", "value", "places", "shown"),
    [
        ("es", Decimal("95.5"), 2, "95,50"),
        ("en", Decimal("95.5"), 2, "95.50"),
        ("es", 1200, None, "1.200"),
        ("en", Decimal("1234.5"), None, "1,234.5"),
    ],
)
def test_a_stored_number_is_shown_back_the_readers_way(language, value, places, shown):
    with translation.override(language):
        assert show_number(value, places) == shown
        assert parse_number(shown) == Decimal(value)  # and reads back as the same number


def segment_data(**figures):
    return {"name": "Adultos que trabajan", "version": 1, **figures}


def spanish_client(user):
    client = client_for(user)
    client.cookies["django_language"] = "es"
    return client


def test_a_spanish_reader_types_95_50_and_1_200_and_the_segment_is_worth_what_they_meant(
    user, canvas
):
    client = spanish_client(user)
    segment = make_segment(canvas)
    response = client.post(
        reverse("segment_edit", args=[segment.pk]),
        segment_data(customer_count="1.200", purchases_per_year="4", average_spend="95,50"),
        headers=HTMX,
    )
    assert response.status_code == 200
    segment.refresh_from_db()
    assert (segment.customer_count, segment.average_spend) == (1200, Decimal("95.50"))
    assert "458.400,00" in response.text  # 1200 x 4 x 95,50, the value shown at once
    form = client.get(reverse("segment_edit", args=[segment.pk]), headers=HTMX).text
    assert 'value="95,50"' in form  # shown back the way it was typed
    assert 'value="1.200"' in form


def test_an_english_reader_types_1_200_and_95_50(owner_client, canvas):
    segment = make_segment(canvas)
    owner_client.post(
        reverse("segment_edit", args=[segment.pk]),
        segment_data(customer_count="1,200", average_spend="$95.50"),
        headers=HTMX,
    )
    segment.refresh_from_db()
    assert (segment.customer_count, segment.average_spend) == (1200, Decimal("95.50"))


def test_an_unclear_amount_is_refused_beside_the_field_and_the_typing_kept(user, canvas):
    relationship = make_relationship(make_segment(canvas))
    response = spanish_client(user).post(
        reverse("cost_create", args=[relationship.pk]),
        {"label": "Folletos", "amount": "1,234.56", "frequency": "one_off"},
        headers=HTMX,
    )
    assert 'value="1,234.56"' in response.text
    assert "Escribe el número así: 1.234,56" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not relationship.cost_items.exists()


def test_a_whole_number_of_customers_is_asked_for(user, canvas):
    segment = make_segment(canvas)
    response = spanish_client(user).post(
        reverse("segment_edit", args=[segment.pk]),
        segment_data(customer_count="12,5"),
        headers=HTMX,
    )
    assert 'value="12,5"' in response.text
    segment.refresh_from_db()
    assert segment.customer_count is None


@pytest.mark.parametrize("typed", ["doce", "1.200,50", "12,5,0"])
def test_a_whole_number_refused_asks_for_a_whole_number_not_decimals(user, canvas, typed):
    """Customers are counted in whole numbers: the message shows one, not "1.234,56"."""
    segment = make_segment(canvas)
    response = spanish_client(user).post(
        reverse("segment_edit", args=[segment.pk]),
        segment_data(customer_count=typed),
        headers=HTMX,
    )
    assert f'value="{typed}"' in response.text
    assert "Escribe un número entero, como 1.200." in response.text
    assert "Escribe el número así: 1.234,56" not in response.text


def test_a_cost_form_shows_the_amount_the_readers_way(user, canvas):
    cost = make_cost(make_relationship(make_segment(canvas)), amount="1200.5")
    url = reverse("cost_edit", args=[cost.pk])
    assert 'value="1.200,50"' in spanish_client(user).get(url, headers=HTMX).text
    assert 'value="1,200.50"' in client_for(user).get(url, headers=HTMX).text
    assert 'inputmode="decimal"' in client_for(user).get(url, headers=HTMX).text


@pytest.mark.parametrize(
    ("language", "typed"),
    [("es", "10,000"), ("es", "2,000"), ("en", "10.000"), ("en", "2.000"), ("en", "1.500")],
)
def test_three_digits_after_the_only_mark_could_be_thousands_and_are_refused(language, typed):
    with translation.override(language), pytest.raises(ValidationError):
        parse_number(typed)


@pytest.mark.parametrize(("language", "typed"), [("es", "0,500"), ("en", "0.500")])
def test_a_leading_zero_cannot_be_thousands(language, typed):
    with translation.override(language):
        assert parse_number(typed) == Decimal("0.5")


def test_refusals_speak_the_products_voice_and_number_format(user, canvas):
    relationship = make_relationship(make_segment(canvas))
    client = spanish_client(user)
    url = reverse("cost_create", args=[relationship.pk])
    places = client.post(
        url, {"label": "x", "amount": "12,3456", "frequency": "monthly"}, headers=HTMX
    )
    assert "Usa como mucho 2 decimales, como 1.234,56." in places.text
    negative = client.post(
        url, {"label": "x", "amount": "-5", "frequency": "monthly"}, headers=HTMX
    )
    assert "Escribe un número igual o mayor que 0." in negative.text
    segment = relationship.segment
    whole = client.post(
        reverse("segment_edit", args=[segment.pk]),
        segment_data(customer_count="12,5"),
        headers=HTMX,
    )
    assert "Escribe un número entero, como 1.200." in whole.text
