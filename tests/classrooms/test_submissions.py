import math
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from classrooms.forms import choice_labels
from classrooms.models import Submission
from classrooms.review import diff_documents
from relationships.models import MAX_AMOUNT, Canvas, CostItem
from relationships.sample import create_sample_canvas
from tests.classrooms.factories import make_assignment
from tests.factories import make_canvas, make_cost, make_relationship, make_segment, make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(classroom):
    student = make_user("ana")
    classroom.join(student)
    return student


def test_handing_in_freezes_the_canvas(client, student, assignment):
    canvas = create_sample_canvas(student)
    client.force_login(student)
    client.post(reverse("assignment_submit", args=[assignment.pk]), {"canvas": canvas.pk})
    submission = Submission.objects.get(student=student)
    assert submission.document["title"] == canvas.title
    assert submission.yearly_cost == Decimal("26400.00")

    # The student keeps editing; the snapshot does not move.
    segment = canvas.segments.first()
    segment.name = "Renamed later"
    segment.save()
    submission.refresh_from_db()
    assert submission.block.segments[0].name == "Familias del barrio"
    assert not submission.is_late


def test_a_yearly_cost_of_two_trillion_is_handed_in_and_stored_to_the_cent(
    teacher, student, assignment
):
    # Each cost is at most MAX_AMOUNT a month: this many of them make about 2 x 10^12 a year.
    costs = math.ceil(Decimal(2 * 10**12) / (MAX_AMOUNT * 12))
    canvas = make_canvas(student, title="Big spender")
    first = make_cost(make_relationship(make_segment(canvas)), amount=MAX_AMOUNT)
    CostItem.objects.bulk_create(
        CostItem(
            relationship=first.relationship,
            label=f"Cost {i}",
            amount=MAX_AMOUNT,
            frequency=CostItem.Frequency.MONTHLY,
        )
        for i in range(costs - 1)
    )
    student_client, teacher_client = Client(), Client()
    student_client.force_login(student)
    response = student_client.post(
        reverse("assignment_submit", args=[assignment.pk]),
        {"canvas": canvas.pk},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert "Handed in." in response.text
    assert costs == 1667
    stored = Submission.objects.get(student=student).yearly_cost
    assert stored == Decimal("2000399999799.96") == costs * MAX_AMOUNT * 12
    # The teacher's dashboard shows the whole figure.
    teacher_client.force_login(teacher)
    teacher_client.cookies["django_language"] = "en"
    dashboard = teacher_client.get(reverse("assignment_dashboard", args=[assignment.pk])).text
    assert "€2,000,399,999,799.96" in dashboard


def test_handing_in_after_the_due_date_is_marked_late(client, student, classroom):
    assignment = make_assignment(classroom, due_in_days=-1)
    canvas = create_sample_canvas(student)
    client.force_login(student)
    response = client.post(
        reverse("assignment_submit", args=[assignment.pk]), {"canvas": canvas.pk}, follow=True
    )
    assert Submission.objects.get(student=student).is_late
    assert "marked late" in response.text


def test_a_student_cannot_hand_in_someone_elses_canvas(client, student, assignment):
    strangers = make_canvas(make_user("stranger"))
    client.force_login(student)
    response = client.post(
        reverse("assignment_submit", args=[assignment.pk]), {"canvas": strangers.pk}, follow=True
    )
    assert "Pick one of your own canvases." in response.text
    assert not Submission.objects.exists()


def test_a_non_member_cannot_hand_in(client, assignment):
    outsider = make_user("outsider")
    canvas = make_canvas(outsider)
    client.force_login(outsider)
    response = client.post(
        reverse("assignment_submit", args=[assignment.pk]), {"canvas": canvas.pk}
    )
    assert response.status_code == 404


def test_diff_names_added_removed_and_changed_rows(student, assignment):
    canvas = create_sample_canvas(student)
    first = assignment.submit(student, canvas)
    block = Canvas.objects.with_block().get(pk=canvas.pk)
    families, offices = block.segments.all()
    families.name = "Familias"
    families.save()
    offices.delete()
    relationship = families.relationships.first()
    relationship.cost_items.first().delete()
    second = assignment.submit(student, canvas)

    changes = {(c.kind, c.what, c.label) for c in diff_documents(first.document, second.document)}
    assert ("changed", "segment", "Familias") in changes
    assert ("removed", "segment", "Oficinas del centro") in changes
    assert ("removed", "cost", "Horas de mostrador") in changes
    assert not any(kind == "added" for kind, _what, _label in changes)


def test_the_review_page_shows_what_changed_since_the_reviewed_version(
    teacher_client, teacher, student, assignment
):
    canvas = create_sample_canvas(student)
    first = assignment.submit(student, canvas)
    first.set_verdict(Submission.Status.CHANGES_REQUESTED, "Add a segment", teacher)
    Canvas.objects.get(pk=canvas.pk).segments.create(name="Tourists")
    second = assignment.submit(student, canvas)
    response = teacher_client.get(reverse("submission_review", args=[second.pk]))
    assert "What changed since the version you reviewed" in response.text
    assert "Segment added" in response.text
    assert "“Tourists”" in response.text


def test_handing_in_asks_first_and_says_what_is_still_missing(student, assignment):
    canvas = make_canvas(student, title="Academia Babel")
    client = client_for(student)
    class_page = client.get(reverse("class_detail", args=[assignment.classroom_id])).text
    assert f'<form method="get" action="{reverse("assignment_submit", args=[assignment.pk])}"' in (
        class_page
    )
    confirm = client.get(reverse("assignment_submit", args=[assignment.pk]), {"canvas": canvas.pk})
    assert confirm.status_code == 200
    assert "Hand in “Academia Babel”?" in confirm.text
    assert "Add your first customer segment." in confirm.text
    editor = reverse("canvas_detail", args=[canvas.pk])
    assert f'href="{editor}#board"' in confirm.text  # each gap leads to its place in the editor
    assert not Submission.objects.exists()  # nothing handed in by looking
    client.post(reverse("assignment_submit", args=[assignment.pk]), {"canvas": canvas.pk})
    assert Submission.objects.get().document["title"] == "Academia Babel"


def test_hand_in_again_offers_the_canvas_handed_in_last(student, assignment):
    handed_in = make_canvas(student, title="Academia Babel")
    assignment.submit(student, handed_in)
    make_canvas(student, title="Copy of Academia Babel")  # newer, so listed first
    page = client_for(student).get(reverse("class_detail", args=[assignment.classroom_id])).text
    assert f'<option value="{handed_in.pk}" selected>Academia Babel</option>' in page
    assert "· Academia Babel" in page  # each hand-in says which canvas it was


def test_the_select_of_canvases_shows_long_titles_by_their_start_and_end(student, assignment):
    first = make_canvas(student, title="Academia de idiomas Babel para adultos · primer trimestre")
    second = make_canvas(
        student, title="Academia de idiomas Babel para adultos · segundo trimestre"
    )
    short = make_canvas(student, title="Academia Babel")
    page = client_for(student).get(reverse("class_detail", args=[assignment.classroom_id])).text
    options = {
        pk: label for pk, _, label in re.findall(r'<option value="(\d+)"([^>]*)>([^<]*)<', page)
    }
    assert options == {
        str(first.pk): "Academia… · primer trimestre",
        str(second.pk): "Academia… · segundo trimestre",
        str(short.pk): "Academia Babel",
    }
    # The whole title is kept where it was cut: on hover, and for a screen reader.
    assert f'<option value="{first.pk}" title="{first.title}">' in page
    assert f'<option value="{short.pk}">Academia Babel</option>' in page


@pytest.mark.parametrize(
    ("titles", "labels"),
    [
        (["Panadería La Espiga"], ["Panadería La Espiga"]),
        (
            ["Relaciones con clientes de la tienda online de bicicletas eléctricas"],
            ["Relaciones con… eléctricas"],
        ),
        (  # the same start, the same end: what tells them apart shows, near the start
            [
                "Plan A para el mercado de Valencia, versión corta y final",
                "Plan A para el mercado de Madrid, versión corta y final",
            ],
            ["Plan… de Valencia, versión corta y final", "Plan… de Madrid, versión corta y final"],
        ),
        (  # nothing tells two equal titles apart: they stay whole
            ["Dos lienzos con el mismo título, muy largo"] * 2,
            ["Dos lienzos con el mismo título, muy largo"] * 2,
        ),
    ],
)
def test_a_long_canvas_title_is_cut_in_the_middle_and_never_reads_like_another(titles, labels):
    assert choice_labels(titles) == labels
