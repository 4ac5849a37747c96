from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from relationships.models import Canvas, CostItem, Relationship, Segment
from tests.factories import make_block, make_canvas, make_cost, make_relationship, make_segment

pytestmark = pytest.mark.django_db


def test_relationship_needs_at_least_one_goal_in_the_database():
    relationship = make_relationship()
    relationship.goals = []
    with pytest.raises(IntegrityError), transaction.atomic():
        relationship.save()


def test_a_relationship_without_goals_is_refused_in_python_where_its_goals_are_checked():
    relationship = make_relationship()
    relationship.goals = []
    with pytest.raises(ValidationError, match="Pick at least one goal"):
        relationship.full_clean()  # as the admin validates it
    goal_fields = [f"goal_{goal}" for goal in Relationship.Goal.values]
    relationship.full_clean(exclude=goal_fields)  # as a form without those fields does


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("type", "telepathy", "relationship_type_known"),
        ("state", "dreamed", "relationship_state_known"),
        ("contact", "pigeon", "relationship_contact_known"),
    ],
)
def test_unknown_choices_are_refused_by_the_database(field, value, constraint):
    relationship = make_relationship()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Relationship.objects.filter(pk=relationship.pk).update(**{field: value})


@pytest.mark.parametrize("amount", ["-0.01", "100000000.00"])
def test_cost_amount_out_of_bounds_is_refused_by_the_database(amount):
    cost = make_cost()
    # PostgreSQL refuses an amount past the column's digits before the check constraint.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        CostItem.objects.filter(pk=cost.pk).update(amount=Decimal(amount))


def test_cost_amount_out_of_bounds_fails_model_validation():
    cost = make_cost()
    cost.amount = Decimal("-5")
    with pytest.raises(ValidationError) as excinfo:
        cost.full_clean()
    assert "amount" in excinfo.value.message_dict


def test_unknown_currency_is_refused_by_the_database():
    canvas = make_canvas()
    with pytest.raises(IntegrityError), transaction.atomic():
        Canvas.objects.filter(pk=canvas.pk).update(currency="XXX")


def test_new_rows_go_last_and_move_swaps_neighbours():
    canvas = make_canvas()
    first, _second, third = (make_segment(canvas, name=n) for n in "ABC")
    assert list(canvas.segments.values_list("name", flat=True)) == ["A", "B", "C"]
    assert third.move(-1) is True
    assert list(canvas.segments.values_list("name", flat=True)) == ["A", "C", "B"]
    assert first.move(-1) is False
    assert list(canvas.segments.values_list("name", flat=True)) == ["A", "C", "B"]


def test_duplicate_copies_the_whole_block_under_a_new_title():
    canvas = make_block(segments=2, relationships=2, costs=2)
    copy = canvas.duplicate(title="Copy")
    assert copy.pk != canvas.pk
    assert copy.title == "Copy"
    assert copy.segments.count() == 2
    assert Relationship.objects.filter(segment__canvas=copy).count() == 4
    assert CostItem.objects.filter(relationship__segment__canvas=copy).count() == 8
    # The original is untouched.
    assert CostItem.objects.filter(relationship__segment__canvas=canvas).count() == 8


def test_save_if_current_refuses_a_stale_version():
    segment = make_segment(name="Before")
    stale = Segment.objects.get(pk=segment.pk)
    segment.name = "First save"
    assert Segment.objects.save_if_current(segment, expected_version=1)
    stale.name = "Second save"
    assert not Segment.objects.save_if_current(stale, expected_version=1)
    assert Segment.objects.get(pk=segment.pk).name == "First save"


@pytest.mark.parametrize(
    ("model", "field", "constraint"),
    [
        ("canvas", "description", "canvas_description_length"),
        ("segment", "expectation", "segment_expectation_length"),
        ("relationship", "interaction", "relationship_interaction_length"),
        ("cost", "label", "costitem_label_length"),
    ],
)
def test_text_beyond_its_length_is_refused_by_the_database(model, field, constraint):
    cost = make_cost()
    rows = {
        "canvas": cost.relationship.segment.canvas,
        "segment": cost.relationship.segment,
        "relationship": cost.relationship,
        "cost": cost,
    }
    row = rows[model]
    limit = type(row)._meta.get_field(field).max_length
    queryset = type(row).objects.filter(pk=row.pk)
    queryset.update(**{field: "é" * limit})  # exactly the limit, in characters, is fine
    # Our constraint says no; PostgreSQL's VARCHAR may say it first.
    with pytest.raises((IntegrityError, DataError)) as refused, transaction.atomic():
        queryset.update(**{field: "é" * (limit + 1)})
    assert constraint in str(refused.value) or "varying" in str(refused.value)


def test_model_validation_refuses_a_free_text_beyond_its_length(user):
    canvas = Canvas(owner=user, title="Tea", description="x" * 2001)
    with pytest.raises(ValidationError) as refused:
        canvas.full_clean()
    assert list(refused.value.message_dict) == ["description"]
