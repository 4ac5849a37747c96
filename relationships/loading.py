"""The live block of a canvas read from the database: the same document as
``relationships.document.canvas_document``, from two queries compiled once per process
(``canvas_site.queries.CompiledQuery``): the canvas with its segments, and its relationships
with their costs, each in the block's order. ``Block.load`` builds on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404

from canvas_site.queries import CompiledQuery
from relationships.document import (
    CANVAS_FIELDS,
    CANVAS_SETTINGS,
    COST_FIELDS,
    DOCUMENT_VERSION,
    RELATIONSHIP_FIELDS,
    SEGMENT_FIELDS,
    SEGMENT_OPTIONAL,
)
from relationships.models import GOAL_VALUES, Canvas, Relationship

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


def load_document(pk: int, owner=None) -> tuple[dict, int]:
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
