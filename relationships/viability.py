"""Does a segment's set of relationships make sense against what the segment brings?

The figures are worked out from a Block's segment, the rules that judge them are written down
here once (``RULES``) and the help page shows them. A figure that cannot be known says so
(``None``) rather than pretending to be zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from relationships.models import Relationship, RelationshipType

if TYPE_CHECKING:
    from relationships.block import SegmentView

CENT = Decimal("0.01")


def _per(amount: Decimal | None, count) -> Decimal | None:
    if amount is None or not count:
        return None
    return (Decimal(amount) / Decimal(count)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """A segment's relationships against its value, over one year."""

    setup_per_year: Decimal  # set-up costs spread over the canvas's horizon
    cost_per_year: Decimal  # running costs plus that share of the set-up
    value_per_year: Decimal | None  # None until customers, purchases and spend are known
    cost_per_customer: Decimal | None
    value_per_customer: Decimal | None
    cost_share: int | None  # cost as a percentage of value
    horizon_years: int | None = None

    @classmethod
    def of(cls, segment: SegmentView, horizon_years: int) -> Figures:
        setup_per_year = _per(segment.setup_cost, horizon_years) or Decimal("0.00")
        cost = segment.yearly_cost + setup_per_year
        value = segment.yearly_value
        share = None
        if value:
            share = int((100 * cost / value).quantize(Decimal("1"), ROUND_HALF_UP))
        return cls(
            setup_per_year=setup_per_year,
            cost_per_year=cost,
            value_per_year=value,
            cost_per_customer=_per(cost, segment.customer_count),
            value_per_customer=_per(value, segment.customer_count),
            cost_share=share,
            horizon_years=horizon_years,
        )


@dataclass(frozen=True)
class Rule:
    """One way a segment's relationships can fail to make sense, in plain words."""

    code: str
    text: object  # lazy translation: what the student reads of their segment
    explanation: object  # what the help page says of the rule
    applies: Callable[[SegmentView, Figures], bool] = field(compare=False)


def _dedicated_per_customer(segment: SegmentView, figures: Figures) -> Decimal | None:
    """What the dedicated assistance alone costs per customer a year (set-up spread too)."""
    dedicated = [r for r in segment.relationships if r.type == RelationshipType.DEDICATED]
    if not dedicated or figures.horizon_years is None:
        return None
    cost = sum(r.yearly_cost for r in dedicated) + sum(r.setup_cost for r in dedicated) / Decimal(
        figures.horizon_years
    )
    return _per(cost, segment.customer_count)


def _serves(segment: SegmentView, goal: str) -> bool:
    return any(goal in r.goals for r in segment.relationships)


RULES = (
    Rule(
        "costs_more_than_value",
        _("Its relationships cost more a year than the segment brings."),
        _("The yearly cost (running costs plus a share of the set-up) is above the yearly value."),
        lambda s, f: f.value_per_year is not None and f.cost_per_year > f.value_per_year,
    ),
    Rule(
        "long_term_without_retention",
        _("You want a long-term bond, but no relationship works at keeping these customers."),
        _("A relationship has a long-term bond and none of the segment's has retention as a goal."),
        lambda s, f: (
            any(r.bond == Relationship.Bond.LONG_TERM for r in s.relationships)
            and not _serves(s, Relationship.Goal.RETENTION)
        ),
    ),
    Rule(
        "dedicated_costs_more_than_customer",
        _("Dedicated assistance costs more per customer than each customer brings."),
        _(
            "The segment has dedicated personal assistance and what that assistance costs per "
            "customer a year is above the value of a customer."
        ),
        lambda s, f: (
            (dedicated := _dedicated_per_customer(s, f)) is not None
            and f.value_per_customer is not None
            and dedicated > f.value_per_customer
        ),
    ),
)


@dataclass(frozen=True)
class Viability:
    """A segment's figures, and the rules its relationships break."""

    figures: Figures
    broken: tuple[Rule, ...]

    @property
    def judged(self) -> bool:
        """Whether the value is known, so that the costs can be set against it."""
        return self.figures.value_per_year is not None

    @property
    def sound(self) -> bool:
        return self.judged and not self.broken


def viability(segment: SegmentView, horizon_years: int) -> Viability:
    """The segment judged by every rule. No query."""
    figures = Figures.of(segment, horizon_years)
    return Viability(figures, tuple(rule for rule in RULES if rule.applies(segment, figures)))
