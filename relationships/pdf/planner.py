"""The pitch page's plan: which density fits the block on one page, and what it must shorten.

Reads a ``Block``: no query. ``plan_pitch`` always returns a plan; at the densest layout what
still does not fit is left out and counted on the page, and ``relationships.pdf.warnings``
lists it in the editor before export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.text import capfirst
from django.utils.translation import pgettext_lazy

from relationships.models import Canvas, Relationship

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
    """One type scale of the pitch board. Sizes in points; heads and feet match ``pdf.css``.

    A page has one density for its grid (segment heads and feet); each segment's tiles may be
    denser than the page's when that segment has many relationships (``SegmentSlot.density``).
    """

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
    text_line: float = 0  # a line of "how we interact" (pdf.css .tile-interaction); 0: none
    text_lines: int = 0  # the most lines of it a tile shows
    tile_padding: float = 14  # a tile's padding and border, left and right together

    @property
    def goal_names(self) -> bool:
        """Only the roomiest density spells goals out; the others show initials and a legend."""
        return self is DENSITIES[0]


DENSITIES = (
    Density(
        "roomy", 4, 62, 32, 57, wrap_width=180, line_height=11, tile_width=170,
        text_line=9.4, text_lines=6,
    ),
    Density(
        "compact", 6, 44, 26, 32, wrap_width=140, line_height=9, tile_width=115,
        text_line=7.8, text_lines=2, tile_padding=10,
    ),
    Density(
        "dense", 8, 40, 20, 21, wrap_width=110, line_height=7, tile_width=90, gap=5, padding=8,
        tile_padding=8,
    ),
)  # fmt: skip
# The text of a tile and of the answers band: its font size (7.5pt roomy, 6.5pt compact) times
# this is a wide average letter of DejaVu Sans Condensed, and lines are filled to FILL at most
# (words wrap before the edge).
LETTER_WIDTH = 0.56
TEXT_SIZES = {"roomy": 7.5, "compact": 6.5}
TEXT_MARGIN = 3  # above the text, and to spare
MIN_TEXT = 40  # fewer letters than this say too little to be worth the room
FILL = 0.85
# The band of the two block-level answers under the board (pdf.css .pitch-answers): its
# margin, label and padding, and each line of text.
ANSWERS_HEIGHT = 28
ANSWERS_LINE = 9.75
ANSWERS_LINES = 4
ANSWERS_TEXT_SIZE = 7.5
ANSWERS_PADDING = 22  # a cell's padding and the gap between the two cells


def _letters(width: float, font_size: float, lines: int) -> int:
    """How many characters of running text ``lines`` lines ``width`` points wide hold."""
    return int(lines * width / (font_size * LETTER_WIDTH) * FILL)


@dataclass
class SegmentSlot:
    """A segment as the pitch page shows it: the relationships that fit and how many do not."""

    segment: SegmentView
    relationships: list[RelationshipView]
    hidden: int = 0
    tile_columns: int = 1
    density: Density = field(default_factory=lambda: DENSITIES[0])  # of its tiles
    text_limit: int = 0  # characters of "how we interact" per tile; 0 leaves it out

    @property
    def name(self) -> str:
        return shorten(self.segment.name, SEGMENT_NAME_LIMIT)

    @property
    def tiles(self) -> list[tuple[RelationshipView, str, str]]:
        """Each shown relationship, its goals as initials ("A R") and how it works, shortened."""
        initials = dict(goal_legend())
        return [
            (
                r,
                " ".join(str(initials[g]) for g in r.goals),
                shorten(r.interaction, self.text_limit) if self.text_limit else "",
            )
            for r in self.relationships
        ]


@dataclass
class PitchPlan:
    """How the pitch page lays out the block: a density, rows of segments, what was left out."""

    density: Density
    rows: list[list[SegmentSlot]] = field(default_factory=list)
    columns: int = 1
    body_height: int = 0  # the room for relationships in each segment, in points
    hidden_segments: int = 0
    answers_limit: int = 0  # characters of each block-level answer under the board; 0: none

    @property
    def fillers(self) -> range:
        """Empty cells that keep the last row's cards as wide as the others."""
        return range(self.columns - len(self.rows[-1]) if self.rows else 0)

    @property
    def goal_initials(self) -> bool:
        """Whether some segment shows goals as initials, so the footer needs their legend."""
        return any(not slot.density.goal_names for row in self.rows for slot in row)

    @property
    def shape(self) -> tuple:
        """What the plan shows and at which sizes, to compare two plans of one block."""
        slots = [
            (s.density, s.tile_columns, s.hidden, bool(s.text_limit))
            for row in self.rows
            for s in row
        ]
        return self.density, self.hidden_segments, slots


def _tile_layout(count: int, density: Density, body: float, card_inner: float):
    """The fewest tile columns at which ``count`` tiles fit, their height and capacity.

    The most columns tried when none fits.
    """
    most = max(1, min(MAX_TILE_COLUMNS, int(card_inner // density.tile_width)))
    for columns in range(1, most + 1):
        wraps = card_inner / columns < density.wrap_width
        height = density.tile_height + (density.line_height if wraps else 0)
        capacity = int(body // height) * columns
        if count <= capacity:
            break
    return columns, height, capacity


def _text_limit(slot: SegmentSlot, height: float, body: float, card_inner: float) -> int:
    """The characters of "how we interact" each tile has room for in the body's spare height."""
    density, count = slot.density, len(slot.relationships)
    if not density.text_lines or not count or slot.hidden:
        return 0
    rows = math.ceil(count / slot.tile_columns)
    spare = (body - rows * height) / rows - TEXT_MARGIN
    lines = min(density.text_lines, int(spare // density.text_line))
    width = card_inner / slot.tile_columns * 0.97 - density.tile_padding
    limit = _letters(width, TEXT_SIZES[density.name], lines) if lines > 0 else 0
    return limit if limit >= MIN_TEXT else 0


def _plan_slot(segment: SegmentView, page: Density, body: float, card_inner: float):
    """The roomiest tiles, no roomier than the page's, that hold the segment; and if they do.

    At the densest tiles, what does not fit is left out and one line counts it.
    """
    relationships = list(segment.relationships)
    for density in DENSITIES[DENSITIES.index(page) :]:
        columns, height, capacity = _tile_layout(len(relationships), density, body, card_inner)
        if len(relationships) <= capacity:
            break
    slot = SegmentSlot(segment, relationships, density=density, tile_columns=columns)
    fits = len(relationships) <= capacity
    if not fits:
        kept = max(0, capacity - 1)  # one line says how many more there are
        slot.relationships, slot.hidden = relationships[:kept], len(relationships) - kept
    slot.tile_columns = min(slot.tile_columns, max(1, len(slot.relationships)))
    slot.text_limit = _text_limit(slot, height, body, card_inner)
    return slot, fits


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
    for start in range(0, len(shown), columns):
        row = [
            _plan_slot(segment, density, body, card_inner) for segment in shown[start:][:columns]
        ]
        fits = fits and all(slot_fits for _slot, slot_fits in row)
        plan.rows.append([slot for slot, _fits in row])
    return plan, fits and body > 0


def _plan_in(block: Block, room: Geometry, start: int, squeeze: float) -> PitchPlan:
    """The roomiest page density from ``DENSITIES[start:]`` at which the block fits ``room``."""
    for density in DENSITIES[start:]:
        plan, fits = _plan_with(block.segments, density, room, squeeze)
        if fits:
            break
    return plan


def plan_pitch(block: Block, size: str = "a4", start: int = 0, squeeze: float = 1.0) -> PitchPlan:
    """Choose the roomiest density from ``DENSITIES[start:]`` at which the block fits one page.

    Each segment's tiles are the roomiest that hold it, so a busy segment gets denser tiles or
    more tile columns while the others stay as roomy as the page; the spare height of each
    segment shows how its relationships work. The block-level answers get a band under the
    board when the board keeps the same sizes and relationships without that room. At the
    densest, what still does not fit is left out and counted on the page ("+ 3 more
    relationships"), never cut silently. ``squeeze`` < 1 plans for less room than the page
    has: a retry after a render that ran over. A ``start`` past the densest plans at the
    densest. No query.
    """
    room = GEOMETRY[size]
    start = min(start, len(DENSITIES) - 1)
    plan = _plan_in(block, room, start, squeeze)
    return _with_answers(block, plan, room, start, squeeze) or plan


def _with_answers(block: Block, plan: PitchPlan, room: Geometry, start: int, squeeze: float):
    """``plan`` again with a band under the board for the block-level answers, or None.

    The band has as many lines as the answers need (up to ``ANSWERS_LINES``) and the board
    can give without changing what it shows: no smaller tiles, no relationship left out, no
    tile losing its "how we interact". None when even one line would cost that.
    """
    longest = max(
        len(" ".join(block.business_fit.split())), len(" ".join(block.market_effect.split()))
    )
    if not longest:
        return None
    width = room.board_width / 2 - ANSWERS_PADDING
    needed = min(ANSWERS_LINES, math.ceil(longest / _letters(width, ANSWERS_TEXT_SIZE, 1)))
    for lines in range(needed, 0, -1):
        height = ANSWERS_HEIGHT + lines * ANSWERS_LINE
        board = Geometry(room.board_width, room.board_height - height / squeeze)
        with_answers = _plan_in(block, board, start, squeeze)
        if with_answers.shape == plan.shape:
            with_answers.answers_limit = _letters(width, ANSWERS_TEXT_SIZE, lines)
            return with_answers
    return None


def pitch_answers(block: Block, plan: PitchPlan) -> list[tuple[str, str]]:
    """The block-level answers the plan has room for, each with its label, shortened."""
    if not plan.answers_limit:
        return []
    fields = Canvas._meta.get_field("business_fit"), Canvas._meta.get_field("market_effect")
    answers = [(capfirst(f.verbose_name), getattr(block, f.name).strip()) for f in fields]
    return [(label, shorten(text, plan.answers_limit)) for label, text in answers if text]
