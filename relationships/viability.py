"""Does a segment's set of relationships make sense against what the segment brings?

The figures are worked out from a Block's segment, the rules that judge them are written down
here once (``RULES``) and the help page shows them. A figure that cannot be known says so
(``None``) rather than pretending to be zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from relationships.models import Relationship, RelationshipType

if TYPE_CHECKING:
    from relationships.block import RelationshipView, SegmentView

CENT = Decimal("0.01")


def _per(amount: Decimal | None, count) -> Decimal | None:
    if amount is None or not count:
        return None
    return (Decimal(amount) / Decimal(count)).quantize(CENT, ROUND_HALF_UP)


def cost_per_year(relationship: RelationshipView, horizon_years: int) -> Decimal:
    """What a relationship costs in a year: its running costs and a share of its set-up (not
    rounded, so that shares add up)."""
    return relationship.yearly_cost + relationship.setup_cost / Decimal(horizon_years)


@dataclass(frozen=True)
class CostSplit:
    """The yearly cost of some relationships (set-up spread) by goal and by type.

    Each list holds, in the order of the choices, only the goals and types some relationship
    has. A relationship with several goals counts an equal part of its cost under each, so that
    the goals add up to the whole.
    """

    by_goal: tuple[tuple[str, Decimal], ...]
    by_type: tuple[tuple[str, Decimal], ...]

    @classmethod
    def of(cls, relationships: Iterable[RelationshipView], horizon_years: int) -> CostSplit:
        goals: dict[str, Decimal] = defaultdict(Decimal)
        types: dict[str, Decimal] = defaultdict(Decimal)
        for relationship in relationships:
            cost = cost_per_year(relationship, horizon_years)
            types[relationship.type] += cost
            for goal in relationship.goals:
                goals[goal] += cost / len(relationship.goals)
        return cls(
            by_goal=tuple(
                (goal, goals[goal].quantize(CENT, ROUND_HALF_UP))
                for goal in Relationship.Goal.values
                if goal in goals
            ),
            by_type=tuple(
                (kind, types[kind].quantize(CENT, ROUND_HALF_UP))
                for kind in RelationshipType.values
                if kind in types
            ),
        )

    def of_goal(self, goal: str) -> Decimal | None:
        """The yearly cost of the relationships with ``goal``; None if none has it."""
        return dict(self.by_goal).get(goal)

    @property
    def goals(self) -> list[tuple[str, Decimal]]:
        """(label, cost) of each goal, in the active language."""
        return [(str(Relationship.Goal(goal).label), cost) for goal, cost in self.by_goal]

    @property
    def types(self) -> list[tuple[str, Decimal]]:
        """(label, cost) of each type, in the active language."""
        return [(str(RelationshipType(kind).label), cost) for kind, cost in self.by_type]


@dataclass(frozen=True)
class Figures:
    """A segment's relationships against its value, over one year."""

    setup_per_year: Decimal  # set-up costs spread over the canvas's horizon
    cost_per_year: Decimal  # running costs plus that share of the set-up
    value_per_year: Decimal | None  # None until customers, purchases and spend are known
    cost_per_customer: Decimal | None
    value_per_customer: Decimal | None
    cost_share: Decimal | None  # cost as a percentage of value, not rounded (``|percent`` does)
    split: CostSplit
    # What acquisition costs per new customer: None until the new customers a year are given,
    # or when no relationship has acquisition as a goal.
    acquisition_per_new_customer: Decimal | None
    retention_per_customer: Decimal | None  # likewise, over the estimated customers
    horizon_years: int | None = None

    @classmethod
    def of(cls, segment: SegmentView, horizon_years: int) -> Figures:
        setup_per_year = _per(segment.setup_cost, horizon_years) or Decimal("0.00")
        cost = segment.yearly_cost + setup_per_year
        value = segment.yearly_value
        share = None
        if value:
            share = 100 * cost / value
        split = CostSplit.of(segment.relationships, horizon_years)
        return cls(
            setup_per_year=setup_per_year,
            cost_per_year=cost,
            value_per_year=value,
            cost_per_customer=_per(cost, segment.customer_count),
            value_per_customer=_per(value, segment.customer_count),
            cost_share=share,
            split=split,
            acquisition_per_new_customer=_per(
                split.of_goal(Relationship.Goal.ACQUISITION), segment.new_customers_per_year
            ),
            retention_per_customer=_per(
                split.of_goal(Relationship.Goal.RETENTION), segment.customer_count
            ),
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
    cost = sum(cost_per_year(r, figures.horizon_years) for r in dedicated)
    return _per(cost, segment.customer_count)


def _serves(segment: SegmentView, goal: str) -> bool:
    return any(goal in r.goals for r in segment.relationships)


RULES = (
    Rule(
        "costs_more_than_value",
        _("Its relationships cost more a year than the segment brings."),
        _(
            "The total cost a year (running costs plus a share of the set-up) is above the "
            "value a year."
        ),
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
    has_relationships: bool = True

    @property
    def judged(self) -> bool:
        """Whether the value is known, so that the costs can be set against it."""
        return self.figures.value_per_year is not None

    @property
    def sound(self) -> bool:
        """Judged, with relationships, and none of them breaks a rule."""
        return self.judged and self.has_relationships and not self.broken

    @property
    def serves_acquisition(self) -> bool:
        return self.figures.split.of_goal(Relationship.Goal.ACQUISITION) is not None

    @property
    def serves_retention(self) -> bool:
        return self.figures.split.of_goal(Relationship.Goal.RETENTION) is not None


def viability(segment: SegmentView, horizon_years: int) -> Viability:
    """The segment judged by every rule. No query."""
    figures = Figures.of(segment, horizon_years)
    broken = tuple(rule for rule in RULES if rule.applies(segment, figures))
    return Viability(figures, broken, has_relationships=bool(segment.relationships))


@dataclass(frozen=True)
class Economics:
    """The whole block's relationships against what its segments bring, over one year."""

    cost_per_year: Decimal  # every relationship, set-up spread over the horizon
    value_per_year: Decimal | None  # of the segments whose value is known; None if none is
    valued_segments: int  # how many segments have a known value
    segments: int
    split: CostSplit

    @property
    def cost_share(self) -> Decimal | None:
        """Cost as a percentage of value (not rounded), once every segment's value is known."""
        if not self.value_per_year or self.valued_segments < self.segments:
            return None
        return 100 * self.cost_per_year / self.value_per_year


def economics(segments: tuple[SegmentView, ...], horizon_years: int) -> Economics:
    """The figures of a whole block. No query."""
    relationships = [r for s in segments for r in s.relationships]
    values = [s.yearly_value for s in segments if s.yearly_value is not None]
    cost = sum((cost_per_year(r, horizon_years) for r in relationships), Decimal(0))
    return Economics(
        cost_per_year=cost.quantize(CENT, ROUND_HALF_UP),
        value_per_year=sum(values, Decimal(0)) if values else None,
        valued_segments=len(values),
        segments=len(segments),
        split=CostSplit.of(relationships, horizon_years),
    )


@dataclass(frozen=True)
class Figure:
    """A derived figure's name and how it is worked out, for its tooltip and the help page."""

    code: str
    label: object
    explanation: object


FIGURES = {
    figure.code: figure
    for figure in (
        Figure(
            "value_per_year",
            _("Value a year"),
            _("Estimated customers times purchases per customer a year times average spend."),
        ),
        Figure(
            "cost_per_year",
            _("Total cost a year"),
            _(
                "The running costs of a year (monthly ones twelve times) plus the set-up costs "
                "divided by the years the canvas spreads them over."
            ),
        ),
        Figure(
            "cost_share",
            _("Cost as a share of value"),
            _("The total cost a year as a percentage of the value a year."),
        ),
        Figure(
            "cost_per_customer",
            _("Cost per customer a year"),
            _("The total cost a year divided by the estimated customers."),
        ),
        Figure(
            "value_per_customer",
            _("Value of a customer a year"),
            _("The value a year divided by the estimated customers."),
        ),
        Figure(
            "acquisition_per_new_customer",
            _("Acquisition cost per new customer"),
            _(
                "The total cost a year of the relationships with acquisition as a goal, "
                "divided by the new customers you expect a year."
            ),
        ),
        Figure(
            "retention_per_customer",
            _("Retention cost per customer"),
            _(
                "The total cost a year of the relationships with retention as a goal, "
                "divided by the estimated customers."
            ),
        ),
        Figure(
            "by_goal",
            _("Cost by goal"),
            _(
                "The total cost a year of the relationships serving each goal. A relationship with "
                "several goals counts an equal part of its cost under each, so the goals add up "
                "to the whole."
            ),
        ),
        Figure(
            "by_type",
            _("Cost by type"),
            _("The total cost a year of the relationships of each type."),
        ),
    )
}
