"""The reusable throttle for expensive views (the PDF export uses it)."""

import pytest
from django.test import Client

from canvas_site.throttle import parse_rate
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.production.urls"),
    pytest.mark.usefixtures("still_throttle_clock"),
]


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("10/m", (10, 60)), ("5/s", (5, 1)), ("100/h", (100, 3600)), ("3/5m", (3, 300))],
)
def test_rates_are_parsed(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["10", "ten/m", "10/w", "0/m", "-1/m", ""])
def test_a_bad_rate_is_refused(rate):
    with pytest.raises(ValueError, match="a rate looks like"):
        parse_rate(rate)


def test_a_user_past_the_rate_gets_a_clear_429(owner_client):
    for _ in range(3):
        assert owner_client.get("/test/throttled/").status_code == 200
    response = owner_client.get("/test/throttled/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert "You have asked for this too often" in response.text
    assert "Please wait" in response.text


def test_each_user_has_a_budget_of_their_own(owner_client):
    for _ in range(4):
        owner_client.get("/test/throttled/")
    other = Client()
    other.force_login(make_user())
    assert other.get("/test/throttled/").status_code == 200


def test_anonymous_requests_are_counted_per_address():
    for _ in range(2):
        assert Client(REMOTE_ADDR="10.0.0.1").get("/test/throttled-anonymous/").status_code == 200
    assert Client(REMOTE_ADDR="10.0.0.1").get("/test/throttled-anonymous/").status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.2").get("/test/throttled-anonymous/").status_code == 200


def test_the_rate_can_be_changed_in_settings(owner_client, settings):
    settings.THROTTLE_RATES = {"test": "1/h"}
    assert owner_client.get("/test/throttled/").status_code == 200
    response = owner_client.get("/test/throttled/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 61
