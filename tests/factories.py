"""Plain functions that make test data; each takes only what the test cares about."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from relationships.models import Canvas, CostItem, Relationship, Segment

_n = count(1)


def make_user(username: str | None = None, password: str = "a-long-test-password"):
    return get_user_model().objects.create_user(username or f"user{next(_n)}", password=password)


def make_canvas(owner=None, **fields) -> Canvas:
    fields.setdefault("title", "Venture")
    return Canvas.objects.create(owner=owner or make_user(), **fields)


def make_segment(canvas=None, **fields) -> Segment:
    fields.setdefault("name", f"Segment {next(_n)}")
    return Segment.objects.create(canvas=canvas or make_canvas(), **fields)


def make_relationship(segment=None, goals=("acquisition",), **fields) -> Relationship:
    fields.setdefault("type", Relationship.Type.PERSONAL)
    fields.setdefault("contact", Relationship.Contact.DIRECT)
    fields.setdefault("reach", Relationship.Reach.INDIVIDUAL)
    fields.setdefault("bond", Relationship.Bond.TRANSACTIONAL)
    fields.setdefault("state", Relationship.State.ESTABLISHED)
    relationship = Relationship(segment=segment or make_segment(), **fields)
    relationship.goals = list(goals)
    relationship.save()
    return relationship


def make_cost(relationship=None, amount="10", frequency="monthly", **fields) -> CostItem:
    fields.setdefault("label", "Staff time")
    return CostItem.objects.create(
        relationship=relationship or make_relationship(),
        amount=Decimal(amount),
        frequency=frequency,
        **fields,
    )


def make_block(owner=None, segments: int = 2, relationships: int = 2, costs: int = 2) -> Canvas:
    """A canvas with ``segments`` x ``relationships`` x ``costs`` rows, every field filled."""
    canvas = make_canvas(owner, description="A bakery", business_fit="Fits", market_effect="Brand")
    for s in range(segments):
        segment = make_segment(
            canvas,
            name=f"Segment {s}",
            expectation="A person to talk to",
            customer_count=100,
            purchases_per_year=Decimal("12"),
            average_spend=Decimal("5"),
        )
        for r in range(relationships):
            relationship = make_relationship(segment, interaction=f"Weekly call {r}")
            for c in range(costs):
                make_cost(relationship, label=f"Cost {c}")
    return canvas
