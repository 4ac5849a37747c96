"""What the one-page pitch will shorten or leave out, said in the editor before export
(``Block.pitch_warnings``). Reads the plan of ``relationships.pdf.planner``: no query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from canvas_site.recent import Recent
from relationships.pdf.planner import (
    DESCRIPTION_LIMIT,
    SEGMENT_NAME_LIMIT,
    SIZES,
    TITLE_LIMIT,
    plan_pitch,
    shorten,
)

if TYPE_CHECKING:
    from relationships.block import Block, SegmentView


@dataclass(frozen=True)
class PitchWarning:
    """An item the one-page PDF shortens, and the id of the place to edit it."""

    text: str
    anchor: str


def _shortened_texts(block: Block) -> list[PitchWarning]:
    """The names and description the pitch page cuts with "…"."""
    warnings = []
    if len(block.title) > TITLE_LIMIT:
        text = _("The venture's name is cut after %(limit)s characters.")
        warnings.append(PitchWarning(text % {"limit": TITLE_LIMIT}, "canvas-header"))
    if len(block.description) > DESCRIPTION_LIMIT:
        text = _("The description of the venture is cut after %(limit)s characters.")
        warnings.append(PitchWarning(text % {"limit": DESCRIPTION_LIMIT}, "canvas-header"))
    for segment in block.segments:
        if len(segment.name) > SEGMENT_NAME_LIMIT:
            text = _("The name of the segment “%(name)s” is cut after %(limit)s characters.")
            names = {"name": shorten(segment.name, 40), "limit": SEGMENT_NAME_LIMIT}
            warnings.append(PitchWarning(text % names, segment.anchor))
    return warnings


def _left_out(block: Block) -> list[PitchWarning]:
    """The segments and relationships left off the page in either size, counted.

    What is left out depends only on how many segments and relationships there are and how
    long the block-level answers run (``_room_taken``), and most saves change none of it:
    each such shape is planned once per language and process."""
    shape = (get_language(), *_room_taken(block))
    warnings = _LEFT_OUT.get(shape)
    if warnings is None:
        warnings = tuple(_left_out_now(block))
        _LEFT_OUT.put(shape, warnings)
    return list(warnings)


_LEFT_OUT = Recent(512)


def _room_taken(block: Block) -> tuple:
    """All that ``_left_out_now`` reads of a block: the segments (their ids, names and how many
    relationships each has) and the length of the longest block-level answer."""
    longest = max(len(" ".join(text.split())) for text in (block.business_fit, block.market_effect))
    segments = tuple((s.pk, s.name, len(s.relationships)) for s in block.segments)
    return longest, segments


def _left_out_now(block: Block) -> list[PitchWarning]:
    warnings = []
    plans = [plan_pitch(block, size) for size in SIZES]
    hidden_segments = max(plan.hidden_segments for plan in plans)
    if hidden_segments:
        text = ngettext(
            "%(count)s segment does not fit on the page; the full report has it.",
            "%(count)s segments do not fit on the page; the full report has them.",
            hidden_segments,
        )
        warnings.append(PitchWarning(text % {"count": hidden_segments}, "board"))
    hidden: dict[SegmentView, int] = {}
    for plan in plans:
        for slot in (slot for row in plan.rows for slot in row if slot.hidden):
            hidden[slot.segment] = max(hidden.get(slot.segment, 0), slot.hidden)
    for segment, count in hidden.items():
        text = ngettext(
            "“%(name)s”: %(count)s relationship does not fit on the page.",
            "“%(name)s”: %(count)s relationships do not fit on the page.",
            count,
        )
        names = {"name": shorten(segment.name, 40), "count": count}
        warnings.append(PitchWarning(text % names, segment.anchor))
    return warnings


def pitch_overflow(block: Block) -> list[PitchWarning]:
    """What the one-page pitch layout will shorten or leave out, in the writer's words.

    Read it as ``block.pitch_warnings`` (worked out once per block). No query.
    """
    return _shortened_texts(block) + _left_out(block)
