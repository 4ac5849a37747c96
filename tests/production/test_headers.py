"""Security headers on every page, and an htmx set-up that needs no unsafe CSP source."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import make_block

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (p.strip() for p in header.split(";"))
        if part
    }


@pytest.fixture
def pages(owner_client, user):
    canvas = make_block(user, segments=1, relationships=1, costs=1)
    return [
        owner_client.get(reverse("canvas_list")),
        owner_client.get(reverse("canvas_detail", args=[canvas.pk])),
        Client().get(reverse("login")),
    ]


def test_every_page_sends_the_security_headers(pages):
    for response in pages:
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_is_strict(pages):
    for response in pages:
        directives = csp_directives(response)
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["form-action"] == "'self'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_pages_hold_no_inline_script_style_or_handler(pages):
    for response in pages:
        html = response.text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
        assert not re.search(r"<style\b", html), "inline <style>"
        assert not re.search(r"\sstyle=", html), "style attribute"
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"
        assert not re.search(r"\shx-on", html), "hx-on needs eval"


def test_htmx_is_configured_for_the_csp(pages):
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', pages[0].text)
    assert config is not None
    assert '"allowEval": false' in config[1]
    assert '"includeIndicatorStyles": false' in config[1]
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert ".htmx-indicator" in css  # the styles htmx would otherwise inject inline


def test_no_template_uses_hx_on_or_inline_code():
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        text = template.read_text()
        assert "hx-on" not in text, template
        assert not re.search(r"\son(click|change|submit|load|input)=", text), template


def test_no_hsts_over_plain_http(client):
    response = client.get(reverse("login"))
    assert "Strict-Transport-Security" not in response


def test_hsts_over_https(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = Client().get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_plain_http_is_redirected_to_https_when_https_is_on(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_logged_in_pages_are_kept_by_no_cache_and_vary_on_htmx(owner_client, user):
    canvas = make_block(user, segments=1, relationships=1, costs=1)
    page = owner_client.get(reverse("canvas_detail", args=[canvas.pk]))
    assert page["Cache-Control"] == "private, no-store"
    assert "HX-Request" in page["Vary"]
    fragment = owner_client.get(
        reverse("relationship_detail", args=[canvas.segments.first().relationships.first().pk]),
        headers={"HX-Request": "true"},
    )
    assert "HX-Request" in fragment["Vary"]
    assert fragment["Cache-Control"] == "private, no-store"


def test_a_pdf_keeps_its_own_caching(owner_client, user):
    canvas = make_block(user, segments=1, relationships=1, costs=1)
    pdf = owner_client.get(reverse("canvas_pdf", args=[canvas.pk]))
    assert "no-cache" in pdf["Cache-Control"]
    assert "no-store" not in pdf["Cache-Control"]  # its ETag answers a 304
    assert "HX-Request" in Client().get(reverse("login"))["Vary"]
