"""A submission reads as a Block: its PDF, the diff of two, the class-wide gaps, query counts."""

import io
import re
from datetime import UTC
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from classrooms.models import Comment, Submission
from classrooms.review import class_gaps, diff_documents
from relationships.block import Block
from relationships.completeness import Rule
from relationships.models import Canvas
from relationships.sample import create_sample_canvas
from relationships.writes import change_block
from tests.classrooms.factories import make_student_submission
from tests.factories import (
    make_block,
    make_canvas,
    make_cost,
    make_relationship,
    make_segment,
    make_user,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(locmem_cache):
    """Every test here starts with no PDF in the cache."""


@pytest.fixture
def submission(assignment):
    return make_student_submission(assignment, "ana")


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- the PDF of a submission --------------------------------------------------------------


def test_the_pdf_of_a_submission_shows_what_was_handed_in_after_the_canvas_changed(
    teacher_client, submission
):
    canvas = Canvas.objects.get(pk=submission.canvas_id)
    segment = canvas.segments.first()
    segment.name = "Renamed after handing in"
    change_block(canvas.pk, segment.save)
    url = reverse("submission_pdf", args=[submission.pk])
    for client in (teacher_client, client_for(submission.student)):
        text = pdf_text(client.get(url, {"layout": "report"}))
        assert "Familias del barrio" in text
        assert "Renamed after handing in" not in text
    live = client_for(submission.student).get(reverse("canvas_pdf", args=[canvas.pk]))
    assert "Renamed after handing in" in pdf_text(live)


def test_a_submissions_pdf_says_when_it_was_handed_in(teacher_client, submission):
    from datetime import datetime

    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=datetime(2026, 11, 28, 10, tzinfo=UTC)
    )
    text = pdf_text(teacher_client.get(reverse("submission_pdf", args=[submission.pk])))
    assert "Handed in Nov. 28, 2026" in " ".join(text.split())
    assert "Last change" not in text


def test_a_stranger_or_another_student_gets_a_404_for_a_submissions_pdf(assignment, submission):
    other = make_student_submission(assignment, "ben")
    url = reverse("submission_pdf", args=[submission.pk])
    assert client_for(other.student).get(url).status_code == 404
    assert client_for(make_user("stranger")).get(url).status_code == 404
    assert client_for().get(url).status_code == 302  # to the log-in page


def test_review_and_feedback_pages_link_to_the_submissions_pdf(teacher_client, submission):
    url = reverse("submission_pdf", args=[submission.pk])
    review = teacher_client.get(reverse("submission_review", args=[submission.pk]))
    feedback = client_for(submission.student).get(
        reverse("submission_feedback", args=[submission.pk])
    )
    assert f'action="{url}"' in review.text
    assert f'action="{url}"' in feedback.text


def test_a_submissions_pdf_is_rendered_once_then_cached(teacher_client, submission):
    url = reverse("submission_pdf", args=[submission.pk])
    first = teacher_client.get(url)
    again = teacher_client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


# --- what changed -------------------------------------------------------------------------


def test_the_diff_covers_the_venture_and_its_answers_with_before_and_after():
    canvas = create_sample_canvas(make_user())
    before = Block.load(canvas.pk).document
    Canvas.objects.filter(pk=canvas.pk).update(
        business_fit="La furgoneta reparte también a las oficinas.", currency="USD"
    )
    after = Block.load(canvas.pk).document
    (change,) = diff_documents(before, after)
    assert (change.kind, change.what, change.anchor) == ("changed", "canvas", "canvas-header")
    fields = {f.name: f for f in change.fields}
    assert set(fields) == {"business_fit", "currency"}
    assert fields["business_fit"].before.startswith("La suscripción y el reparto")
    assert fields["business_fit"].after == "La furgoneta reparte también a las oficinas."
    assert (fields["currency"].before, fields["currency"].after) == ("Euro", "US dollar")


def test_the_review_page_says_the_answer_changed_in_words(teacher_client, teacher, assignment):
    first = make_student_submission(assignment, "ana")
    first.set_verdict(Submission.Status.CHANGES_REQUESTED, "Explain the fit", teacher)
    Canvas.objects.filter(pk=first.canvas_id).update(market_effect="Ser la panadería del barrio.")
    second = assignment.submit(first.student, Canvas.objects.get(pk=first.canvas_id))
    page = teacher_client.get(reverse("submission_review", args=[second.pk])).text
    assert "Nothing changed in the block" not in page
    assert "Venture and block answers changed" in page
    assert "Effect wanted on the market" in page
    assert "Ser la panadería del barrio." in page


def test_a_changed_number_and_goals_read_as_the_student_typed_them():
    canvas = make_canvas()
    segment = make_segment(canvas, name="Oficinas", customer_count=1200)
    relationship = make_relationship(segment, goals=("acquisition",))
    before = Block.load(canvas.pk).document
    segment.customer_count = 1500
    segment.save()
    relationship.goals = ["acquisition", "retention"]
    relationship.save()
    changes = diff_documents(before, Block.load(canvas.pk).document)
    shown = {(f.name, f.before, f.after) for change in changes for f in change.fields}
    assert ("customer_count", "1,200", "1,500") in shown
    assert ("goals", "Acquisition", "Acquisition, Retention") in shown


# --- what the class tends to miss ---------------------------------------------------------


def test_class_gaps_count_the_rules_each_students_list_shows():
    full = Block.load(make_block(segments=1, relationships=1, costs=1).pk)
    no_cost = Block.load(make_block(segments=1, relationships=2, costs=0).pk)
    empty = Block.from_document({**full.document, "segments": [], "market_effect": ""})
    gaps = {gap.rule: gap.count for gap in class_gaps([full, no_cost, empty])}
    assert gaps == {
        Rule.RELATIONSHIP_COST: 1,
        Rule.FIRST_SEGMENT: 1,
        Rule.MARKET_EFFECT: 1,
    }
    for rule, count in gaps.items():
        assert count == sum(
            1 for b in (full, no_cost, empty) if rule in b.completeness.broken_rules
        )


def test_the_class_page_does_not_count_an_unused_type_as_a_weakness(
    teacher_client, classroom, assignment
):
    make_student_submission(assignment, "ana")
    make_student_submission(assignment, "ben")
    page = teacher_client.get(reverse("class_detail", args=[classroom.pk])).text
    assert "co-creation" not in page.lower()
    assert "2 of 2 do not estimate what some segment is worth" not in page


# --- query counts -------------------------------------------------------------------------


def _commented_submission(assignment, username, segments):
    student = make_user(username)
    assignment.classroom.join(student)
    submission = assignment.submit(
        student, make_block(student, segments=segments, relationships=3, costs=2)
    )
    for anchor in submission.block.anchors:
        Comment.objects.create(submission=submission, author=None, anchor=anchor, body="Bien")
    return submission


@pytest.mark.parametrize("segments", [1, 8])
def test_the_review_page_takes_the_same_queries_whatever_the_size(
    teacher_client, assignment, django_assert_num_queries, segments
):
    submission = _commented_submission(assignment, f"s{segments}", segments)
    # session, user, submission, comments, previous reviewed, rubric, comment bank,
    # next waiting (handed in later, else the first), unread badge
    with django_assert_num_queries(10):
        page = teacher_client.get(reverse("submission_review", args=[submission.pk]))
    assert page.text.count('class="relationship-card') == segments * 3


@pytest.mark.parametrize("segments", [1, 8])
def test_the_feedback_page_takes_the_same_queries_whatever_the_size(
    assignment, django_assert_num_queries, segments
):
    submission = _commented_submission(assignment, f"s{segments}", segments)
    client = client_for(submission.student)
    # session, user, submission, comments, rubric, unread badge
    with django_assert_num_queries(6):
        page = client.get(reverse("submission_feedback", args=[submission.pk]))
    assert page.text.count('class="relationship-card') == segments * 3


def test_an_added_or_removed_cost_says_how_much_and_where():
    canvas = make_canvas()
    relationship = make_relationship(make_segment(canvas, name="Offices"))
    before = Block.load(canvas.pk).document
    make_cost(relationship, label="App upkeep", amount="150", frequency="monthly")
    (added,) = diff_documents(before, Block.load(canvas.pk).document)
    assert (added.kind, added.what, added.label) == ("added", "cost", "App upkeep")
    assert added.within == "Personal assistance · Offices"
    assert {(f.name, f.after) for f in added.fields} == {
        ("amount", "€150.00"),
        ("frequency", "Per month"),
    }
    (removed,) = diff_documents(Block.load(canvas.pk).document, before)
    assert {(f.name, f.before) for f in removed.fields} == {
        ("amount", "€150.00"),
        ("frequency", "Per month"),
    }


def test_a_change_at_the_end_of_a_long_answer_is_shown_not_cut_off():
    opening = "La ruta de reparto sirve a todos. " * 12
    canvas = make_canvas(business_fit=opening + "Sin coste extra.")
    before = Block.load(canvas.pk).document
    Canvas.objects.filter(pk=canvas.pk).update(business_fit=opening + "Cuesta 200 € al mes.")
    (change,) = diff_documents(before, Block.load(canvas.pk).document)
    (answer,) = change.fields
    assert answer.before.startswith("…")
    assert answer.before.endswith("Sin coste extra.")
    assert answer.after.endswith("Cuesta 200 € al mes.")


def test_a_changed_amount_reads_as_money():
    canvas = make_canvas()
    cost = make_cost(make_relationship(make_segment(canvas)), amount="1200")
    before = Block.load(canvas.pk).document
    cost.amount = Decimal("2400")
    cost.save()
    (change,) = diff_documents(before, Block.load(canvas.pk).document)
    assert [(f.name, f.before, f.after) for f in change.fields] == [
        ("amount", "€1,200.00", "€2,400.00")
    ]


def test_class_gaps_count_the_viability_rules_too():
    costly = make_block(segments=1, relationships=1, costs=0)
    make_cost(costly.segments.first().relationships.first(), amount="90000")  # 1.08 M a year
    blocks = [Block.load(costly.pk), Block.load(make_block(segments=1, relationships=1).pk)]
    gaps = {gap.rule: gap for gap in class_gaps(blocks)}
    assert gaps["costs_more_than_value"].count == 1
    assert gaps["costs_more_than_value"].text == (
        "have a segment whose relationships cost more than it brings"
    )


def test_the_dashboard_offers_the_next_review_only_when_one_is_waiting(
    teacher_client, teacher, assignment, submission
):
    url = reverse("assignment_dashboard", args=[assignment.pk])
    assert "Review the next submission" in teacher_client.get(url).text
    submission.set_verdict(Submission.Status.APPROVED, "", teacher)
    page = teacher_client.get(url).text
    assert "Review the next submission" not in page
    assert "Nothing is waiting for review." in page


def test_the_dashboard_counts_each_hand_ins_viability_warnings(teacher_client, assignment):
    student = make_user("lia")
    assignment.classroom.join(student)
    canvas = make_block(student, segments=1, relationships=1, costs=0)
    make_cost(canvas.segments.first().relationships.first(), amount="90000")
    submission = assignment.submit(student, canvas)
    assert submission.viability_warnings == 1
    page = teacher_client.get(
        reverse("assignment_dashboard", args=[assignment.pk]), {"sort": "-warnings"}
    ).text
    assert '<span class="badge warn">1</span>' in page


def test_a_new_horizon_is_in_what_changed_and_an_old_document_is_read_with_the_default():
    canvas = make_canvas()
    before = Block.load(canvas.pk).document
    older = {k: v for k, v in before.items() if k != "horizon_years"}  # from before the setting
    assert diff_documents(older, before) == []
    Canvas.objects.filter(pk=canvas.pk).update(horizon_years=5)
    (change,) = diff_documents(older, Block.load(canvas.pk).document)
    assert [(f.name, f.before, f.after) for f in change.fields] == [("horizon_years", "3", "5")]


def test_the_review_page_in_spanish_tells_the_teacher_what_is_left_not_what_they_have_left(
    teacher_client, assignment
):
    """The completeness list is the student's, read by the teacher: no "te quedan" (you have
    left) in its heading."""
    submission = make_student_submission(assignment, "ana")
    teacher_client.cookies["django_language"] = "es"
    page = teacher_client.get(reverse("submission_review", args=[submission.pk])).text
    assert re.search(r"Quedan? \d+ tareas? pendientes?", page)
    assert "Te qued" not in page
