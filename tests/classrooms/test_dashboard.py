import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classrooms import roster
from classrooms.models import Classroom, Membership, Submission
from classrooms.roster import PAGE_SIZE
from relationships.document import canvas_document
from relationships.models import Canvas
from relationships.sample import create_sample_canvas
from tests.classrooms.factories import make_assignment, make_student_submission

pytestmark = pytest.mark.django_db
DASH = "\N{EN DASH}"  # between the first and the last row of a page


def fill_class(assignment, students: int) -> None:
    """``students`` members; every other one hands in a copy of one sample snapshot."""
    User = get_user_model()
    start = User.objects.count()
    users = User.objects.bulk_create(User(username=f"student{start + i}") for i in range(students))
    Membership.objects.bulk_create(
        Membership(classroom=assignment.classroom, student=u) for u in users
    )
    canvas = create_sample_canvas(users[0])
    document = canvas_document(Canvas.objects.with_block().get(pk=canvas.pk))
    Submission.objects.bulk_create(
        Submission(assignment=assignment, student=u, document=document, completeness_score=i % 100)
        for i, u in enumerate(users[::2])
    )


def dashboard_queries(client, assignment, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("assignment_dashboard", args=[assignment.pk]), params)
    assert response.status_code == 200
    return len(queries), response.text


def test_dashboard_query_count_is_flat_from_2_to_1000_students(teacher_client, classroom):
    counts, pages = [], []
    teacher_client.get(reverse("class_list"))  # the session seen: its user comes with it
    for size in (2, 200, 1000):
        big_class = Classroom.objects.create(name=f"Class of {size}", teacher=classroom.teacher)
        assignment = make_assignment(big_class)
        fill_class(assignment, size)
        count, page = dashboard_queries(teacher_client, assignment)
        counts.append(count)
        pages.append(page)
    assert counts[0] == counts[1] == counts[2]
    assert pages[1].count('<tr class="row-') == 200  # a class of 200 on one page
    assert 'rel="next"' not in pages[1]
    assert pages[2].count('<tr class="row-') == PAGE_SIZE  # a bigger one a page at a time
    assert f"1{DASH}{PAGE_SIZE} of 1000" in pages[2]


def test_dashboard_filters_and_sorts(teacher_client, assignment):
    waiting = make_student_submission(assignment, "zoe")
    approved = make_student_submission(assignment, "adam")
    approved.set_verdict(Submission.Status.APPROVED, "", assignment.classroom.teacher)
    assignment.classroom.join(get_user_model().objects.create(username="nobody"))

    _, page = dashboard_queries(teacher_client, assignment, status="approved")
    assert "adam" in page
    assert "zoe" not in page
    assert "nobody" not in page
    _, page = dashboard_queries(teacher_client, assignment, status="not_submitted")
    assert "nobody" in page
    assert "adam" not in page
    _, page = dashboard_queries(teacher_client, assignment, sort="-student")
    assert page.index("zoe") < page.index("nobody") < page.index("adam")
    # Status follows the way of a submission, not the alphabet.
    _, page = dashboard_queries(teacher_client, assignment, sort="status")
    assert page.index("nobody") < page.index("zoe") < page.index("adam")
    # zoe's submission is bigger and late; nobody has none: each column puts them in order.
    Submission.objects.filter(pk=waiting.pk).update(
        segment_count=9, relationship_count=9, completeness_score=99, is_late=True
    )
    for column in ("segments", "relationships", "score", "late"):
        _, page = dashboard_queries(teacher_client, assignment, sort=f"-{column}")
        assert page.index("zoe") < page.index("adam") < page.index("nobody"), column
        _, page = dashboard_queries(teacher_client, assignment, sort=column)
        assert page.index("nobody") < page.index("adam") < page.index("zoe"), column
    _, page = dashboard_queries(teacher_client, assignment, sort="nonsense", status="bogus")
    assert waiting.student.username in page


def test_the_dashboard_reads_in_spanish(teacher, assignment):
    make_student_submission(assignment, "ana")
    headings = {}
    for language in ("es", "en"):
        client = Client()
        client.cookies["django_language"] = language
        client.force_login(teacher)
        page = client.get(reverse("assignment_dashboard", args=[assignment.pk])).text
        headings[language] = re.findall(r'<th scope="col"[^>]*><a [^>]*>([^<]+)</a>', page)
    assert len(headings["es"]) == len(headings["en"]) == 9
    assert headings["es"][0] == "Estudiante"
    untranslated = [es for es, en in zip(headings["es"], headings["en"], strict=True) if es == en]
    assert untranslated == []


def row_names(page: str) -> list[str]:
    """The students of the dashboard's rows, top to bottom."""
    return re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]+)', page)


def test_the_filters_count_the_whole_class_and_late_only_keeps_the_late(teacher_client, assignment):
    make_student_submission(assignment, "zoe")
    late = make_student_submission(assignment, "adam")
    Submission.objects.filter(pk=late.pk).update(is_late=True)
    assignment.classroom.join(get_user_model().objects.create(username="nobody"))

    _, page = dashboard_queries(teacher_client, assignment, status="submitted", late="1")
    assert row_names(page) == ["adam"]
    # The counts beside each status are the class's, whatever the filters show.
    assert "Not submitted (1)</option>" in page
    assert '<option value="submitted" selected>Waiting for review (2)</option>' in page
    assert "Approved (0)</option>" in page
    assert 'name="late" value="1" checked' in page


def test_the_dashboard_says_which_column_it_is_sorted_by(teacher_client, assignment):
    for name in ("cai", "Ana", "ben"):
        make_student_submission(assignment, name)
    _, page = dashboard_queries(teacher_client, assignment)
    assert row_names(page) == ["Ana", "ben", "cai"]  # by name, whatever the case
    assert re.findall(r'aria-sort="(\w+)"><a href="\?sort=-student"', page) == ["ascending"]
    _, page = dashboard_queries(teacher_client, assignment, sort="-student", status="submitted")
    assert row_names(page) == ["cai", "ben", "Ana"]
    # The heading's link sorts the other way and keeps the filter.
    assert 'aria-sort="descending"><a href="?sort=student&amp;status=submitted"' in page
    _, page = dashboard_queries(teacher_client, assignment, sort="nonsense")
    assert row_names(page) == ["Ana", "ben", "cai"]
    assert 'name="sort" value="student"' in page


def test_the_review_queue_is_each_current_students_newest_waiting_submission(assignment):
    ana = make_student_submission(assignment, "ana")
    ben = make_student_submission(assignment, "ben")
    cai = make_student_submission(assignment, "cai")
    approved = make_student_submission(assignment, "dan")
    approved.set_verdict(Submission.Status.APPROVED, "", assignment.classroom.teacher)
    ana_again = assignment.submit(ana.student, ana.canvas)
    assignment.classroom.memberships.filter(student=cai.student).update(removed_at=timezone.now())

    queue = Submission.objects.waiting_for_review(assignment)
    assert list(queue) == [ben, ana_again]  # in the order they were handed in
    assert queue.next_after(None) == ben
    assert queue.next_after(ben) == ana_again
    assert queue.next_after(ana_again) == ben  # round again
    assert queue.filter(pk=ben.pk).next_after(ben) is None  # nobody else waits


def hrefs(page: str, rel: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(rf'<a href="([^"]*)" rel="{rel}">', page)]


def test_a_big_class_comes_a_page_at_a_time_in_the_order_and_filters_asked(
    teacher_client, assignment, monkeypatch
):
    monkeypatch.setattr(roster, "PAGE_SIZE", 2)
    for name in ("ana", "ben", "cai", "dan", "eva"):
        make_student_submission(assignment, name)
    assignment.classroom.join(get_user_model().objects.create(username="nobody"))
    url = reverse("assignment_dashboard", args=[assignment.pk])

    page = teacher_client.get(url, {"sort": "-student", "status": "submitted"}).text
    assert row_names(page) == ["eva", "dan"]
    assert f"1{DASH}2 of 5" in page
    assert hrefs(page, "prev") == []
    # Both links of the page (above the table and under it) go on, keeping the order and filter.
    assert hrefs(page, "next") == ["?sort=-student&status=submitted&page=2"] * 2
    page = teacher_client.get(url + hrefs(page, "next")[0]).text
    assert row_names(page) == ["cai", "ben"]
    assert hrefs(page, "prev") == ["?sort=-student&status=submitted&page=1"] * 2
    # Sorting anew starts from the first page; the filter form has no page to keep.
    assert 'href="?sort=student&amp;status=submitted"' in page
    assert 'name="page"' not in page
    page = teacher_client.get(url + hrefs(page, "next")[0]).text
    assert row_names(page) == ["ana"]
    assert f"5{DASH}5 of 5" in page
    assert hrefs(page, "next") == []
    # Whatever is not a page number shows the first page; past the end, the last.
    assert row_names(teacher_client.get(url, {"page": "x"}).text) == ["ana", "ben"]
    assert row_names(teacher_client.get(url, {"page": "99"}).text) == ["eva", "nobody"]
    # The counts beside each status are still the whole class's.
    assert '<option value="submitted" selected>Waiting for review (5)</option>' in page
    assert "Not submitted (1)</option>" in page


def test_a_student_is_found_by_part_of_their_name(teacher_client, assignment):
    for name in ("Maria", "Mario", "Ana"):
        make_student_submission(assignment, name)
    url = reverse("assignment_dashboard", args=[assignment.pk])
    page = teacher_client.get(url, {"name": "  mari "}).text
    assert row_names(page) == ["Maria", "Mario"]
    assert 'name="name" value="mari"' in page
    assert row_names(teacher_client.get(url, {"name": "zzz"}).text) == []


def test_an_empty_dashboard_says_why_it_is_empty(teacher_client, assignment):
    """No student yet is not "nobody matches this filter": no filter was asked for."""
    url = reverse("assignment_dashboard", args=[assignment.pk])
    page = teacher_client.get(url).text
    assert "No student has joined the class yet" in page
    assert "matches this filter" not in page
    make_student_submission(assignment, "Maria")
    page = teacher_client.get(url, {"name": "zzz"}).text
    assert "Nobody matches this filter." in page
    assert "No student has joined the class yet" not in page


def test_the_table_as_drawn_last_follows_every_change_of_a_row(teacher_client, assignment):
    """The table is kept by all it shows: a verdict, a new student's hand-in and another
    order each show at once, and the same rows come back as they were."""
    url = reverse("assignment_dashboard", args=[assignment.pk])
    ana = make_student_submission(assignment, "ana")
    first = teacher_client.get(url).text
    assert "Waiting for review" in first

    ana.status = Submission.Status.APPROVED
    ana.save(update_fields=["status"])
    approved = teacher_client.get(url).text
    assert '<span class="badge status-approved">Approved</span>' in approved

    make_student_submission(assignment, "bruno")
    page = teacher_client.get(url).text
    assert row_names(page) == ["ana", "bruno"]

    reversed_page = teacher_client.get(url, {"sort": "-student"}).text
    assert row_names(reversed_page) == ["bruno", "ana"]
    again = teacher_client.get(url).text
    assert table(again) == table(page)


def table(page: str) -> str:
    return re.search(r'<table class="dashboard striped">.*?</table>', page, re.S).group(0)
