"""One write path: every change to a block moves the canvas to its next revision, once.

The PDF cache keys on the revision, so a change the write path missed would serve an old PDF;
a write that changed nothing must not throw the cached PDF away either.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relationships.models import Canvas
from tests.factories import make_cost, make_relationship, make_segment
from tests.helpers import HTMX
from tests.relationships.test_concurrency import relationship_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(canvas):
    first = make_segment(canvas, name="Regulars")
    second = make_segment(canvas, name="Offices")
    relationship = make_relationship(first)
    other = make_relationship(first)
    cost = make_cost(relationship, label="Cards")
    make_cost(relationship, label="Stamps")
    return {
        "canvas": canvas,
        "segment": first,
        "last_segment": second,
        "relationship": relationship,
        "other": other,
        "cost": cost,
    }


SEGMENT = {"name": "Tourists", "version": 1}
CANVAS = {"title": "Bakery", "currency": "EUR", "version": 1}
COST = {"label": "Flyers", "amount": "95.50", "frequency": "one_off", "version": 1}

# Every endpoint that changes a block: (url name, the row it acts on, what it posts).
WRITES = [
    ("canvas_edit", "canvas", {**CANVAS, "business_fit": "It fits"}),
    ("canvas_rename", "canvas", {**CANVAS, "title": "Bakery two"}),
    ("segment_create", "canvas", SEGMENT),
    ("segment_edit", "segment", SEGMENT),
    ("segment_delete", "segment", {}),
    ("segment_move", "segment", {"direction": "down"}),
    ("relationship_create", "segment", relationship_data(1, "Chat")),
    ("relationship_edit", "relationship", relationship_data(1, "Chat")),
    ("relationship_delete", "relationship", {}),
    ("relationship_move", "relationship", {"direction": "down"}),
    ("cost_create", "relationship", COST),
    ("cost_edit", "cost", COST),
    ("cost_delete", "cost", {}),
    ("cost_move", "cost", {"direction": "down"}),
]


def revision(canvas) -> int:
    return Canvas.objects.values_list("revision", flat=True).get(pk=canvas.pk)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(("name", "row", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_every_change_moves_the_canvas_to_its_next_revision_once(
    owner_client, rows, name, row, data, htmx
):
    canvas = rows["canvas"]
    before = Canvas.objects.get(pk=canvas.pk)
    response = owner_client.post(
        reverse(name, args=[rows[row].pk]), data, headers=HTMX if htmx else {}
    )
    assert response.status_code in (200, 302), response.content[:300]
    after = Canvas.objects.get(pk=canvas.pk)
    assert after.revision == before.revision + 1
    assert after.updated_at > before.updated_at


@pytest.mark.parametrize(
    ("name", "row", "data"),
    [
        ("segment_move", "segment", {"direction": "up"}),  # already first
        ("segment_move", "last_segment", {"direction": "down"}),  # already last
        ("relationship_move", "relationship", {"direction": "up"}),
        ("cost_move", "cost", {"direction": "up"}),
        ("segment_edit", "segment", {**SEGMENT, "version": 99}),  # another tab saved since
        ("relationship_edit", "relationship", relationship_data(99, "Late")),
        ("segment_edit", "segment", {"name": ""}),  # refused beside the field
        ("cost_create", "relationship", {**COST, "amount": "-1"}),
    ],
)
def test_a_change_that_writes_nothing_keeps_the_revision(owner_client, rows, name, row, data):
    canvas = rows["canvas"]
    before = revision(canvas)
    owner_client.post(reverse(name, args=[rows[row].pk]), data, headers=HTMX)
    assert revision(canvas) == before


def test_saving_the_venture_writes_the_canvas_row_twice_at_most_and_its_date_once(
    owner_client, canvas
):
    url = reverse("canvas_edit", args=[canvas.pk])
    with CaptureQueriesContext(connection) as queries:
        owner_client.post(url, {**CANVAS, "description": "Bread"}, headers=HTMX)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "relationships_canvas"')]
    assert len(updates) == 2  # the answers (if nobody saved since), then the revision
    assert sum('"updated_at"' in sql for sql in updates) == 1


def test_an_edit_changes_the_pdf_etag_and_a_refused_one_does_not(owner_client, rows, locmem_cache):
    canvas = rows["canvas"]
    pdf = reverse("canvas_pdf", args=[canvas.pk])
    first = owner_client.get(pdf)["ETag"]
    edit = reverse("segment_edit", args=[rows["segment"].pk])
    owner_client.post(edit, {**SEGMENT, "version": 99}, headers=HTMX)  # a conflict
    assert owner_client.get(pdf)["ETag"] == first
    owner_client.post(edit, SEGMENT, headers=HTMX)
    assert owner_client.get(pdf)["ETag"] != first


@pytest.mark.parametrize(
    ("name", "row", "card", "data"),
    [
        ("cost_edit", "cost", "relationship", COST),
        ("relationship_edit", "relationship", "relationship", relationship_data(1, "Chat")),
        ("segment_edit", "segment", "segment", SEGMENT),
    ],
)
def test_a_form_save_writes_the_row_its_card_stamp_and_one_revision(
    owner_client, user, rows, name, row, card, data
):
    """What the live view and the cards read after a save, whichever way the database takes
    it (on PostgreSQL a form's save is one statement): the row at its next version, the card
    stamped with who and when, the canvas one revision on, and that revision's record."""
    canvas, saved, stamped = rows["canvas"], rows[row], rows[card]
    before = Canvas.objects.get(pk=canvas.pk).revision
    response = owner_client.post(reverse(name, args=[saved.pk]), data, headers=HTMX)
    assert response.status_code == 200
    saved.refresh_from_db()
    stamped.refresh_from_db()
    assert saved.version == 2
    assert stamped.changed_by == user
    assert stamped.changed_at is not None
    canvas.refresh_from_db()
    assert canvas.revision == before + 1
    record = canvas.revisions.get(number=canvas.revision)
    assert (record.by, record.card, record.card_id) == (user, card, stamped.pk)
