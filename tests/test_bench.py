"""`make bench`: its commands print their figures and leave the database as it was."""

import logging
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from classrooms.models import Classroom
from relationships.models import Canvas

pytestmark = pytest.mark.django_db


def _run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_dashboard_bench_prints_time_and_queries_and_keeps_nothing(settings):
    settings.ALLOWED_HOSTS = ["localhost"]  # as under DEBUG=1: the test client's host is not listed
    level = logging.getLogger("canvas.request").level

    output = _run("bench_dashboard", students=5, runs=3)

    assert re.search(
        r"assignment dashboard, 5 students: median [\d.]+ ms drawn anew .*, [\d.]+ ms as kept"
        r" .* \d+ queries",
        output,
    )
    assert logging.getLogger("canvas.request").level == level  # the request log is back on
    assert not get_user_model().objects.exists()
    assert not Classroom.objects.exists()


def test_pdf_bench_prints_each_canvas_against_weasyprint_alone_and_keeps_nothing():
    output = _run("bench_pdf", runs=1)

    assert re.search(r"^Fonts subset by (HarfBuzz|fontTools)", output, re.M), output
    for canvas in ("sample", "large 10x7x3"):
        assert re.search(
            rf"{canvas} \(pitch\): export median \d+ ms, WeasyPrint alone \d+ ms, ratio [\d.]+"
            r" .*cached export [\d.]+ ms",
            output,
        ), output
    assert not Canvas.objects.exists()
