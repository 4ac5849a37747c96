"""Log-in throttling with django-axes: per account and address, with a cool-off, no spoofing."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from canvas_site.client_ip import client_ip
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def log_in(username, password, address="10.1.1.1", **headers):
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("login"), {"username": username, "password": password}, headers=headers
    )


@pytest.fixture
def student(db):
    return make_user("student", password="the-right-password")


def fail(times, username="student", address="10.1.1.1", **headers):
    return [log_in(username, "wrong", address, **headers) for _ in range(times)][-1]


def test_five_wrong_passwords_lock_the_account_from_that_address(student):
    assert fail(4).status_code == 200  # the form again, with its error
    response = fail(1)
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.text
    assert "paused for 15 minutes" in response.text
    assert response["Retry-After"] == "900"
    # Even the right password waits for the cool-off.
    assert log_in("student", "the-right-password").status_code == 429


def test_the_lock_does_not_spread_to_other_addresses_or_accounts(student):
    make_user("classmate", password="another-password")
    fail(5)
    assert log_in("student", "the-right-password", address="10.9.9.9").status_code == 302
    assert log_in("classmate", "another-password").status_code == 302


def test_the_lock_ends_after_the_cool_off(student):
    fail(5)
    attempt = AccessAttempt.objects.get()
    AccessAttempt.objects.update(attempt_time=attempt.attempt_time - timedelta(minutes=16))
    assert log_in("student", "the-right-password").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(student):
    for n in range(5):
        log_in("student", "wrong", "10.1.1.1", X_Forwarded_For=f"203.0.113.{n}")
    response = log_in("student", "the-right-password", "10.1.1.1", X_Forwarded_For="198.51.100.7")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_client_address_comes_from_the_header(student, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail(5, address="127.0.0.1", X_Forwarded_For="203.0.113.5")
    # Another client behind the same proxy is not locked out.
    ok = log_in("student", "the-right-password", "127.0.0.1", X_Forwarded_For="203.0.113.6")
    assert ok.status_code == 302


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.9"),
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # the client wrote 6.6.6.6 itself
        (2, "6.6.6.6, 1.1.1.1, 172.16.0.2", "1.1.1.1"),
        (2, "1.1.1.1", "10.0.0.9"),  # fewer hops than proxies: not through them
        (1, "", "10.0.0.9"),
    ],
)
def test_client_ip(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
