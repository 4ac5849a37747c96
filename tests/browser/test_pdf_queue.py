"""The PDF notice in a browser: the export opens a tab that says the PDF is being prepared,
asks again every second, and opens the PDF once a worker has rendered it."""

import time

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from relationships.sample import create_sample_canvas
from relationships.tasks import render_pdf
from tests.factories import make_user
from tests.relationships.test_pdf_jobs import Queue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("locmem_cache"),
]


@pytest.fixture
def queue(settings, monkeypatch):
    settings.PDF_QUEUE = "celery"
    sent = Queue()
    monkeypatch.setattr(render_pdf, "apply_async", sent.apply_async)
    return sent


def log_in(page, user, language="en"):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
            },
            {"name": "django_language", "value": language, "url": page.base_url},
        ]
    )


def test_the_export_says_it_is_preparing_and_then_opens_the_pdf(page, queue, screenshot_dir):
    owner = make_user("ines")
    canvas = create_sample_canvas(owner)
    log_in(page, owner)
    page.goto(f"{page.base_url}/canvases/{canvas.pk}/")
    export = page.locator("#canvas-export form.pdf-export")
    export.get_by_label("Full report").check()
    with page.context.expect_page() as opened:
        export.get_by_role("button", name="Download PDF").click()
    tab = opened.value
    tab_errors = []

    def console(msg):
        if msg.type == "error":
            tab_errors.append(msg.text)

    tab.on("console", console)
    expect(tab.get_by_role("heading", name="Preparing your PDF")).to_be_visible()
    expect(tab.locator("#pdf-progress")).to_contain_text("in line")
    tab.wait_for_timeout(1500)  # a poll or two: still waiting, still one render queued
    assert len(queue.sent) == 1
    tab.screenshot(path=str(screenshot_dir / "pdf-preparing.png"))
    assert tab_errors == []  # the notice: no script error, no CSP violation
    # The tab's visit to the ready PDF is fetched for real and checked, then shown as plain
    # text: Chromium's own PDF viewer is an extension that can hang the closing of the context.
    opened_pdfs = []

    def open_pdf(route):
        # A download slower than a poll (every second): the page has stopped asking, so the
        # PDF opens once (a slow machine once saw it opened twice).
        time.sleep(1.5)
        response = route.fetch()
        opened_pdfs.append((response.headers.get("content-type"), response.body()[:5]))
        route.fulfill(status=200, content_type="text/plain", body="PDF received")

    tab.route(
        lambda url: "/export.pdf" in url,
        lambda route: (
            open_pdf(route) if route.request.is_navigation_request() else route.continue_()
        ),
    )
    queue.work()
    expect(tab.locator("body")).to_have_text("PDF received")
    assert opened_pdfs == [("application/pdf", b"%PDF-")]
    assert tab.url.endswith("/export.pdf?layout=report&size=a4")
    assert tab_errors == []
    tab.close()
