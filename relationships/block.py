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

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from babel.numbers import get_currency_name
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.http import Http404
from django.utils.dateparse import parse_datetime

from relationships.document import (
    CANVAS_FIELDS,
    CANVAS_SETTINGS,
    COST_FIELDS,
    DOCUMENT_VERSION,
    RELATIONSHIP_FIELDS,
    SEGMENT_FIELDS,
    SEGMENT_OPTIONAL,
    canvas_document,
)
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
    from relationships.pdf.planner import PitchWarning
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

    def __init__(self, document: dict, revision: int | None = None) -> None:
        self.document = document
        self.revision = revision
        self.pk: int = document["id"]
        self.title: str = document["title"]
        self.description: str = document["description"]
        self.currency: str = document["currency"]
        self.business_fit: str = document["business_fit"]
        self.market_effect: str = document["market_effect"]
        self.horizon_years: int = document.get("horizon_years", CANVAS_SETTINGS["horizon_years"])
        self.updated_at: datetime | None = _datetime(document.get("updated_at"))
        self.segments: tuple[SegmentView, ...] = tuple(
            _segment(data, index, len(document["segments"]), self.currency)
            for index, data in enumerate(document["segments"])
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
        return cls(*_load_document(pk, owner))

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
        from relationships.pdf.planner import pitch_overflow

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


# --- loading the live block -------------------------------------------------------------------

# Ids no row has, put in a queryset in place of the real ones when it is compiled: negative, and
# within a 32-bit column's range (the ORM drops a lookup on a value no column can hold).
_STAND_INS = (-2_073_400_001, -2_073_400_002, -2_073_400_003)
_ID_RANGE = (-(2**31), 2**31 - 1)  # what every id column holds, 32-bit or 64-bit


class CompiledQuery:
    """An ORM query compiled to SQL once per database connection, then run again with new ids.

    On the hot paths (the canvas page, a save) building and compiling a queryset costs far more
    CPU than the database takes to answer it (the page's access query: some 6 ms to compile,
    0.3 ms to run), and they ask the same questions about other ids. ``build(*ids)`` returns a
    ``values_list`` queryset for ``arity`` stand-in ids; each must reach the SQL as a parameter
    (checked when compiling), and is swapped for the real id on each run. The rows are
    converted as the ORM converts them (decimals, dates, booleans); one query per ``rows``.
    """

    def __init__(self, build: Callable[..., QuerySet], arity: int = 1) -> None:
        self.build = build
        self.arity = arity
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection, using: str) -> tuple:
        stand_ins = _STAND_INS[: self.arity]
        compiler = self.build(*stand_ins).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(
            stand_ins.index(p) if type(p) is int and p in stand_ins else None for p in params
        )
        for index, stand_in in enumerate(stand_ins):
            if str(stand_in) in sql or index not in slots:
                raise ValueError(f"id {index} of the query does not reach it as a parameter")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        self._compiled[connection] = compiled = (sql, tuple(params), slots, converters)
        return compiled

    def rows(self, *ids: int, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        if not all(_ID_RANGE[0] <= i <= _ID_RANGE[1] for i in ids):
            # No row has such an id (an address typed by hand): the ORM answers it without the
            # database, which would refuse a number its column cannot hold.
            return list(self.build(*ids).using(using))
        connection = connections[using]
        compiled = self._compiled.get(connection) or self._compile(connection, using)
        sql, params, slots, converters = compiled
        values = [p if slot is None else ids[slot] for p, slot in zip(params, slots, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            converted.append(tuple(row))
        return converted


_LAST_CHANGE = ("changed_at", "changed_by_id", "changed_by__first_name", "changed_by__last_name")
_LAST_CHANGE += ("changed_by__username",)
_CANVAS = ("id", *CANVAS_FIELDS, *CANVAS_SETTINGS, "updated_at", "revision")
_SEGMENT = ("id", *SEGMENT_FIELDS, *SEGMENT_OPTIONAL, *_LAST_CHANGE)
_GOALS = tuple(f"goal_{goal}" for goal in GOAL_VALUES)
_RELATIONSHIP = ("id", "segment_id", *RELATIONSHIP_FIELDS, *_GOALS, *_LAST_CHANGE)
_COST = ("id", *COST_FIELDS)


def _joined(first: tuple[str, ...], then: str, second: tuple[str, ...]) -> list[str]:
    return [*first, *(f"{then}__{name}" for name in second)]


# Two queries: the canvas with its segments, and its relationships with their costs (a row
# without children comes once, its children's columns empty), each in the block's order.
_SEGMENT_ORDER = ("segments__position", "segments__id")


def _canvas_query(pk: int, owner: int | None = None):
    canvases = Canvas.objects.filter(pk=pk)
    if owner is not None:
        canvases = canvases.filter(owner_id=owner)
    return canvases.order_by(*_SEGMENT_ORDER).values_list(*_joined(_CANVAS, "segments", _SEGMENT))


_CANVAS_ROWS = CompiledQuery(_canvas_query)
_OWNED_CANVAS_ROWS = CompiledQuery(_canvas_query, 2)
_RELATIONSHIP_ROWS = CompiledQuery(
    lambda pk: (
        Relationship.objects.filter(segment__canvas_id=pk)
        .order_by("position", "id", "cost_items__position", "cost_items__id")
        .values_list(*_joined(_RELATIONSHIP, "cost_items", _COST))
    )
)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _changed(row: dict) -> dict:
    """Who last changed a row and when, as ``relationships.document.last_change`` says it."""
    by = None
    if row["changed_by_id"] is not None:
        user = get_user_model()(
            first_name=row["changed_by__first_name"],
            last_name=row["changed_by__last_name"],
            username=row["changed_by__username"],
        )
        by = user.get_full_name() or user.get_username()
    at = row["changed_at"]
    return {"changed_at": at.isoformat() if at else None, "changed_by": by}


def _split(values: tuple, first: tuple[str, ...], second: tuple[str, ...]):
    """A joined row as two dicts: the parent's, and its child's (None if it has none)."""
    parent = dict(zip(first, values[: len(first)], strict=True))
    child = dict(zip(second, values[len(first) :], strict=True))
    return parent, (child if child["id"] is not None else None)


def _load_document(pk: int, owner=None) -> tuple[dict, int]:
    """``canvas_document`` of canvas ``pk`` and its revision, from two compiled queries."""
    rows = _CANVAS_ROWS.rows(pk) if owner is None else _OWNED_CANVAS_ROWS.rows(pk, owner.pk)
    if not rows:
        raise Http404("No such canvas.")
    relationships: dict[int, list] = {}
    costs_of: dict[int, list] = {}
    for values in _RELATIONSHIP_ROWS.rows(pk):
        row, cost = _split(values, _RELATIONSHIP, _COST)
        if row["id"] not in costs_of:
            costs_of[row["id"]] = []
            relationships.setdefault(row["segment_id"], []).append(
                {
                    "id": row["id"],
                    **{name: row[name] for name in RELATIONSHIP_FIELDS},
                    "goals": [g for g, c in zip(GOAL_VALUES, _GOALS, strict=True) if row[c]],
                    **_changed(row),
                    "costs": costs_of[row["id"]],
                }
            )
        if cost is not None:
            cost = {"id": cost["id"], **{name: _plain(cost[name]) for name in COST_FIELDS}}
            costs_of[row["id"]].append(cost)
    segments = []
    for values in rows:
        canvas, row = _split(values, _CANVAS, _SEGMENT)
        if row is not None:
            segments.append(
                {
                    "id": row["id"],
                    **{name: _plain(row[name]) for name in (*SEGMENT_FIELDS, *SEGMENT_OPTIONAL)},
                    **_changed(row),
                    "relationships": relationships.get(row["id"], []),
                }
            )
    updated_at = canvas["updated_at"]
    document = {
        "version": DOCUMENT_VERSION,
        "id": canvas["id"],
        **{name: canvas[name] for name in (*CANVAS_FIELDS, *CANVAS_SETTINGS)},
        "updated_at": updated_at.isoformat() if updated_at else None,
        "segments": segments,
    }
    return document, canvas["revision"]
