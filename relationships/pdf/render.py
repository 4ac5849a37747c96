"""The PDF of a block: its HTML (``templates/relationships/pdf/``) laid out by WeasyPrint.

Reads a ``Block``, so the PDF of a live canvas and of a submission are made the same way.
"""

from __future__ import annotations

import gc
import math
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from relationships.models import Relationship
from relationships.pdf.fetcher import lay_out
from relationships.pdf.planner import (
    DENSITIES,
    DESCRIPTION_LIMIT,
    SIZES,
    TITLE_LIMIT,
    PitchPlan,
    goal_legend,
    pitch_answers,
    plan_pitch,
    shorten,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from relationships.block import Block

LAYOUTS = ("pitch", "report")
RETRIES = 5  # layouts of the pitch page before it is printed as it comes out
# Every PDF is a tagged PDF/UA-1: a structure tree in the order of the HTML (headings, lists,
# tables, figures with their alt text), /MarkInfo, the <html lang> as /Lang, the <title> shown
# as the window title, PDF/UA identification in the XMP metadata. Fonts are always embedded.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
# White space between two tags, which the templates' indentation is full of: one space lays out
# the same (a run of white space collapses to one, and no element of pdf.css keeps white space)
# and leaves WeasyPrint's HTML parser a quarter less to read.
BETWEEN_TAGS = re.compile(r">\s+<")


def font_subsetter() -> str:
    """What cuts the PDF's fonts down to the letters it uses: "HarfBuzz" or "fontTools".

    WeasyPrint uses HarfBuzz's subsetter when the system has it (Debian's libharfbuzz-subset0),
    in C; without it, fontTools, in Python, which took a seventh of a large report's time.
    """
    from weasyprint.text.ffi import harfbuzz_subset

    return "fontTools" if harfbuzz_subset is None else "HarfBuzz"


@dataclass(frozen=True)
class PdfOptions:
    """What the reader asked for: ``layout`` pitch|report and ``size`` a4|wide (16:9)."""

    layout: str = "pitch"
    size: str = "a4"

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> PdfOptions:
        """Read ``?layout=&size=``; a missing or unknown value falls back to the default."""
        layout = params.get("layout", "")
        size = params.get("size", "")
        return cls(
            layout=layout if layout in LAYOUTS else cls.layout,
            size=size if size in SIZES else cls.size,
        )


def pdf_html(
    block: Block,
    options: PdfOptions,
    plan: PitchPlan,
    part: str = "",
    handed_in: datetime | None = None,
) -> str:
    """The HTML WeasyPrint lays out, in the active language.

    ``part`` "pitch" or "report" gives that part alone: the report after an empty first page
    that stands for the pitch page, so that the report's page numbers count the pitch page.
    ``handed_in``: the PDF of a submission says when it was handed in, not the last change.
    """
    context = {
        "canvas": block,
        "options": options,
        "plan": plan,
        "title": shorten(block.title, TITLE_LIMIT),
        "description": shorten(block.description, DESCRIPTION_LIMIT),
        "answers": pitch_answers(block, plan),
        "changed": timezone.localtime(block.updated_at) if block.updated_at else None,
        "handed_in": timezone.localtime(handed_in) if handed_in else None,
        "goal_legend": [
            (initial, Relationship.Goal(goal).label) for goal, initial in goal_legend()
        ],
        "cost_columns": cost_columns(block),
        "page_words": page_words(),
        "with_pitch": part != "report",
        "with_report": options.layout == "report" and part != "pitch",
    }
    return BETWEEN_TAGS.sub("> <", render_to_string("relationships/pdf/document.html", context))


def page_words() -> tuple[str, str, str]:
    """The words of "Page 3 of 31" in the active language, cut around its two numbers: the
    report's footer writes the numbers between them with CSS counters (pdf.css, @bottom-right)."""
    words = gettext("Page %(page)s of %(pages)s") % {"page": "\0", "pages": "\1"}
    before, rest = words.split("\0")
    between, after = rest.split("\1")
    return before, between, after


# The table of costs has fixed column widths (pdf.css, .costs-table): each of its three columns of
# amounts is as wide as its total needs, written in bold, at least FIGURE_SHARE of the table. The
# totals are the longest figures of their column, as no amount is negative. A generous width per
# character (DejaVu Sans Bold's digits are 5.9 pt wide at 8.5 pt) and the cell's padding, as a
# share of the A4 page's 770 pt of text (the wide page is wider still).
FIGURE_SHARE, MOST_FIGURE_SHARE = 14, 24  # per cent of the table's width
POINTS_PER_CHARACTER, CELL_PADDING, TEXT_WIDTH = 6.4, 12, 770


def cost_columns(block: Block) -> dict[str, int]:
    """The widths of the table of costs' columns, in per cent of the table: ``figure`` for each
    column of amounts, ``name`` for the relationship's (two fifths of what the amounts leave);
    its costs, one a line, have the rest."""
    from relationships.templatetags.canvas_tags import money

    totals = (block.setup_cost, block.monthly_cost, block.yearly_cost)
    longest = max(len(money(total, block.currency)) for total in totals)
    needed = math.ceil(100 * (longest * POINTS_PER_CHARACTER + CELL_PADDING) / TEXT_WIDTH)
    figure = min(max(FIGURE_SHARE, needed), MOST_FIGURE_SHARE)
    return {"figure": figure, "name": (100 - 3 * figure) * 2 // 5}


# --- Python's garbage collector, held off while a PDF is made ----------------------------------

# WeasyPrint builds a tree of a few hundred thousand objects (boxes, styles, text layouts) that
# stays alive until the file is written, so the collector, which runs after every few hundred new
# objects, ran every 6 ms through a large report (350 times) and went through the whole tree and
# the rest of the process twice, freeing next to nothing: 160 ms of its 2.1 s. Held off, the
# first collection after the render frees what the render left, as it would have anyway.
# Process-wide, like the collector: the first of two renders at once (threads) holds it off, and
# the last one to end lets it run again.
_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; as it was before, once the last one ends."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def render_pdf(block: Block, options: PdfOptions, handed_in: datetime | None = None) -> bytes:
    """Render the PDF of a block. Every block prints, however big.

    The pitch page is laid out at the roomiest density that keeps it to one page: a layout
    that runs over is tried again denser, then with less room, up to ``RETRIES`` times. It is
    a document of its own, so a retry lays out that one page again and not the whole report,
    which follows in a second document. Takes a few hundred milliseconds;
    ``relationships.pdf.cache`` keeps the result.

    The stitched report is still one tagged PDF: WeasyPrint builds the structure tree when it
    writes the file, from the boxes of each page it is given, whichever layout they came from.
    Its title and language are the pitch document's, the same ``<title>`` and ``<html lang>``.
    Made with the garbage collector held off (``gc_paused``).
    """
    with gc_paused():
        return _render_pdf(block, options, handed_in)


def _render_pdf(block: Block, options: PdfOptions, handed_in: datetime | None) -> bytes:
    start, squeeze = 0, 1.0
    for _attempt in range(RETRIES):
        plan = plan_pitch(block, options.size, start=start, squeeze=squeeze)
        pitch = lay_out(pdf_html(block, options, plan, "pitch", handed_in))
        if len(pitch.pages) <= 1:
            break
        densest = DENSITIES.index(plan.density) == len(DENSITIES) - 1
        if densest:
            squeeze *= 0.85
        else:
            start = DENSITIES.index(plan.density) + 1
    if options.layout != "report":
        return pitch.write_pdf(**PDF_OPTIONS)
    if len(pitch.pages) > 1:  # never fit: one document, so the page numbers count every page
        whole = lay_out(pdf_html(block, options, plan, "", handed_in))
        return whole.write_pdf(**PDF_OPTIONS)
    report = lay_out(pdf_html(block, options, plan, "report", handed_in))
    return pitch.copy([pitch.pages[0], *report.pages[1:]]).write_pdf(**PDF_OPTIONS)
