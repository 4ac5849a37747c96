"""The pitch page's plan: which density fits the block on one page, and what it must shorten.

Reads a ``Block``: no query. ``plan_pitch`` always returns a plan; at the densest layout what
still does not fit is left out and counted on the page, and ``pitch_overflow`` lists it in the
editor before export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from relationships.models import Relationship

if TYPE_CHECKING:
    from relationships.block import Block, RelationshipView, SegmentView

SIZES = ("a4", "wide")

# What the one-page pitch layout shows of each text before it shortens it with "…".
TITLE_LIMIT = 80
DESCRIPTION_LIMIT = 220
SEGMENT_NAME_LIMIT = 48
# The most tiles side by side in a segment: pdf.css styles .tile-columns-1 to -4.
MAX_TILE_COLUMNS = 4


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters at a word if it can, ending in "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.7:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def goal_legend() -> list[tuple[str, str]]:
    """Each goal's initial and name: the denser pitch pages show goals as initials."""
    return [
        (Relationship.Goal.ACQUISITION, pgettext_lazy("goal initial", "A")),
        (Relationship.Goal.RETENTION, pgettext_lazy("goal initial", "R")),
        (Relationship.Goal.BOOSTING_SALES, pgettext_lazy("goal initial", "S")),
    ]


@dataclass(frozen=True)
class Geometry:
    """The room for segments on a pitch page, in points, between the header and the footer."""

    board_width: float
    board_height: float


GEOMETRY = {
    # A4 landscape 842 x 595 pt; 16:9 as a 13.33 x 7.5 in slide, 960 x 540 pt; 24 pt margins.
    "a4": Geometry(board_width=794, board_height=418),
    "wide": Geometry(board_width=912, board_height=363),
}


@dataclass(frozen=True)
class Density:
    """One type scale of the pitch board. Sizes in points; heads and feet match ``pdf.css``."""

    name: str
    max_columns: int
    head_height: float  # a segment's name, customers and expectation
    feet_height: float  # a segment's totals
    tile_height: float  # one relationship, with the gap below it
    wrap_width: float  # a tile narrower than this wraps the type's name on two lines
    line_height: float  # what that second line adds
    tile_width: float  # the narrowest a tile may be when a segment's tiles share a row
    gap: float = 8
    padding: float = 16  # a segment's padding, left and right together

    @property
    def goal_names(self) -> bool:
        """Only the roomiest density spells goals out; the others show initials and a legend."""
        return self is DENSITIES[0]


DENSITIES = (
    Density("roomy", 4, 62, 32, 52, wrap_width=180, line_height=11, tile_width=170),
    Density("compact", 6, 44, 26, 31, wrap_width=140, line_height=9, tile_width=125),
    Density("dense", 8, 40, 20, 21, wrap_width=110, line_height=7, tile_width=90, gap=5, padding=8),
)


@dataclass
class SegmentSlot:
    """A segment as the pitch page shows it: the relationships that fit and how many do not."""

    segment: SegmentView
    relationships: list[RelationshipView]
    hidden: int = 0
    tile_columns: int = 1

    @property
    def name(self) -> str:
        return shorten(self.segment.name, SEGMENT_NAME_LIMIT)

    @property
    def tiles(self) -> list[tuple[RelationshipView, str]]:
        """Each shown relationship with its goals as initials ("A R"), for the denser pages."""
        initials = dict(goal_legend())
        return [(r, " ".join(str(initials[g]) for g in r.goals)) for r in self.relationships]


@dataclass
class PitchPlan:
    """How the pitch page lays out the block: a density, rows of segments, what was left out."""

    density: Density
    rows: list[list[SegmentSlot]] = field(default_factory=list)
    columns: int = 1
    body_height: int = 0  # the room for relationships in each segment, in points
    hidden_segments: int = 0

    @property
    def fillers(self) -> range:
        """Empty cells that keep the last row's cards as wide as the others."""
        return range(self.columns - len(self.rows[-1]) if self.rows else 0)


def _plan_with(segments: tuple[SegmentView, ...], density: Density, room: Geometry, squeeze: float):
    """The plan at one density, and whether everything fits in it."""
    fits = True
    count = max(1, len(segments))
    grid_rows = math.ceil(count / density.max_columns)
    smallest_segment = density.head_height + density.feet_height + density.tile_height
    max_grid_rows = max(
        1, int((room.board_height * squeeze + density.gap) // (smallest_segment + density.gap))
    )
    if grid_rows > max_grid_rows:
        fits = False
        grid_rows = max_grid_rows
    columns = math.ceil(count / grid_rows)
    shown = segments[: grid_rows * columns]
    card_inner = (room.board_width - (columns - 1) * density.gap) / columns - density.padding
    row_height = (room.board_height * squeeze - (grid_rows - 1) * density.gap) / grid_rows
    body = row_height - density.head_height - density.feet_height
    plan = PitchPlan(
        density=density,
        columns=columns,
        body_height=max(0, int(body)),
        hidden_segments=len(segments) - len(shown),
    )
    max_tile_columns = max(1, min(MAX_TILE_COLUMNS, int(card_inner // density.tile_width)))
    for start in range(0, len(shown), columns):
        row = []
        for segment in shown[start : start + columns]:
            relationships = list(segment.relationships)
            slot = SegmentSlot(segment, relationships)
            for tile_columns in range(1, max_tile_columns + 1):
                wraps = card_inner / tile_columns < density.wrap_width
                height = density.tile_height + (density.line_height if wraps else 0)
                capacity = int(body // height) * tile_columns
                slot.tile_columns = tile_columns
                if len(relationships) <= capacity:
                    break
            else:
                fits = False
                kept = max(0, capacity - 1)  # one line says how many more there are
                slot.relationships, slot.hidden = relationships[:kept], len(relationships) - kept
            slot.tile_columns = min(slot.tile_columns, max(1, len(slot.relationships)))
            row.append(slot)
        plan.rows.append(row)
    return plan, fits and body > 0


def plan_pitch(block: Block, size: str = "a4", start: int = 0, squeeze: float = 1.0) -> PitchPlan:
    """Choose the roomiest density from ``DENSITIES[start:]`` at which the block fits one page.

    At the densest, what still does not fit is left out and counted on the page ("+ 3 more
    relationships"), never cut silently. ``squeeze`` < 1 plans for less room than the page
    has: a retry after a render that ran over. A ``start`` past the densest plans at the
    densest. No query.
    """
    room = GEOMETRY[size]
    start = min(start, len(DENSITIES) - 1)
    for density in DENSITIES[start:]:
        plan, fits = _plan_with(block.segments, density, room, squeeze)
        if fits:
            break
    return plan


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
    """The segments and relationships left off the page in either size, counted."""
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
