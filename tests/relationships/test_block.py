"""The Block: one read-only view of a canvas, the same from the live rows and from a document."""

import json
from decimal import Decimal

import pytest

from relationships.block import Block
from relationships.document import canvas_document
from relationships.models import Canvas
from relationships.sample import create_sample_canvas
from tests.factories import make_block, make_canvas, make_cost, make_relationship, make_segment

pytestmark = pytest.mark.django_db


def test_relationship_costs_split_into_set_up_and_yearly_running_cost():
    relationship = make_relationship()
    make_cost(relationship, amount="100.50", frequency="one_off")
    make_cost(relationship, amount="10", frequency="monthly")
    make_cost(relationship, amount="30", frequency="yearly")
    block = Block.load(relationship.segment.canvas_id)
    (view,) = block.relationships
    assert view.setup_cost == Decimal("100.50")
    assert view.yearly_cost == Decimal("150")  # 10 x 12 + 30
    assert view.monthly_cost == Decimal("10")


def test_segment_and_canvas_totals_add_up_their_relationships():
    block = Block.load(make_block(segments=2, relationships=3, costs=2).pk)  # each 10 a month
    assert block.segments[0].yearly_cost == Decimal("720")  # 3 relationships x 2 costs x 120
    assert block.yearly_cost == Decimal("1440")
    assert block.monthly_cost == Decimal("120")
    assert block.setup_cost == Decimal("0")
    assert len(block.cost_lines) == 12


def test_segment_yearly_value_needs_all_three_figures():
    canvas = make_canvas()
    make_segment(canvas, customer_count=400, purchases_per_year=Decimal("150"))
    make_segment(
        canvas,
        customer_count=400,
        purchases_per_year=Decimal("150"),
        average_spend=Decimal("4.50"),
    )
    block = Block.load(canvas.pk)
    assert [s.yearly_value for s in block.segments] == [None, Decimal("270000.00")]
    assert block.yearly_value == Decimal("270000.00")  # the unknown one is not counted as 0


def test_a_canvas_without_figures_has_no_value_rather_than_zero():
    canvas = make_canvas()
    make_segment(canvas)
    assert Block.load(canvas.pk).yearly_value is None


def test_live_and_snapshot_blocks_read_the_same(user):
    canvas = create_sample_canvas(user)
    live = Block.load(canvas.pk)
    snapshot = Block.from_document(json.loads(json.dumps(live.document)))
    for name in ("setup_cost", "yearly_cost", "monthly_cost", "yearly_value", "planned_count"):
        assert getattr(snapshot, name) == getattr(live, name), name
    assert snapshot.completeness == live.completeness
    assert snapshot.pitch_warnings == live.pitch_warnings
    assert snapshot.anchors == live.anchors
    assert [s.name for s in snapshot.segments] == [s.name for s in live.segments]


def test_reading_a_snapshot_makes_no_query(user, django_assert_num_queries):
    document = Block.load(create_sample_canvas(user).pk).document
    with django_assert_num_queries(0):
        snapshot = Block.from_document(document)
        assert snapshot.segments[0].relationships[0].get_type_display()
        assert snapshot.completeness.score > 0
        assert snapshot.pitch_warnings == []


@pytest.mark.parametrize("size", [(1, 1, 1), (6, 5, 3), (2, 0, 0)])
def test_loading_a_live_block_takes_two_queries_whatever_its_size(size, django_assert_num_queries):
    canvas = make_block(segments=size[0], relationships=size[1], costs=size[2])
    # the canvas with its segments; the relationships with their costs
    with django_assert_num_queries(2):
        block = Block.load(canvas.pk)
        if size[1]:  # every field filled in
            assert block.completeness.score == 100
        assert len(block.relationships) == size[0] * size[1]
    assert block.document == canvas_document(Canvas.objects.with_block().get(pk=canvas.pk))


def test_first_and_last_flags_follow_the_order_the_owner_chose():
    canvas = make_canvas()
    first, only = make_segment(canvas), make_segment(canvas)
    a, b = make_relationship(first), make_relationship(first)
    make_relationship(only)
    make_cost(a, label="one"), make_cost(a, label="two")
    block = Block.load(canvas.pk)
    segments = block.segments
    assert [(s.is_first, s.is_last) for s in segments] == [(True, False), (False, True)]
    rels = segments[0].relationships
    assert [r.pk for r in rels] == [a.pk, b.pk]
    assert [(r.is_first, r.is_last) for r in rels] == [(True, False), (False, True)]
    assert (segments[1].relationships[0].is_first, segments[1].relationships[0].is_last) == (
        True,
        True,
    )
    assert [(c.is_first, c.is_last) for c in rels[0].costs] == [(True, False), (False, True)]


def test_an_expectation_is_met_only_by_an_established_relationship_of_its_type():
    canvas = make_canvas()
    segment = make_segment(canvas, expected_type="dedicated")
    make_relationship(segment, type="dedicated", state="planned")
    assert Block.load(canvas.pk).segments[0].expectation_met is False
    make_relationship(segment, type="dedicated", state="established")
    assert Block.load(canvas.pk).segments[0].expectation_met is True


def test_another_owner_gets_a_404(user, other_user):
    from django.http import Http404

    canvas = make_canvas(user)
    with pytest.raises(Http404):
        Block.load(canvas.pk, owner=other_user)


def test_the_document_is_the_canvas_document(user):
    canvas = create_sample_canvas(user)
    assert Block.load(canvas.pk).document == canvas_document(
        Canvas.objects.with_block().get(pk=canvas.pk)
    )
