"""The canonical JSON document of a canvas, and the one function that builds a canvas back.

One document serves four purposes: the frozen snapshot a teacher reviews, the diff between two
snapshots, export/import of a user's canvases, and rendering (``block_from_document`` gives
unsaved model instances with their children cached, which the editor's templates, the totals
and the completeness rules read exactly as they read a live, prefetched canvas).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from relationships.models import Canvas, CostItem, Relationship, Segment

DOCUMENT_VERSION = 1

CANVAS_FIELDS = ("title", "description", "currency", "business_fit", "market_effect")
SEGMENT_FIELDS = (
    "name",
    "description",
    "expected_type",
    "expectation",
    "customer_count",
    "purchases_per_year",
    "average_spend",
)
RELATIONSHIP_FIELDS = ("type", "contact", "reach", "bond", "state", "interaction")
COST_FIELDS = ("label", "amount", "frequency")
DECIMAL_FIELDS = {"purchases_per_year", "average_spend", "amount"}


class DocumentError(ValueError):
    """The document is not one this version of the product can read."""


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _decimal(name: str, value: Any) -> Any:
    if name in DECIMAL_FIELDS and value is not None:
        return Decimal(value)
    return value


def canvas_document(canvas: Canvas) -> dict:
    """The canvas as a plain, JSON-ready dict. Reads the prefetched block: no extra queries."""
    return {
        "version": DOCUMENT_VERSION,
        "id": canvas.pk,
        **{name: getattr(canvas, name) for name in CANVAS_FIELDS},
        "updated_at": canvas.updated_at.isoformat() if canvas.updated_at else None,
        "segments": [
            {
                "id": segment.pk,
                **{name: _plain(getattr(segment, name)) for name in SEGMENT_FIELDS},
                "relationships": [
                    {
                        "id": relationship.pk,
                        **{name: getattr(relationship, name) for name in RELATIONSHIP_FIELDS},
                        "goals": relationship.goals,
                        "costs": [
                            {
                                "id": cost.pk,
                                **{name: _plain(getattr(cost, name)) for name in COST_FIELDS},
                            }
                            for cost in relationship.cost_items.all()
                        ],
                    }
                    for relationship in segment.relationships.all()
                ],
            }
            for segment in canvas.segments.all()
        ],
    }


def _check_version(document: dict) -> None:
    if not isinstance(document, dict) or document.get("version") != DOCUMENT_VERSION:
        raise DocumentError(f"expected a canvas document of version {DOCUMENT_VERSION}")


def block_from_document(document: dict) -> Canvas:
    """Unsaved model instances for a document, children cached as if prefetched.

    The instances carry the ids recorded in the document, so anchors such as
    ``relationship-12`` mean the same row in a snapshot and in the live canvas it came from.
    Never save them.
    """
    _check_version(document)
    canvas = Canvas(pk=document["id"], **{k: document[k] for k in CANVAS_FIELDS})
    if document.get("updated_at"):
        canvas.updated_at = parse_datetime(document["updated_at"])
    segments = []
    for position, seg in enumerate(document["segments"]):
        segment = Segment(
            pk=seg["id"],
            canvas=canvas,
            position=position,
            **{k: _decimal(k, seg[k]) for k in SEGMENT_FIELDS},
        )
        relationships = []
        for rel_position, rel in enumerate(seg["relationships"]):
            relationship = Relationship(
                pk=rel["id"],
                segment=segment,
                position=rel_position,
                **{k: rel[k] for k in RELATIONSHIP_FIELDS},
            )
            relationship.goals = rel["goals"]
            costs = [
                CostItem(
                    pk=cost["id"],
                    relationship=relationship,
                    position=cost_position,
                    **{k: _decimal(k, cost[k]) for k in COST_FIELDS},
                )
                for cost_position, cost in enumerate(rel["costs"])
            ]
            relationship._prefetched_objects_cache = {"cost_items": costs}
            relationships.append(relationship)
        segment._prefetched_objects_cache = {"relationships": relationships}
        segments.append(segment)
    canvas._prefetched_objects_cache = {"segments": segments}
    return canvas


@transaction.atomic
def create_canvas_from_document(owner, document: dict) -> Canvas:
    """Save a new canvas (new ids) for ``owner`` from a document; validates every row first."""
    block = block_from_document(document)
    canvas = Canvas(owner=owner, **{k: getattr(block, k) for k in CANVAS_FIELDS})
    canvas.full_clean()
    canvas.save()
    for seg in block.segments.all():
        segment = Segment(canvas=canvas, **{k: getattr(seg, k) for k in SEGMENT_FIELDS})
        segment.full_clean(exclude=["canvas"])
        segment.save()
        for rel in seg.relationships.all():
            relationship = Relationship(
                segment=segment, **{k: getattr(rel, k) for k in RELATIONSHIP_FIELDS}
            )
            relationship.goals = rel.goals
            relationship.full_clean(exclude=["segment"])
            relationship.save()
            for cost in rel.cost_items.all():
                item = CostItem(
                    relationship=relationship, **{k: getattr(cost, k) for k in COST_FIELDS}
                )
                item.full_clean(exclude=["relationship"])
                item.save()
    return canvas
