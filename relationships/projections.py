"""What the block's totals, completeness and numbers read of it: its document seen without what
they never read, each a short digest. A piece kept by one of these (``relationships.cards``,
``relationships.views.numbers``) stays as it is through an edit that changed nothing it reads.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from relationships.block import Block
    from relationships.viability import Viability

# Free texts of a block and who changed what when: the numbers (totals, viability, charts) never
# read them, and completeness only asks whether each text is filled in. tests/relationships/
# test_page_cache.py changes each and checks that those pieces stay the same.
TEXTS = ("title", "description", "expectation", "interaction", "business_fit", "market_effect")
UNREAD = ("changed_by", "changed_at", "updated_at")


def _project(value, texts, unread=UNREAD):
    if isinstance(value, dict):
        return {
            name: texts(item) if name in TEXTS else _project(item, texts, unread)
            for name, item in value.items()
            if name not in unread
        }
    if isinstance(value, list):
        return [_project(item, texts, unread) for item in value]
    return value


def _none(text: str) -> None:
    return None


def _filled(text: str) -> bool:
    return bool(text.strip())


# What the block's numbers read of its document, and what its completeness reads: each a
# document with its free texts read as ``texts`` reads them. They are the same in every
# language, so the blocks of one document share them (``Block.shared``).
PROJECTIONS = {"figures": _none, "completeness_inputs": _filled}


def _projected(block: Block, name: str) -> str:
    found = block.shared.get(name)
    if found is None:
        # A digest: the keys of several pieces hold it, and the repr of a large block is long.
        read = repr(_project(block.document, PROJECTIONS[name]))
        found = block.shared[name] = hashlib.sha256(read.encode()).hexdigest()
    return found


def figures(block: Block) -> str:
    """The block as its numbers read it (a digest of it): its document without free texts or
    last changes."""
    return _projected(block, "figures")


def completeness_inputs(block: Block) -> str:
    """The block as its completeness reads it (a digest): ``figures``, and which texts are
    filled in."""
    return _projected(block, "completeness_inputs")


def projections_alike(before: dict, after: dict) -> list[str]:
    """The ``PROJECTIONS`` that read ``before`` and ``after``, one entry of a document before
    and after a change, alike: a block changed only there reads the same for them."""
    return [
        name
        for name, texts in PROJECTIONS.items()
        if _project(before, texts) == _project(after, texts)
    ]


def carried(alike: list[str], shared: dict) -> dict:
    """What of a block's ``shared`` holds for the block after a change whose entry read
    ``alike`` (``projections_alike``) before and after: those projections, and with
    ``figures`` each segment's (a part of it)."""
    return {
        name: found
        for name, found in shared.items()
        if name in alike or ("figures" in alike and name.startswith(_SEGMENT_FIGURES))
    }


_SEGMENT_FIGURES = "segment-figures-"


def segment_totals(block: Block, segment_pk: int) -> str:
    """What a segment's totals show (a digest): the segment as ``figures`` reads it, alone and
    but for its relationships' types, and what its viability makes of them
    (``_viability_shown``). A new type then leaves the totals as they were, unless it changes
    what a rule says (dedicated assistance): in the realistic mix of ``make load`` a save
    changes the type 2 times in 3."""
    name = f"{_SEGMENT_FIGURES}{segment_pk}"
    found = block.shared.get(name)
    if found is None:
        entry = next(s for s in block.document["segments"] if s["id"] == segment_pk)
        read = _project(entry, _none, (*UNREAD, "type"))
        shown = _viability_shown(block.viabilities[segment_pk])
        found = block.shared[name] = hashlib.sha256(repr((read, shown)).encode()).hexdigest()
    return found


def _viability_shown(viability: Viability) -> tuple:
    """A segment's viability as its totals show it: every figure but the cost by type (the
    numbers' chart by type shows it), the rules it breaks (by code: their texts are in the
    reader's language, which the key holds), whether it has relationships."""
    figures = viability.figures
    figures = dataclasses.replace(figures, split=dataclasses.replace(figures.split, by_type=()))
    return figures, tuple(rule.code for rule in viability.broken), viability.has_relationships
