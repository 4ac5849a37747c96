"""One structured log line per request, and errors with what is needed to act, minus secrets."""

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from canvas_site.logging import JsonFormatter, TextFormatter

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.production.urls")]


def as_json(record) -> dict:
    return json.loads(JsonFormatter().format(record))


def test_every_request_is_logged_with_timing_user_and_id(owner_client, user, caplog):
    caplog.set_level(logging.INFO, logger="canvas.request")
    response = owner_client.get(reverse("canvas_list") + "?secret-query=1")
    [record] = [r for r in caplog.records if r.name == "canvas.request"]
    line = as_json(record)
    assert line["method"] == "GET"
    assert line["path"] == "/"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["user_id"] == user.pk
    assert line["client_ip"] == "127.0.0.1"
    assert line["request_id"] == response["X-Request-ID"]
    assert "secret-query" not in json.dumps(line)


def test_a_sane_request_id_from_the_proxy_is_kept_and_a_forged_one_replaced(client):
    kept = client.get(reverse("healthz"), headers={"X-Request-ID": "lb-1234.abc"})
    assert kept["X-Request-ID"] == "lb-1234.abc"
    forged = client.get(reverse("healthz"), headers={"X-Request-ID": "x\n{evil}" * 20})
    assert forged["X-Request-ID"] != "x\n{evil}" * 20
    assert len(forged["X-Request-ID"]) == 32


def test_an_error_is_logged_with_traceback_and_context_but_no_secrets(user, caplog):
    caplog.set_level(logging.INFO)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.post(
        "/test/broken/?token=query-token-123",
        {"password": "hunter2-password", "csrfmiddlewaretoken": "x"},
        headers={"Authorization": "Bearer header-token-456"},
    )
    assert response.status_code == 500
    formatted = [JsonFormatter().format(r) for r in caplog.records]
    errors = [json.loads(line) for line in formatted if '"ERROR"' in line]
    django_error = next(e for e in errors if e["logger"] == "django.request")
    assert "RuntimeError: the view failed" in django_error["exception"]
    assert django_error["path"] == "/test/broken/"
    assert django_error["method"] == "POST"
    assert django_error["user_id"] == user.pk
    assert django_error["status"] == 500
    access = next(e for e in errors if e["logger"] == "canvas.request")
    assert access["status"] == 500
    assert access["request_id"] == django_error["request_id"] == response["X-Request-ID"]
    everything = "\n".join(formatted) + "\n".join(TextFormatter().format(r) for r in caplog.records)
    for secret in ("hunter2-password", "query-token-123", "header-token-456", "sessionid"):
        assert secret not in everything


def test_a_join_links_code_stays_out_of_the_logs(owner_client, caplog):
    caplog.set_level(logging.INFO, logger="canvas.request")
    owner_client.get(reverse("join_with_code", args=["SECRETCODE42"]))
    owner_client.get("/classes/join/SECRETCODE42")  # redirected to the slash, before resolving
    owner_client.get("/classes/join/s/")  # a code that is also a letter of the path
    lines = [JsonFormatter().format(r) for r in caplog.records]
    lines += [TextFormatter().format(r) for r in caplog.records]
    paths = [json.loads(line)["path"] for line in lines if line.startswith("{")]
    assert paths == ["/classes/join/<code>/", "/classes/join/<code>", "/classes/join/<code>/"]
    assert "SECRETCODE42" not in "\n".join(lines)
