"""The blocks a process served last (relationships/kept_blocks.py): a page drawn again at the
same revision, and the block after a save, without loading the block again; and never a block
other than the one the database holds.

On PostgreSQL a form's save is one statement that says which revision it made and which came
before it: when this process holds the block at that one, the block after the save is that
block with the saved row put in.
"""

import pytest
from django.db import connection
from django.urls import reverse

from relationships import kept_blocks, projections
from relationships.block import Block
from relationships.loading import load_document
from relationships.models import Canvas
from tests.factories import make_cost, make_relationship, make_segment
from tests.helpers import HTMX
from tests.relationships.test_concurrency import relationship_data

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def rows(canvas, user):
    first = make_segment(canvas, name="Regulars")
    make_segment(canvas, name="Offices")
    relationship = make_relationship(first, interaction="Chat at the counter")
    make_relationship(first)
    cost = make_cost(relationship, label="Cards")
    make_cost(relationship, label="Stamps")
    user.first_name, user.last_name = "Olga", "Brīvā"
    user.save()
    return {"canvas": canvas, "segment": first, "relationship": relationship, "cost": cost}


# Each form's save as a Spanish speaker types it: amounts with a decimal comma and a thousands
# point, which the database gives back at its own places.
SAVES = [
    ("canvas_edit", "canvas", {"title": "Panadería", "currency": "EUR", "business_fit": "Sí"}),
    ("canvas_rename", "canvas", {"title": "Panadería Olga", "currency": "EUR"}),
    (
        "segment_edit",
        "segment",
        {
            "name": "Vecinos",
            "customer_count": "1.200",
            "purchases_per_year": "52",
            "average_spend": "4,5",
        },
    ),
    ("relationship_edit", "relationship", relationship_data(1, "Charla en el mostrador")),
    ("cost_edit", "cost", {"label": "Tarjetas", "amount": "95,5", "frequency": "monthly"}),
]


@pytest.fixture
def loads(monkeypatch) -> list[int]:
    """The canvases whose block was loaded from the database (two queries each)."""
    loaded, load = [], Block.load.__func__

    def counted(cls, pk, owner=None):
        loaded.append(pk)
        return load(cls, pk, owner)

    monkeypatch.setattr(Block, "load", classmethod(counted))
    return loaded


def _page(client, canvas):
    response = client.get(reverse("canvas_detail", args=[canvas.pk]))
    assert response.status_code == 200
    return response


def _post(client, name, row, data):
    return client.post(reverse(name, args=[row.pk]), {"version": 1, **data}, headers=HTMX)


def _kept(canvas) -> tuple[dict, int]:
    block = kept_blocks._kept.get(canvas.pk)
    assert block is not None
    return block.document, block.revision


@pytest.mark.parametrize(("name", "row", "data"), SAVES, ids=[s[0] for s in SAVES])
def test_the_block_after_a_save_is_the_one_the_database_holds(
    owner_client, rows, loads, name, row, data
):
    owner_client.cookies["django_language"] = "es"
    canvas = rows["canvas"]
    _page(owner_client, canvas)
    _document, before = _kept(canvas)
    loads.clear()
    response = _post(owner_client, name, rows[row], data)
    assert response.status_code == (302 if name == "canvas_rename" else 200)

    document, revision = _kept(canvas)
    assert revision == before + 1
    assert (document, revision) == load_document(canvas.pk)
    # On PostgreSQL the block the page read is carried over the save; elsewhere it is loaded.
    assert loads == ([] if ON_POSTGRESQL else [canvas.pk])


def test_the_saved_texts_show_on_the_page_drawn_again_from_the_kept_block(
    owner_client, rows, loads
):
    _page(owner_client, rows["canvas"])
    data = relationship_data(1, "Chat by the oven")
    assert _post(owner_client, "relationship_edit", rows["relationship"], data).status_code == 200
    loads.clear()
    page = _page(owner_client, rows["canvas"]).text
    assert "Chat by the oven" in page
    assert "Chat at the counter" not in page
    assert loads == []


def test_a_save_after_a_change_this_process_did_not_see_loads_the_block(owner_client, rows):
    """Another server's change in between: the block kept here is a revision behind."""
    _page(owner_client, rows["canvas"])
    behind = kept_blocks._kept.get(rows["canvas"].pk)
    segment_data = {"name": "Vecinos del barrio", "version": 1}
    assert _post(owner_client, "segment_edit", rows["segment"], segment_data).status_code == 200
    kept_blocks.remember(behind)  # as if the segment's edit had been served elsewhere

    data = relationship_data(1, "Chat by the oven")
    assert _post(owner_client, "relationship_edit", rows["relationship"], data).status_code == 200

    document, revision = _kept(rows["canvas"])
    assert (document, revision) == load_document(rows["canvas"].pk)
    assert document["segments"][0]["name"] == "Vecinos del barrio"
    assert revision == Canvas.objects.get(pk=rows["canvas"].pk).revision


def test_each_language_works_out_its_own_texts_from_one_kept_block(owner_client, rows):
    _page(owner_client, rows["canvas"])  # English first: the block is kept
    owner_client.cookies["django_language"] = "es"
    spanish = _page(owner_client, rows["canvas"]).text
    assert "Asistencia personal" in spanish
    assert "Personal assistance" not in spanish


@pytest.mark.parametrize(("name", "row", "data"), SAVES, ids=[s[0] for s in SAVES])
def test_the_numbers_after_a_save_read_the_saved_block(owner_client, rows, name, row, data):
    """What the numbers read of a block is carried over a save that changed none of it."""
    owner_client.cookies["django_language"] = "es"
    canvas = rows["canvas"]
    _page(owner_client, canvas)  # works out what the numbers read of the block before
    saved_at = _revision_and_date(canvas)
    assert _post(owner_client, name, rows[row], data).status_code in (200, 302)
    assert _revision_and_date(canvas)[0] == saved_at[0] + 1
    saved = kept_blocks.at(canvas.pk, *_revision_and_date(canvas))
    fresh = Block(load_document(canvas.pk)[0])
    assert projections.figures(saved) == projections.figures(fresh)
    assert projections.completeness_inputs(saved) == projections.completeness_inputs(fresh)
    for segment in fresh.segments:  # each segment's totals, the page's first
        assert projections.segment_totals(saved, segment.pk) == projections.segment_totals(
            fresh, segment.pk
        )


def test_a_text_emptied_by_a_save_changes_what_completeness_reads(owner_client, rows):
    canvas = rows["canvas"]
    _page(owner_client, canvas)
    before = projections.completeness_inputs(kept_blocks.at(canvas.pk, *_revision_and_date(canvas)))
    data = relationship_data(1, "")
    assert _post(owner_client, "relationship_edit", rows["relationship"], data).status_code == 200
    after = kept_blocks.at(canvas.pk, *_revision_and_date(canvas))
    assert projections.completeness_inputs(after) != before
    assert projections.completeness_inputs(after) == projections.completeness_inputs(
        Block(load_document(canvas.pk)[0])
    )


def _revision_and_date(canvas) -> tuple:
    canvas.refresh_from_db()
    return canvas.revision, canvas.updated_at
