"""Print the server time of the assignment dashboard for a class of 200 students (``--students``):
with its table drawn anew (the first view after a change) and as kept (``relationships.cards``).

Also its queries (as many for 2 students as for 1,000) and the size of the page it sends: a
bigger class comes a page of ``classrooms.roster.PAGE_SIZE`` rows at a time.
"""

import logging
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from classrooms.models import Assignment, Classroom, Membership, Submission
from relationships.cards import forget_recent
from relationships.document import canvas_document
from relationships.models import Canvas
from relationships.sample import create_sample_canvas


class Command(BaseCommand):
    help = "Benchmark the assignment dashboard of a class of 200 students (nothing is left)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--students", type=int, default=200)
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, students: int, runs: int, **options) -> None:
        request_log = logging.getLogger("canvas.request")
        level = request_log.level
        request_log.setLevel(logging.WARNING)  # not a line per request
        # The test client calls itself "testserver", a host the settings do not list.
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        try:
            with transaction.atomic(), override_settings(ALLOWED_HOSTS=hosts):
                self._bench(students, runs)
                transaction.set_rollback(True)  # leave the database as it was
        finally:
            request_log.setLevel(level)

    def _bench(self, students: int, runs: int) -> None:
        User = get_user_model()
        teacher = User.objects.create_user("bench-teacher")
        classroom = Classroom.objects.create(name="Bench", teacher=teacher)
        assignment = Assignment.objects.create(
            classroom=classroom, title="Bench", due_at=timezone.now()
        )
        users = User.objects.bulk_create(
            User(username=f"bench-student-{i}") for i in range(students)
        )
        Membership.objects.bulk_create(Membership(classroom=classroom, student=u) for u in users)
        canvas = create_sample_canvas(users[0])
        document = canvas_document(Canvas.objects.with_block().get(pk=canvas.pk))
        Submission.objects.bulk_create(
            Submission(assignment=assignment, student=u, document=document) for u in users
        )
        client = Client()
        client.force_login(teacher)
        url = reverse("assignment_dashboard", args=[assignment.pk])
        client.get(url)  # warm up
        drawn, timings = [], []
        for _ in range(runs):  # the table drawn anew: the first view after a change
            caches["cards"].clear()
            forget_recent()
            start = time.perf_counter()
            response = client.get(url)
            drawn.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        for _ in range(runs):  # the table as drawn last: nothing changed since
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        rows = response.content.count(b'<tr class="row-')
        self.stdout.write(
            f"assignment dashboard, {students} students:"
            f" median {statistics.median(drawn):.1f} ms drawn anew"
            f" (p90 {statistics.quantiles(drawn, n=10)[-1]:.1f}),"
            f" {statistics.median(timings):.1f} ms as kept"
            f" (p90 {statistics.quantiles(timings, n=10)[-1]:.1f}), {len(queries)} queries"
            f" ({connection.vendor}), {rows} rows in {len(response.content) / 1024:.0f} KiB"
        )
