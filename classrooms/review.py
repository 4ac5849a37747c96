"""What a teacher reads off submissions: the diff between two, and what a class tends to miss."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relationships.document import COST_FIELDS, RELATIONSHIP_FIELDS, SEGMENT_FIELDS
from relationships.models import Canvas, CostItem, Relationship, Segment


@dataclass
class Change:
    """One row added, removed or changed between two submissions."""

    kind: str  # "added", "removed", "changed"
    what: str  # "segment", "relationship", "cost"
    label: str
    fields: list[str] = field(default_factory=list)
    anchor: str = ""


def _by_id(rows: list[dict]) -> dict:
    return {row["id"]: row for row in rows}


def _changed_fields(old: dict, new: dict, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if old.get(name) != new.get(name)]


def _relationship_label(rel: dict, segment: dict) -> str:
    kind = Relationship.Type(rel["type"]).label if rel["type"] in Relationship.Type.values else "?"
    return f"{kind} · {segment['name']}"


def diff_documents(old: dict, new: dict) -> list[Change]:
    """Every segment, relationship and cost added, removed or changed from ``old`` to ``new``."""
    changes: list[Change] = []
    old_segments, new_segments = _by_id(old["segments"]), _by_id(new["segments"])
    for seg_id, seg in new_segments.items():
        anchor = f"segment-{seg_id}"
        before = old_segments.get(seg_id)
        if before is None:
            changes.append(Change("added", "segment", seg["name"], anchor=anchor))
            before = {"relationships": []}
        elif fields := _changed_fields(before, seg, SEGMENT_FIELDS):
            changes.append(Change("changed", "segment", seg["name"], fields, anchor))
        old_rels, new_rels = _by_id(before["relationships"]), _by_id(seg["relationships"])
        for rel_id, rel in new_rels.items():
            label = _relationship_label(rel, seg)
            rel_anchor = f"relationship-{rel_id}"
            before_rel = old_rels.get(rel_id)
            if before_rel is None:
                changes.append(Change("added", "relationship", label, anchor=rel_anchor))
                before_rel = {"costs": []}
            elif fields := _changed_fields(before_rel, rel, (*RELATIONSHIP_FIELDS, "goals")):
                changes.append(Change("changed", "relationship", label, fields, rel_anchor))
            old_costs, new_costs = _by_id(before_rel["costs"]), _by_id(rel["costs"])
            for cost_id, cost in new_costs.items():
                if cost_id not in old_costs:
                    changes.append(Change("added", "cost", cost["label"], anchor=rel_anchor))
                elif fields := _changed_fields(old_costs[cost_id], cost, COST_FIELDS):
                    changes.append(Change("changed", "cost", cost["label"], fields, rel_anchor))
            changes += [
                Change("removed", "cost", cost["label"], anchor=rel_anchor)
                for cost_id, cost in old_costs.items()
                if cost_id not in new_costs
            ]
        changes += [
            Change("removed", "relationship", _relationship_label(rel, seg))
            for rel_id, rel in old_rels.items()
            if rel_id not in new_rels
        ]
    changes += [
        Change("removed", "segment", seg["name"])
        for seg_id, seg in old_segments.items()
        if seg_id not in new_segments
    ]
    return changes


@dataclass
class ClassGap:
    """How many of a class's canvases share one weakness."""

    text: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


GAP_CHECKS = [
    (
        gettext_lazy("have a segment with no relationship"),
        lambda c: any(not s.relationship_list for s in c.segment_list),
    ),
    (
        gettext_lazy("put no cost on any relationship"),
        lambda c: not any(r.cost_list for s in c.segment_list for r in s.relationship_list),
    ),
    (
        gettext_lazy("leave some relationship without a cost"),
        lambda c: any(not r.cost_list for s in c.segment_list for r in s.relationship_list),
    ),
    (
        gettext_lazy("have no co-creation at all"),
        lambda c: (
            not any(
                r.type == Relationship.Type.CO_CREATION
                for s in c.segment_list
                for r in s.relationship_list
            )
        ),
    ),
    (
        gettext_lazy("have a segment whose expectation no established relationship meets"),
        lambda c: any(not s.expectation_met() for s in c.segment_list),
    ),
    (
        gettext_lazy("do not say how the block fits the business model"),
        lambda c: not c.business_fit.strip(),
    ),
    (
        gettext_lazy("do not state the effect wanted on the market"),
        lambda c: not c.market_effect.strip(),
    ),
]


def class_gaps(blocks: list[Canvas]) -> list[ClassGap]:
    """Each weakness with the number of ``blocks`` that show it, most common first."""
    gaps = [
        ClassGap(str(text), sum(1 for block in blocks if check(block)), len(blocks))
        for text, check in GAP_CHECKS
    ]
    return sorted(gaps, key=lambda gap: -gap.count)


def field_label(name: str) -> str:
    """A changed field's name as the student sees it."""
    if name == "goals":
        return _("goals")
    for model in (Segment, Relationship, CostItem):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name
