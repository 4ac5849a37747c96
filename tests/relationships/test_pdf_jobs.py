"""PDFs on the job queue: the notice while a PDF is prepared, shared renders, one render per
account, the time limit, and a broker that is down.

The queue is Celery's; here nothing is sent to a broker: what would be sent is kept (after a trip
through JSON, as the broker would carry it) and run when the test says, as a worker would.
"""

import json

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from classrooms.models import Submission
from relationships.pdf import cache as pdf_cache
from relationships.pdf import jobs
from relationships.sample import create_sample_canvas
from relationships.tasks import render_pdf
from relationships.writes import change_block
from tests.classrooms.factories import make_assignment, make_student_submission
from tests.helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_cache")]


class Queue:
    """The renders sent to the queue, which ``work()`` runs as a worker would."""

    def __init__(self) -> None:
        self.sent: list[list] = []

    def apply_async(self, args, **options):
        assert options.get("retry") is False  # a request never waits on the broker
        self.sent.append(json.loads(json.dumps(list(args))))

    def work(self) -> None:
        while self.sent:
            render_pdf.apply(args=self.sent.pop(0))


@pytest.fixture
def queue(settings, monkeypatch):
    settings.PDF_QUEUE = "celery"
    sent = Queue()
    monkeypatch.setattr(render_pdf, "apply_async", sent.apply_async)
    return sent


@pytest.fixture
def sample(user):
    return create_sample_canvas(user)


def url(canvas, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("canvas_pdf", args=[canvas.pk]) + (f"?{query}" if query else "")


def test_a_new_pdf_shows_a_notice_and_then_opens(owner_client, sample, queue):
    page = owner_client.get(url(sample, layout="report"))
    assert page.status_code == 202
    assert "Preparing your PDF" in page.text
    assert "Panadería La Espiga" in page.text
    assert "Full report" in page.text
    assert "private" in page["Cache-Control"]
    assert "no-store" in page["Cache-Control"]
    # the notice asks the same URL again every second, and reloads the page without JavaScript
    assert f'hx-get="{url(sample, layout="report")}"' in page.text
    assert 'hx-trigger="every 1s"' in page.text
    assert '<noscript><meta http-equiv="refresh"' in page.text
    assert len(queue.sent) == 1

    poll = owner_client.get(url(sample, layout="report"), headers=HTMX)
    assert poll.status_code == 200
    assert "in line" in poll.text
    assert "<html" not in poll.text  # the notice alone
    assert len(queue.sent) == 1  # asking again does not queue it again

    queue.work()
    ready = owner_client.get(url(sample, layout="report"), headers=HTMX)
    assert ready["HX-Redirect"] == url(sample, layout="report")
    pdf = owner_client.get(url(sample, layout="report"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 10_000


def test_a_pdf_rendered_before_comes_at_once(owner_client, sample, queue):
    owner_client.get(url(sample))
    queue.work()
    assert owner_client.get(url(sample))["Content-Type"] == "application/pdf"
    assert queue.sent == []
    change_block(sample.pk, lambda: sample.segments.update(name="Vecinos"))  # a new revision
    assert owner_client.get(url(sample)).status_code == 202


def test_identical_requests_share_one_render(client, queue):
    """The student and the teacher of a class ask for the same submission's PDF."""
    submission = make_student_submission(make_assignment())
    student, teacher = Client(), Client()
    student.force_login(submission.student)
    teacher.force_login(submission.assignment.classroom.teacher)
    address = reverse("submission_pdf", args=[submission.pk])
    assert student.get(address).status_code == 202
    assert teacher.get(address).status_code == 202
    assert len(queue.sent) == 1
    queue.work()
    assert teacher.get(address)["Content-Type"] == "application/pdf"
    assert student.get(address)["Content-Type"] == "application/pdf"


def test_an_account_has_one_render_at_a_time(owner_client, sample, queue):
    owner_client.get(url(sample, layout="report"))
    second = owner_client.get(url(sample, size="wide"))
    assert second.status_code == 202
    assert "Another PDF of yours is being prepared first" in second.text
    assert 'hx-trigger="every 1s"' in second.text  # it keeps asking
    assert len(queue.sent) == 1
    queue.work()
    owner_client.get(url(sample, size="wide"), headers=HTMX)  # its turn now
    assert len(queue.sent) == 1
    assert queue.sent[0][2] == "wide"


def test_a_render_past_the_time_limit_says_so(owner_client, sample, queue, monkeypatch):
    def too_slow(self):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(pdf_cache.PdfExport, "render", too_slow)
    owner_client.get(url(sample, layout="report"))
    queue.work()
    notice = owner_client.get(url(sample, layout="report"), headers=HTMX)
    assert "took longer than 60 seconds" in notice.text
    assert "hx-trigger" not in notice.text  # nothing more to wait for
    assert "Try again" in notice.text
    assert queue.sent == []
    monkeypatch.undo()  # the account may ask for another PDF at once
    render_free = owner_client.get(url(sample))
    assert "Another PDF of yours" not in render_free.text


def test_a_broken_render_says_so_and_is_logged(owner_client, sample, queue, monkeypatch, caplog):
    def broken(self):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(pdf_cache.PdfExport, "render", broken)
    owner_client.get(url(sample))
    queue.work()
    notice = owner_client.get(url(sample), headers=HTMX)
    assert notice.status_code == 200
    assert "Something went wrong while preparing this PDF" in notice.text
    assert "PDF render failed" in caplog.text


def test_a_canvas_deleted_while_waiting_ends_its_job(owner_client, sample, queue):
    address = url(sample)
    owner_client.get(address)
    sample.delete()
    queue.work()  # no error in the worker
    assert owner_client.get(address).status_code == 404


def test_with_the_broker_down_the_pdf_is_rendered_in_process(
    owner_client, sample, settings, monkeypatch, caplog
):
    settings.PDF_QUEUE = "celery"

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_pdf, "apply_async", unreachable)
    response = owner_client.get(url(sample))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "rendering in the web process" in caplog.text
    assert owner_client.get(url(sample)).status_code == 200  # and then from the cache


@pytest.mark.usefixtures("still_throttle_clock")
def test_a_spent_budget_stops_the_notice_asking(owner_client, sample, queue, settings, monkeypatch):
    settings.PDF_RENDER_BUDGET = "1/m"
    monkeypatch.setattr(jobs, "stopwatch", iter(range(0, 100, 5)).__next__)  # 5 s a render
    owner_client.get(url(sample))
    queue.work()
    assert owner_client.get(url(sample, size="wide")).status_code == 429
    notice = owner_client.get(url(sample, size="wide"), headers=HTMX)
    assert "You have prepared many PDFs in a short time" in notice.text
    assert "hx-trigger" not in notice.text
    assert owner_client.get(url(sample))["Content-Type"] == "application/pdf"  # kept ones come


def test_the_notice_is_in_spanish_for_a_spanish_reader(client, user, sample, queue):
    client.force_login(user)
    client.cookies["django_language"] = "es"
    page = client.get(url(sample), headers={"Accept-Language": "es"})
    assert page.status_code == 202
    assert 'lang="es"' in page.text
    assert "Preparando tu PDF" in page.text
    assert queue.sent[0][3] == "es"  # and the worker renders it in Spanish


def test_each_source_rebuilds_the_same_export(sample):
    submission = make_student_submission(make_assignment())
    for asked in [
        pdf_cache.PdfExport.of_canvas(sample, OPTIONS),
        pdf_cache.PdfExport.of_submission(Submission.objects.get(pk=submission.pk), OPTIONS),
    ]:
        again = pdf_cache.PdfExport.from_source(asked.source, OPTIONS, asked.language)
        assert again.key == asked.key
        assert again.filename == asked.filename


OPTIONS = pdf_cache.PdfOptions(layout="report", size="wide")


def test_a_worker_killed_mid_render_frees_the_account(owner_client, sample, queue, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(jobs, "now", lambda: clock[0])
    owner_client.get(url(sample, layout="report"))
    _source, _layout, _size, _language, key, _who = queue.sent.pop()
    jobs.started(key)  # a worker took it, and was killed at its hard time limit
    assert "being laid out" in owner_client.get(url(sample, layout="report"), headers=HTMX).text
    assert "Another PDF of yours" in owner_client.get(url(sample, size="wide")).text
    clock[0] += 60 + 16  # past the time limit and the grace the worker had to say so
    notice = owner_client.get(url(sample, layout="report"), headers=HTMX)
    assert "took longer than 60 seconds" in notice.text
    assert owner_client.get(url(sample, size="wide")).status_code == 202
    assert queue.sent[0][2] == "wide"  # the account's next PDF went on the queue


def test_a_broken_render_in_process_is_a_notice_not_a_server_error(
    owner_client, sample, monkeypatch, caplog
):
    def broken(self):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(pdf_cache.PdfExport, "render", broken)
    response = owner_client.get(url(sample))
    assert response.status_code == 200  # an answer: nothing to come back for
    assert "Something went wrong while preparing this PDF" in response.text
    assert "Try again" in response.text
    assert "PDF render failed" in caplog.text


def test_a_long_wait_for_a_worker_says_so(owner_client, sample, queue, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(jobs, "now", lambda: clock[0])
    owner_client.get(url(sample))
    clock[0] += 25  # no worker has taken it yet
    notice = owner_client.get(url(sample), headers=HTMX)
    assert "still in line" in notice.text
    assert 'hx-trigger="every 1s"' in notice.text  # and it goes on asking
    assert len(queue.sent) == 1
