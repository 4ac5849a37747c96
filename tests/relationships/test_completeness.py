import pytest

from relationships.block import Block
from tests.factories import make_block, make_canvas, make_cost, make_relationship, make_segment

pytestmark = pytest.mark.django_db


def completeness_of(canvas):
    return Block.load(canvas.pk).completeness


def missing_texts(canvas):
    return [gap.text for gap in completeness_of(canvas).missing]


def test_an_empty_canvas_asks_for_description_questions_and_a_segment():
    result = completeness_of(make_canvas())
    assert result.score == 0
    texts = [gap.text for gap in result.missing]
    assert "Add your first customer segment." in texts
    assert "Describe the venture and its value proposition." in texts


def test_a_fully_filled_block_is_complete():
    result = completeness_of(make_block())
    assert result.score == 100
    assert result.is_complete


def test_a_segment_without_relationship_is_named():
    canvas = make_block(segments=1)
    make_segment(canvas, name="Tourists")
    assert "“Tourists” has no relationship yet." in missing_texts(canvas)


def test_a_relationship_without_cost_is_named():
    canvas = make_block(segments=1, relationships=1)
    make_relationship(canvas.segments.get(), type="communities", interaction="Forum")
    assert "Put a cost on “Communities” for “Segment 0”." in missing_texts(canvas)


def test_an_expectation_only_a_planned_relationship_meets_is_not_met():
    canvas = make_block(segments=1, relationships=0)
    segment = canvas.segments.get()
    segment.expected_type = "dedicated"
    segment.save()
    relationship = make_relationship(
        segment, type="dedicated", state="planned", interaction="Calls"
    )
    make_cost(relationship)
    expected = (
        "“Segment 0” expects dedicated personal assistance, but no established relationship "
        "gives it yet."
    )
    assert expected in missing_texts(canvas)
    relationship.state = "established"
    relationship.save()
    assert expected not in missing_texts(canvas)


def test_score_rises_as_gaps_are_filled():
    canvas = make_canvas()
    before = completeness_of(canvas).score
    canvas.description = "Bread"
    canvas.save()
    assert completeness_of(canvas).score > before
