"""The health check a load balancer polls."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_is_ok_without_logging_in(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "not used"}
    assert "no-cache" in response["Cache-Control"]


def test_health_reports_a_database_that_does_not_answer(client, monkeypatch, caplog):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "cache": "not used"}
    assert "the database did not answer" in caplog.text


def test_health_answers_plain_http_when_https_redirects_everything_else(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("login")).status_code == 301


def test_health_only_reads(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_liveness_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz_live"))
    assert response.json() == {"status": "alive"}


@pytest.fixture
def redis_down(settings):
    """A Redis nobody listens on (port 1): what the site sees when its Redis stops."""
    from django.core.cache import caches

    from canvas_site import cache as tolerant

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    down = {"BACKEND": "canvas_site.cache.TolerantRedisCache", "LOCATION": settings.REDIS_URL}
    settings.CACHES = {"default": down, "cards": down, "presence": down}
    for alias in ("default", "cards", "presence"):
        caches[alias] = caches.create_connection(alias)
    tolerant._down_until = 0.0
    yield
    tolerant._down_until = 0.0
    for alias in ("default", "cards", "presence"):
        caches[alias] = caches.create_connection(alias)


def test_without_redis_pages_saves_and_pdfs_still_work(redis_down, owner_client, user, caplog):
    from tests.factories import make_block
    from tests.helpers import HTMX

    canvas = make_block(user, segments=1, relationships=1, costs=1)
    assert owner_client.get(reverse("canvas_detail", args=[canvas.pk])).status_code == 200
    segment = canvas.segments.first()
    saved = owner_client.post(
        reverse("segment_edit", args=[segment.pk]),
        {"version": segment.version, "name": "Sin Redis"},
        headers=HTMX,
    )
    assert saved.status_code == 200
    assert "Sin Redis" in saved.text
    assert owner_client.get(reverse("canvas_pdf", args=[canvas.pk])).status_code == 200
    assert "cache unavailable" in caplog.text


def test_without_redis_the_health_check_says_so_and_stays_up(redis_down, client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200  # the server can still serve pages
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_a_page_without_its_database_is_a_back_soon_503(owner_client, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", refuse)
    owner_client.raise_request_exception = False
    response = owner_client.get(reverse("canvas_list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in response.text
