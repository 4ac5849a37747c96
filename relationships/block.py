"""The block, read once: the one read-only view of a canvas that every page, PDF and diff reads.

A ``Block`` holds the canvas's segments with their relationships and cost items, every total
(set-up, running per year, value per year; per relationship, segment and canvas), the first and
last flags the arrows need and the anchors comments point at. It is built from a canvas
document (``relationships.document``), so a live canvas and a frozen submission look exactly
the same to a template:

- ``Block.load(pk)``: the live canvas, two queries whatever its size (compiled once per
  process, see ``CompiledQuery``); ``Block.from_canvas(canvas)``: one loaded with
  ``Canvas.objects.with_block()`` (four queries);
- ``Block.from_document(document)``: a snapshot, no query.

Nothing here is ever saved: changes go through ``relationships.writes``. Templates format what
they read (money, numbers) and compute nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from babel.numbers import get_currency_name
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import template_localtime

from relationships.document import (
    CANVAS_SETTINGS,
    RELATIONSHIP_FIELDS,
    SEGMENT_FIELDS,
    SEGMENT_OPTIONAL,
    canvas_document,
)
from relationships.loading import load_document
from relationships.models import (
    GOAL_VALUES,
    ZERO,
    Canvas,
    CostItem,
    Relationship,
    RelationshipType,
)
from relationships.numbers import reader_locale

if TYPE_CHECKING:
    from relationships.charts import Chart
    from relationships.completeness import Completeness
    from relationships.pdf.warnings import PitchWarning
    from relationships.viability import Economics, Viability

CENT = Decimal("0.01")


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _label(choices, value: str) -> str:
    """A choice's label in the active language; an unknown value shows as it is."""
    try:
        return str(choices(value).label)
    except ValueError:  # (``choices.values`` would build the list of them on every call)
        return value


# A card's last change, each language its way (canvas_site/formats): "2 dic 2026, 16:50",
# "2 Dec 2026, 4:50 p.m.".
CHANGED_FORMAT = "CHANGED_DATETIME_FORMAT"


@dataclass(frozen=True, eq=False)
class CostLine:
    """One cost item: a set-up amount, or a running one per month or per year."""

    pk: int
    label: str
    amount: Decimal
    frequency: str
    is_first: bool
    is_last: bool

    @property
    def is_setup(self) -> bool:
        return self.frequency == CostItem.Frequency.ONE_OFF

    @property
    def setup(self) -> Decimal | None:
        """The amount if it is paid once, else None (a blank cell in the report's table)."""
        return self.amount if self.is_setup else None

    @property
    def monthly(self) -> Decimal | None:
        return self.amount if self.frequency == CostItem.Frequency.MONTHLY else None

    @property
    def yearly(self) -> Decimal | None:
        """What the item costs in a year of running; None for a set-up cost."""
        if self.frequency == CostItem.Frequency.MONTHLY:
            return self.amount * 12
        if self.frequency == CostItem.Frequency.YEARLY:
            return self.amount
        return None

    def get_frequency_display(self) -> str:
        return _label(CostItem.Frequency, self.frequency)


@dataclass(frozen=True, eq=False)
class RelationshipView:
    """One relationship with a segment, its costs and their totals."""

    pk: int
    segment_pk: int
    segment_name: str
    type: str
    contact: str
    reach: str
    bond: str
    goals: tuple[str, ...]
    state: str
    interaction: str
    costs: tuple[CostLine, ...]
    currency: str
    is_first: bool
    is_last: bool
    changed_by: str | None = None  # who last changed the card (a name), and when
    changed_at: datetime | None = None
    setup_cost: Decimal = field(init=False)
    yearly_cost: Decimal = field(init=False)
    monthly_cost: Decimal = field(init=False)

    def __post_init__(self) -> None:
        totals = {
            "setup_cost": sum((c.setup for c in self.costs if c.setup is not None), ZERO),
            "yearly_cost": sum((c.yearly for c in self.costs if c.yearly is not None), ZERO),
            "monthly_cost": sum((c.monthly for c in self.costs if c.monthly is not None), ZERO),
        }
        for name, value in totals.items():
            object.__setattr__(self, name, value)

    @property
    def anchor(self) -> str:
        """The id of the card on a page, and of the comments anchored to it."""
        return f"relationship-{self.pk}"

    @property
    def is_planned(self) -> bool:
        return self.state == Relationship.State.PLANNED

    @property
    def changed_when(self) -> str:
        """When the card was last changed, as its card says it: in the active language and
        time zone, to the minute ("2 dic 2026, 16:50", "2 Dec 2026, 4:50 p.m.")."""
        if self.changed_at is None:
            return ""
        return date_format(template_localtime(self.changed_at), CHANGED_FORMAT)

    @property
    def is_established(self) -> bool:
        return self.state == Relationship.State.ESTABLISHED

    def get_type_display(self) -> str:
        return _label(RelationshipType, self.type)

    def get_contact_display(self) -> str:
        return _label(Relationship.Contact, self.contact)

    def get_reach_display(self) -> str:
        return _label(Relationship.Reach, self.reach)

    def get_bond_display(self) -> str:
        return _label(Relationship.Bond, self.bond)

    def get_state_display(self) -> str:
        return _label(Relationship.State, self.state)

    def get_goals_display(self) -> list[str]:
        return [_label(Relationship.Goal, goal) for goal in self.goals]

    @property
    def label(self) -> str:
        """How a list names it: its type and its segment."""
        return f"{self.get_type_display()} · {self.segment_name}"


@dataclass(frozen=True, eq=False)
class SegmentView:
    """A customer segment with its relationships, what they cost and what it is worth."""

    pk: int
    name: str
    description: str
    expected_type: str
    expectation: str
    customer_count: int | None
    purchases_per_year: Decimal | None
    average_spend: Decimal | None
    new_customers_per_year: int | None
    relationships: tuple[RelationshipView, ...]
    is_first: bool
    is_last: bool
    changed_by: str | None = None
    changed_at: datetime | None = None
    setup_cost: Decimal = field(init=False)
    yearly_cost: Decimal = field(init=False)
    yearly_value: Decimal | None = field(init=False)
    expectation_met: bool = field(init=False)

    def __post_init__(self) -> None:
        rels = self.relationships
        figures = (self.customer_count, self.purchases_per_year, self.average_spend)
        value = None
        if None not in figures:
            value = (self.customer_count * self.purchases_per_year * self.average_spend).quantize(
                CENT
            )
        met = not self.expected_type or any(
            r.type == self.expected_type and r.is_established for r in rels
        )
        object.__setattr__(self, "setup_cost", sum((r.setup_cost for r in rels), ZERO))
        object.__setattr__(self, "yearly_cost", sum((r.yearly_cost for r in rels), ZERO))
        object.__setattr__(self, "yearly_value", value)
        object.__setattr__(self, "expectation_met", met)

    @property
    def anchor(self) -> str:
        """The id of the segment's column on a page, and of the comments anchored to it."""
        return f"segment-{self.pk}"

    def get_expected_type_display(self) -> str:
        return _label(RelationshipType, self.expected_type) if self.expected_type else ""

    def __str__(self) -> str:
        return self.name


class Block:
    """A canvas's Customer Relationships block, read-only, with everything already computed.

    ``completeness`` and ``pitch_warnings`` are worked out on first use, once; the rest when
    the block is built.
    """

    def __init__(
        self, document: dict, revision: int | None = None, reusing: Block | None = None
    ) -> None:
        """``reusing``: a block whose document shares the very segment entries (the same
        dicts, unchanged) with this one, where they stand in the same places: their views
        are taken as they are (``relationships.kept_blocks``, a block after a save).

        ``shared``: what is worked out of the document the same in every language
        (``relationships.projections``), shared with ``reusing`` if it has the same one.
        """
        self.document = document
        self.shared: dict[str, Any] = (
            reusing.shared if reusing is not None and reusing.document is document else {}
        )
        self.revision = revision
        self.pk: int = document["id"]
        self.title: str = document["title"]
        self.description: str = document["description"]
        self.currency: str = document["currency"]
        self.business_fit: str = document["business_fit"]
        self.market_effect: str = document["market_effect"]
        self.horizon_years: int = document.get("horizon_years", CANVAS_SETTINGS["horizon_years"])
        self.updated_at: datetime | None = _datetime(document.get("updated_at"))
        entries = document["segments"]
        before = ()
        if reusing is not None and reusing.currency == self.currency:
            before = reusing.document["segments"]
            before = before if len(before) == len(entries) else ()
        self.segments: tuple[SegmentView, ...] = tuple(
            reusing.segments[index]
            if index < len(before) and before[index] is data
            else _segment(data, index, len(entries), self.currency)
            for index, data in enumerate(entries)
        )
        self.relationships: tuple[RelationshipView, ...] = tuple(
            r for s in self.segments for r in s.relationships
        )
        self.setup_cost = sum((s.setup_cost for s in self.segments), ZERO)
        self.yearly_cost = sum((s.yearly_cost for s in self.segments), ZERO)
        self.monthly_cost = sum((r.monthly_cost for r in self.relationships), ZERO)
        values = [s.yearly_value for s in self.segments if s.yearly_value is not None]
        self.yearly_value = sum(values, ZERO) if values else None
        self.established_count = sum(1 for r in self.relationships if r.is_established)
        self.planned_count = len(self.relationships) - self.established_count

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def from_document(cls, document: dict) -> Block:
        """The block of a snapshot (a submission, an export). No query."""
        return cls(document)

    @classmethod
    def from_canvas(cls, canvas: Canvas) -> Block:
        """The block of a canvas loaded with ``Canvas.objects.with_block()``. No further query."""
        return cls(canvas_document(canvas), revision=canvas.revision)

    @classmethod
    def load(cls, pk: int, owner=None) -> Block:
        """The live block of canvas ``pk`` (of ``owner``, when given): two queries.

        The same document as ``from_canvas`` (``canvas_document``), read as plain rows by
        queries compiled once per process: a save and a page render from it, and building the
        prefetch querysets cost five times what the database takes to answer them.

        Raises Http404 if there is no such canvas (deleted in another tab, or not theirs).
        """
        return cls(*load_document(pk, owner))

    # --- reading ----------------------------------------------------------------------------

    def __str__(self) -> str:
        return self.title

    @property
    def currency_in_words(self) -> str:
        """The currency as a person says amounts in it: "euros", "pesos mexicanos"."""
        return get_currency_name(self.currency, count=2, locale=reader_locale())

    @property
    def cost_lines(self) -> list[tuple[SegmentView, RelationshipView, CostLine]]:
        """Every cost item of the block with its segment and relationship, in order."""
        return [(s, r, c) for s in self.segments for r in s.relationships for c in r.costs]

    @property
    def costed_segments(self) -> list[tuple[SegmentView, list[RelationshipView]]]:
        """Each segment with its relationships that have costs, in order; a segment none of
        whose relationships has a cost is left out (the report's table of costs)."""
        costed = [(s, [r for r in s.relationships if r.costs]) for s in self.segments]
        return [(segment, relationships) for segment, relationships in costed if relationships]

    def segment(self, pk: int) -> SegmentView | None:
        return next((s for s in self.segments if s.pk == pk), None)

    def relationship(self, pk: int) -> RelationshipView | None:
        return next((r for r in self.relationships if r.pk == pk), None)

    def place(self, anchor: str) -> str:
        """What ``anchor`` names, as a list says it: a segment, a relationship; "" otherwise."""
        for segment in self.segments:
            if segment.anchor == anchor:
                return segment.name
        found = next((r for r in self.relationships if r.anchor == anchor), None)
        return found.label if found else ""

    @property
    def anchors(self) -> set[str]:
        """Every place of the block a comment may point at; "" is the whole canvas."""
        return {""} | {s.anchor for s in self.segments} | {r.anchor for r in self.relationships}

    @cached_property
    def completeness(self) -> Completeness:
        """The score out of 100 and what is still missing, in the student's words."""
        from relationships.completeness import assess

        return assess(self)

    @cached_property
    def viabilities(self) -> dict[int, Viability]:
        """Each segment's figures and what its relationships fail at, by segment id."""
        from relationships.viability import viability

        return {s.pk: viability(s, self.horizon_years) for s in self.segments}

    @cached_property
    def economics(self) -> Economics:
        """The block's yearly cost against its value, and its cost by goal and by type."""
        from relationships.viability import economics

        return economics(self.segments, self.horizon_years)

    @cached_property
    def charts(self) -> list[Chart]:
        """The charts of the block's numbers that have something to show."""
        from relationships.charts import charts

        return charts(self)

    @cached_property
    def pitch_warnings(self) -> list[PitchWarning]:
        """What the one-page PDF would shorten or leave out, in the writer's words."""
        from relationships.pdf.warnings import pitch_overflow

        return pitch_overflow(self)


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    return parse_datetime(value)


def _segment(data: dict, index: int, count: int, currency: str) -> SegmentView:
    relationships = data["relationships"]
    figures = {name: _decimal(data[name]) for name in ("purchases_per_year", "average_spend")}
    return SegmentView(
        pk=data["id"],
        **{name: data[name] for name in SEGMENT_FIELDS if name not in figures},
        **figures,
        **{name: data.get(name, default) for name, default in SEGMENT_OPTIONAL.items()},
        relationships=tuple(
            _relationship(rel, data, i, len(relationships), currency)
            for i, rel in enumerate(relationships)
        ),
        is_first=index == 0,
        is_last=index == count - 1,
        **_last_change(data),
    )


def _last_change(data: dict) -> dict:
    return {"changed_by": data.get("changed_by"), "changed_at": _datetime(data.get("changed_at"))}


def _relationship(
    data: dict, segment: dict, index: int, count: int, currency: str
) -> RelationshipView:
    costs = data["costs"]
    return RelationshipView(
        pk=data["id"],
        segment_pk=segment["id"],
        segment_name=segment["name"],
        **{name: data[name] for name in RELATIONSHIP_FIELDS},
        goals=tuple(g for g in GOAL_VALUES if g in data["goals"]),
        costs=tuple(
            CostLine(
                pk=cost["id"],
                label=cost["label"],
                amount=Decimal(cost["amount"]),
                frequency=cost["frequency"],
                is_first=i == 0,
                is_last=i == len(costs) - 1,
            )
            for i, cost in enumerate(costs)
        ),
        currency=currency,
        is_first=index == 0,
        is_last=index == count - 1,
        **_last_change(data),
    )
