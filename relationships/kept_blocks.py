"""The blocks this process served last, each at its revision: a block is loaded once, not at
every request that reads it.

A revision names one state of a canvas (every write moves it on, ``relationships.writes``),
so the block kept at a revision serves any request that asks for that revision: the page drawn
again after a save, the live view's changes. With ``updated_at`` (stamped with each revision)
it also tells apart two databases at the same revision (a restored backup).

After a form's save that PostgreSQL wrote in one statement, the write path knows that nothing
else changed since the revision before it: the block after the save is the one kept at that
revision with the saved row put in (``after_update``), the same document that loading it again
would read, without the two queries. Whatever is not kept at exactly that revision is loaded.

Who changed a row shows as the person's name, so a kept block, like the pieces kept by revision
(``relationships.cards``), shows a name changed since as it was until the next write.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db import models

from canvas_site.recent import Recent
from relationships.block import Block
from relationships.document import (
    canvas_entry,
    changed_by_at,
    cost_entry,
    relationship_entry,
    segment_entry,
)
from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.projections import carried, projections_alike

# A large canvas (10 segments of 7 relationships of 3 costs) holds some 200 KB as a block.
_kept = Recent(128)


class Written(NamedTuple):
    """A form's save as the one statement wrote it (``relationships.writes``)."""

    revision: int  # the canvas's, after it
    before: tuple[int, datetime | None]  # its revision and last change just before it
    at: datetime  # when: the row's and the canvas's stamp
    by: object | None  # who, if the card was stamped: a user, or None for nobody known
    stamped: bool  # whether the card the row shows on was stamped


def remember(block: Block) -> Block:
    if block.revision is not None:
        _kept.put(block.pk, block)
    return block


def forget() -> None:
    """Empty this process's blocks (tests start without any)."""
    _kept.clear()


def load(pk: int) -> Block:
    """``Block.load``, kept for the requests that read the same revision."""
    return _anew(remember(Block.load(pk)))


def at(pk: int, revision: int, updated_at: datetime | None) -> Block:
    """The block of canvas ``pk`` at ``revision`` as kept here, else loaded (then kept).

    The caller has checked that the user may read it (``page_state`` and the like)."""
    block = _kept.get(pk)
    if block is not None and (block.revision, block.updated_at) == (revision, updated_at):
        return _anew(block)
    return load(pk)


def _anew(block: Block) -> Block:
    """A block for this request with the kept one's views (they hold no text of the product,
    only the user's): what a block works out on first use (completeness, the charts, the
    pitch warnings) is in the reader's language, so it is worked out again."""
    return Block(block.document, block.revision, reusing=block)


def after_update(pk: int, row: models.Model, written: Written) -> Block:
    """The block of canvas ``pk`` after the one-statement save of ``row`` (``written``)."""
    block = _kept.get(pk)
    if (
        block is not None
        and written.before[0] == written.revision - 1
        and (block.revision, block.updated_at) == written.before
    ):
        changed = _with_row(block.document, row, written)
        if changed is not None:
            document, before, after = changed
            saved = Block(document, written.revision, reusing=block)
            # A text's edit: the same numbers.
            saved.shared.update(carried(projections_alike(before, after), block.shared))
            return _anew(remember(saved))
    return load(pk)


def _with_row(document: dict, row: models.Model, written: Written) -> tuple | None:
    """``document`` with ``row`` as saved, and the one entry the save changed as it was and as
    it is; None when ``row`` is not where the document has it (a relationship moved to another
    segment: its place there is not in the document)."""
    stamp = changed_by_at(written.by, written.at) if written.stamped else None
    changed = {"updated_at": written.at.isoformat()}
    if isinstance(row, Canvas):
        after = {**canvas_entry(row, document["segments"]), **changed}
        return after, _answers(document), _answers(after)
    segments = list(document["segments"])
    for index, segment in enumerate(segments):
        found = _with_row_in_segment(segment, row, stamp)
        if found is not None:
            segments[index], before, after = found
            return {**document, **changed, "segments": segments}, before, after
    return None


def _answers(document: dict) -> dict:
    """The canvas's own entry in ``document``: all but its segments."""
    return {name: value for name, value in document.items() if name != "segments"}


def _with_row_in_segment(segment: dict, row: models.Model, stamp: dict | None) -> tuple | None:
    """The segment's entry with ``row`` saved in it, and the entry of ``row`` before and after;
    None if ``row`` is not of this segment."""
    if isinstance(row, Segment):
        if row.pk != segment["id"]:
            return None
        entry = segment_entry(row, segment["relationships"], stamp or _last(segment))
        return entry, segment, entry
    relationships = list(segment["relationships"])
    for index, relationship in enumerate(relationships):
        if isinstance(row, Relationship) and row.pk == relationship["id"]:
            if row.segment_id != segment["id"]:
                return None
            entry = relationship_entry(row, relationship["costs"], stamp or _last(relationship))
            before, after = relationship, entry
        elif isinstance(row, CostItem) and row.relationship_id == relationship["id"]:
            before = next((c for c in relationship["costs"] if c["id"] == row.pk), None)
            if before is None:
                return None
            after = cost_entry(row)
            costs = [after if c is before else c for c in relationship["costs"]]
            entry = {**relationship, **(stamp or {}), "costs": costs}
        else:
            continue
        relationships[index] = entry
        return {**segment, "relationships": relationships}, before, after
    return None


def _last(entry: dict) -> dict:
    return {"changed_at": entry["changed_at"], "changed_by": entry["changed_by"]}
