"""What a teacher reads off submissions: what changed between two, and what a class tends to miss.

Both read canvas documents and blocks only: the diff compares two documents (every answer of the
block, the venture's included), and the class-wide gaps count the completeness rules
(``relationships.completeness``) that each student's newest block breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relationships.completeness import Rule
from relationships.document import (
    CANVAS_FIELDS,
    CANVAS_SETTINGS,
    COST_FIELDS,
    RELATIONSHIP_FIELDS,
    SEGMENT_FIELDS,
    SEGMENT_OPTIONAL,
)
from relationships.models import Canvas, CostItem, Relationship, RelationshipType, Segment
from relationships.pdf.planner import shorten
from relationships.templatetags.canvas_tags import money, number

if TYPE_CHECKING:
    from classrooms.models import Comment, Submission
    from relationships.block import Block

RELATIONSHIP_ANSWERS = (*RELATIONSHIP_FIELDS, "goals")
MODELS = {"canvas": Canvas, "segment": Segment, "relationship": Relationship, "cost": CostItem}
SHOWN = 160  # characters of a changed text shown before and after
# What an added or removed row shows of itself besides its name.
DETAILS = {
    "relationship": ("state", "goals"),
    "cost": ("amount", "frequency"),
}

# Each heading is a whole phrase, so that a language can agree its words ("Relación añadida").
HEADINGS = {
    ("canvas", "changed"): gettext_lazy("Venture and block answers changed"),
    ("segment", "added"): gettext_lazy("Segment added"),
    ("segment", "removed"): gettext_lazy("Segment removed"),
    ("segment", "changed"): gettext_lazy("Segment changed"),
    ("relationship", "added"): gettext_lazy("Relationship added"),
    ("relationship", "removed"): gettext_lazy("Relationship removed"),
    ("relationship", "changed"): gettext_lazy("Relationship changed"),
    ("cost", "added"): gettext_lazy("Cost added"),
    ("cost", "removed"): gettext_lazy("Cost removed"),
    ("cost", "changed"): gettext_lazy("Cost changed"),
}


@dataclass
class FieldChange:
    """One answer that changed, as the student sees it: its name, before and after."""

    name: str
    label: str
    before: str
    after: str


@dataclass
class Change:
    """One part of the block added, removed or changed between two submissions."""

    kind: str  # "added", "removed", "changed"
    what: str  # "canvas", "segment", "relationship", "cost"
    label: str
    fields: list[FieldChange] = field(default_factory=list)
    anchor: str = ""
    within: str = ""  # a cost's relationship ("Personal assistance · Offices")

    @property
    def heading(self) -> str:
        return str(HEADINGS[self.what, self.kind])


def field_label(what: str, name: str) -> str:
    """A field's name as the student sees it."""
    if name == "goals":
        return _("goals")
    try:
        return str(MODELS[what]._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _shown(what: str, name: str, value, currency: str) -> str:
    """A stored value as the student reads it: a label, a number, a shortened text."""
    if value in (None, "", []):
        return "—"
    if name == "goals":
        return ", ".join(str(Relationship.Goal(g).label) for g in value if g in Relationship.Goal)
    if name in ("amount", "average_spend"):
        return money(value, currency)
    if name in ("customer_count", "purchases_per_year", "new_customers_per_year"):
        return number(value)
    model_field = MODELS[what]._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return shorten(str(value), SHOWN)


def _as_added(what: str, row: dict, names, currency: str, removed: bool = False):
    """An added (or removed) row's answers, as changes from (or to) nothing."""
    nothing = dict.fromkeys(names)
    old, new = (row, nothing) if removed else (nothing, row)
    return _field_changes(what, old, new, names, currency)


def _texts(what: str, name: str, old, new) -> bool:
    """Whether both values are texts the student wrote (not choices, numbers or nothing)."""
    if name == "goals" or not all(isinstance(value, str) and value for value in (old, new)):
        return False
    model_field = MODELS[what]._meta.get_field(name)
    return isinstance(model_field, models.CharField | models.TextField) and not model_field.choices


def _excerpts(before: str, after: str) -> tuple[str, str]:
    """Two long texts shown from a little before where they start to differ, so that the
    change itself is in sight and not cut off after their common opening."""
    common = 0
    for a, b in zip(before, after, strict=False):
        if a != b:
            break
        common += 1
    start = before.rfind(" ", 0, max(0, common - 40)) + 1 if common > SHOWN // 2 else 0
    lead = "…" if start else ""
    return lead + shorten(before[start:], SHOWN), lead + shorten(after[start:], SHOWN)


def _field_changes(what: str, old: dict, new: dict, names, currency: str) -> list[FieldChange]:
    """Each answer that differs, with what it was and what it is ("—" for nothing)."""
    changes = []
    for name in names:
        if old.get(name) == new.get(name):
            continue
        if _texts(what, name, old.get(name), new.get(name)):
            before, after = _excerpts(old[name], new[name])
        else:
            before = _shown(what, name, old.get(name), currency)
            after = _shown(what, name, new.get(name), currency)
        changes.append(FieldChange(name, field_label(what, name), before, after))
    return changes


def _by_id(rows: list[dict]) -> dict:
    return {row["id"]: row for row in rows}


def _relationship_label(rel: dict, segment: dict) -> str:
    kind = dict(RelationshipType.choices).get(rel["type"], "?")
    return f"{kind} · {segment['name']}"


class _Differ:
    """Walks two documents side by side and collects the changes in the block's order."""

    def __init__(self, old: dict, new: dict) -> None:
        self.currency = new.get("currency", "EUR")
        self.changes: list[Change] = []
        self.walk(old, new)

    def compare(self, what, old, new, names, label, anchor, within="") -> None:
        if old is None:
            fields = _as_added(what, new, DETAILS.get(what, ()), self.currency)
            self.changes.append(Change("added", what, label, fields, anchor, within))
        elif fields := _field_changes(what, old, new, names, self.currency):
            self.changes.append(Change("changed", what, label, fields, anchor, within))

    def removed(self, what, old_rows: dict, new_rows: dict, label, anchor="", within="") -> None:
        details = DETAILS.get(what, ())
        self.changes += [
            Change(
                "removed",
                what,
                label(row),
                _as_added(what, row, details, self.currency, removed=True),
                anchor,
                within,
            )
            for row_id, row in old_rows.items()
            if row_id not in new_rows
        ]

    def walk(self, old: dict, new: dict) -> None:
        settings = (
            *CANVAS_FIELDS,
            *CANVAS_SETTINGS,
        )  # a document from before a setting: its default
        self.compare(
            "canvas",
            {**CANVAS_SETTINGS, **old},
            {**CANVAS_SETTINGS, **new},
            settings,
            new["title"],
            "canvas-header",
        )
        old_segments, new_segments = _by_id(old["segments"]), _by_id(new["segments"])
        for seg_id, seg in new_segments.items():
            before = old_segments.get(seg_id)
            anchor = f"segment-{seg_id}"
            self.compare(
                "segment",
                before and {**SEGMENT_OPTIONAL, **before},
                {**SEGMENT_OPTIONAL, **seg},
                (*SEGMENT_FIELDS, *SEGMENT_OPTIONAL),
                seg["name"],
                anchor,
            )
            self.walk_relationships((before or {}).get("relationships", []), seg)
        self.removed("segment", old_segments, new_segments, lambda s: s["name"])

    def walk_relationships(self, old_rows: list[dict], segment: dict) -> None:
        old_rels, new_rels = _by_id(old_rows), _by_id(segment["relationships"])
        for rel_id, rel in new_rels.items():
            before = old_rels.get(rel_id)
            anchor = f"relationship-{rel_id}"
            label = _relationship_label(rel, segment)
            self.compare("relationship", before, rel, RELATIONSHIP_ANSWERS, label, anchor)
            old_costs, new_costs = _by_id((before or {}).get("costs", [])), _by_id(rel["costs"])
            for cost_id, cost in new_costs.items():
                before_cost = old_costs.get(cost_id)
                self.compare(
                    "cost", before_cost, cost, COST_FIELDS, cost["label"], anchor, within=label
                )
            self.removed("cost", old_costs, new_costs, lambda c: c["label"], anchor, label)
        self.removed("relationship", old_rels, new_rels, lambda r: _relationship_label(r, segment))


def diff_documents(old: dict, new: dict) -> list[Change]:
    """Everything added, removed or changed from ``old`` to ``new``: the venture and its
    answers, segments, relationships and costs, each changed answer with before and after."""
    return _Differ(old, new).changes


# --- the previous round's comments --------------------------------------------------------


@dataclass
class PastComment:
    """A comment of the round the teacher reviewed, seen from the version handed in since."""

    comment: Comment
    place: str  # what it was about, "" for the whole canvas
    anchor: str  # where that is in the new version, "" if it is gone or the whole canvas
    answers: list[Comment] = field(default_factory=list)  # the student's, at the same place

    @property
    def is_resolved(self) -> bool:
        return self.comment.resolved_at is not None


def past_comments(previous: Submission, current: Submission) -> list[PastComment]:
    """The teacher's comments on ``previous`` that the student read, open ones first."""
    public = [c for c in previous.comments.select_related("author") if not c.is_private]
    answers: dict[str, list[Comment]] = {}
    for comment in public:
        if comment.author_id == previous.student_id:
            answers.setdefault(comment.anchor, []).append(comment)
    still_there = current.block.anchors
    rows = [
        PastComment(
            comment,
            previous.block.place(comment.anchor),
            comment.anchor if comment.anchor in still_there and comment.anchor else "",
            [a for a in answers.get(comment.anchor, []) if a.created_at >= comment.created_at],
        )
        for comment in public
        if comment.author_id != previous.student_id
    ]
    return sorted(rows, key=lambda row: row.is_resolved)


# --- what a class tends to miss -------------------------------------------------------------

# The completeness rules as a teacher reads them of a class ("3 of 20 students ...").
CLASS_WORDING = {
    Rule.FIRST_SEGMENT: gettext_lazy("have no customer segment yet"),
    Rule.SEGMENT_RELATIONSHIP: gettext_lazy("have a segment with no relationship"),
    Rule.RELATIONSHIP_COST: gettext_lazy("leave some relationship without a cost"),
    Rule.EXPECTATION_MET: gettext_lazy(
        "have a segment whose expectation no established relationship meets"
    ),
    Rule.SEGMENT_EXPECTATION: gettext_lazy("do not say what some segment expects"),
    Rule.SEGMENT_VALUE: gettext_lazy("do not estimate what some segment is worth"),
    Rule.RELATIONSHIP_INTERACTION: gettext_lazy(
        "do not say how they interact in some relationship"
    ),
    Rule.DESCRIPTION: gettext_lazy("do not describe the venture"),
    Rule.BUSINESS_FIT: gettext_lazy("do not say how the block fits the business model"),
    Rule.MARKET_EFFECT: gettext_lazy("do not state the effect wanted on the market"),
}


@dataclass
class ClassGap:
    """How many of a class's blocks break one completeness rule."""

    rule: Rule | str  # a completeness rule, or the code of a viability rule
    text: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


# The viability rules (relationships/viability.py) as a teacher reads them of a class.
VIABILITY_WORDING = {
    "costs_more_than_value": gettext_lazy(
        "have a segment whose relationships cost more than it brings"
    ),
    "long_term_without_retention": gettext_lazy(
        "want a long-term bond with a segment but nothing to keep its customers"
    ),
    "dedicated_costs_more_than_customer": gettext_lazy(
        "spend more on dedicated assistance per customer than a customer brings"
    ),
}


def _broken(block: Block) -> set:
    """The completeness rules and viability rules ``block`` breaks, by name."""
    return block.completeness.broken_rules


def class_gaps(blocks: list[Block]) -> list[ClassGap]:
    """Each completeness or viability rule with the number of ``blocks`` that break it, most
    common first. Rules no block breaks are left out."""
    broken = [_broken(block) for block in blocks]
    wording = {**CLASS_WORDING, **VIABILITY_WORDING}
    gaps = [
        ClassGap(rule, str(text), sum(1 for rules in broken if rule in rules), len(blocks))
        for rule, text in wording.items()
    ]
    return sorted((gap for gap in gaps if gap.count), key=lambda gap: -gap.count)
