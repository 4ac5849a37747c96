"""The block as a designed PDF: a one-page pitch layout, or the pitch page and a full report.

WeasyPrint renders HTML from ``templates/relationships/pdf/`` with a fetcher that reads only
the project's static folder, so nothing a user types can make the server fetch or read a file.
WeasyPrint is imported inside the functions that need it: its import alone takes a quarter of a
second, which no other page should pay. A rendered PDF is cached per canvas version, layout,
page size and language (``CanvasExport``).
"""

from __future__ import annotations

import atexit
import hashlib
import math
import mimetypes
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.core.cache import cache as django_cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from relationships.models import ZERO, Canvas, CostItem, Relationship

if TYPE_CHECKING:
    from collections.abc import Mapping

    from weasyprint import CSS
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    from relationships.models import Segment

LAYOUTS = ("pitch", "report")
SIZES = ("a4", "wide")

# Bump when the templates or the stylesheet change, so no cached PDF outlives a deploy.
RENDER_VERSION = 2
CACHE_SECONDS = 60 * 60 * 24 * 7

# What the one-page pitch layout shows of each text before it shortens it with "…".
TITLE_LIMIT = 80
DESCRIPTION_LIMIT = 220
SEGMENT_NAME_LIMIT = 48


# --- options ----------------------------------------------------------------------------------


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


# --- the fetcher: the project's static files and nothing else ---------------------------------


class RefusedURL(ValueError):
    """A URL the PDF renderer may not fetch: anything but a file in the static folder."""


def static_root() -> Path:
    """The project's static folder, the only place the PDF renderer reads from."""
    return (Path(settings.BASE_DIR) / "static").resolve()


def static_base_url() -> str:
    """The base URL of the PDF's HTML: relative links (``icons/dedicated.svg``) go to static."""
    return static_root().as_uri() + "/"


def static_file_for_url(url: str) -> Path:
    """The static file a ``file:`` URL names, after resolving ``..`` and symbolic links.

    Raises ``RefusedURL`` for any other scheme (http, https, data, ftp...), for a path outside
    the static folder and for a path that is not a file.
    """
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"Only static files may be fetched, not {url[:80]!r}")
    root = static_root()
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise RefusedURL(f"Not a static file: {url[:80]!r}")
    return path


@cache
def _fetcher_class() -> type[URLFetcher]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """WeasyPrint's fetcher, limited to the static folder; it keeps the URLs it was asked."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.requested: list[str] = []

        def fetch(self, url, headers=None):
            self.requested.append(url)
            path = static_file_for_url(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".css":
                content_type = "text/css; charset=utf-8"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesFetcher


def static_fetcher() -> URLFetcher:
    """A new WeasyPrint URL fetcher that serves only static files (see ``static_file_for_url``).

    Its ``requested`` list holds every URL WeasyPrint asked for, refused or not.
    """
    return _fetcher_class()()


# --- the stylesheet and its fonts, parsed once per thread -------------------------------------

STYLESHEET = "css/pdf.css"
_per_thread = threading.local()


def pdf_stylesheet() -> tuple[FontConfiguration, CSS]:
    """This thread's parsed ``pdf.css`` and the font configuration that holds its four fonts.

    Parsing the stylesheet and loading its ``@font-face`` files was a third of a small PDF's
    time, so each thread keeps them between renders and parses again when the file changes.
    Per thread, never shared: a ``FontConfiguration`` wraps a Pango font map, which is not safe
    to use from two threads at once. Both are fetched through ``static_fetcher``.
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    path = static_root() / STYLESHEET
    stat = path.stat()
    version = (path, stat.st_mtime_ns, stat.st_size)
    cached = getattr(_per_thread, "stylesheet", None)
    if cached is None or cached[0] != version:
        font_config = FontConfiguration()
        stylesheet = CSS(url=path.as_uri(), url_fetcher=static_fetcher(), font_config=font_config)
        cached = _per_thread.stylesheet = (version, font_config, stylesheet)
    return cached[1], cached[2]


@atexit.register
def _forget_stylesheet() -> None:
    """Let this thread's font configuration delete its folder of fonts while Python still can."""
    _per_thread.__dict__.pop("stylesheet", None)


def lay_out(html: str) -> Document:
    """WeasyPrint's layout of the PDF's HTML with ``pdf.css``; ``write_pdf()`` makes the file.

    The stylesheet goes in as a user stylesheet: it gives way only to the document's own
    ``<style>``, which sets nothing but the height of ``.segment-body``.
    """
    from weasyprint import HTML

    font_config, stylesheet = pdf_stylesheet()
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=static_fetcher())
    return document.render(font_config=font_config, stylesheets=[stylesheet])


# --- the pitch page: shorten texts, choose a density that fits one page -----------------------


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

    segment: Segment
    relationships: list[Relationship]
    hidden: int = 0
    tile_columns: int = 1

    @property
    def name(self) -> str:
        return shorten(self.segment.name, SEGMENT_NAME_LIMIT)

    @property
    def tiles(self) -> list[tuple[Relationship, str]]:
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


def _plan_with(segments: list[Segment], density: Density, room: Geometry, squeeze: float):
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
    max_tile_columns = max(1, int(card_inner // density.tile_width))
    for start in range(0, len(shown), columns):
        row = []
        for segment in shown[start : start + columns]:
            relationships = segment.relationship_list
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


def plan_pitch(canvas: Canvas, size: str = "a4", start: int = 0, squeeze: float = 1.0) -> PitchPlan:
    """Choose the roomiest density from ``DENSITIES[start:]`` at which the block fits one page.

    At the densest, what still does not fit is left out and counted on the page ("+ 3 more
    relationships"), never cut silently. ``squeeze`` < 1 plans for less room than the page
    has: a retry after a render that ran over. Reads the prefetched block: no queries.
    """
    segments = canvas.segment_list
    room = GEOMETRY[size]
    for density in DENSITIES[start:]:
        plan, fits = _plan_with(segments, density, room, squeeze)
        if fits:
            break
    return plan


@dataclass(frozen=True)
class PitchWarning:
    """An item the one-page PDF shortens, and the id of the place to edit it."""

    text: str
    anchor: str


def pitch_overflow(canvas: Canvas) -> list[PitchWarning]:
    """What the one-page pitch layout will shorten or leave out, in the writer's words.

    Reads the prefetched block: no queries.
    """
    warnings = []
    if len(canvas.title) > TITLE_LIMIT:
        warnings.append(
            PitchWarning(
                _("The venture's name is cut after %(limit)s characters.") % {"limit": TITLE_LIMIT},
                "canvas-header",
            )
        )
    if len(canvas.description) > DESCRIPTION_LIMIT:
        warnings.append(
            PitchWarning(
                _("The description of the venture is cut after %(limit)s characters.")
                % {"limit": DESCRIPTION_LIMIT},
                "canvas-header",
            )
        )
    for segment in canvas.segment_list:
        if len(segment.name) > SEGMENT_NAME_LIMIT:
            warnings.append(
                PitchWarning(
                    _("The name of the segment “%(name)s” is cut after %(limit)s characters.")
                    % {"name": shorten(segment.name, 40), "limit": SEGMENT_NAME_LIMIT},
                    segment.anchor,
                )
            )
    plans = [plan_pitch(canvas, size) for size in SIZES]
    hidden_segments = max(plan.hidden_segments for plan in plans)
    if hidden_segments:
        warnings.append(
            PitchWarning(
                ngettext(
                    "%(count)s segment does not fit on the page; the full report has it.",
                    "%(count)s segments do not fit on the page; the full report has them.",
                    hidden_segments,
                )
                % {"count": hidden_segments},
                "board",
            )
        )
    hidden = {}
    for plan in plans:
        for slot in (slot for row in plan.rows for slot in row if slot.hidden):
            hidden[slot.segment] = max(hidden.get(slot.segment, 0), slot.hidden)
    for segment, count in hidden.items():
        warnings.append(
            PitchWarning(
                ngettext(
                    "“%(name)s”: %(count)s relationship does not fit on the page.",
                    "“%(name)s”: %(count)s relationships do not fit on the page.",
                    count,
                )
                % {"name": shorten(segment.name, 40), "count": count},
                segment.anchor,
            )
        )
    return warnings


# --- the report's cost table ------------------------------------------------------------------


@dataclass
class CostRow:
    """One cost item in the report's table: its set-up, monthly and yearly amounts."""

    segment: Segment
    relationship: Relationship
    cost: CostItem
    setup: Decimal | None
    monthly: Decimal | None
    yearly: Decimal | None


def cost_rows(canvas: Canvas) -> tuple[list[CostRow], dict[str, Decimal]]:
    """Every cost item of the block, and the totals of the three columns. No queries."""
    rows = []
    for segment in canvas.segment_list:
        for relationship in segment.relationship_list:
            for cost in relationship.cost_list:
                one_off = cost.frequency == CostItem.Frequency.ONE_OFF
                monthly = cost.frequency == CostItem.Frequency.MONTHLY
                rows.append(
                    CostRow(
                        segment,
                        relationship,
                        cost,
                        setup=cost.amount if one_off else None,
                        monthly=cost.amount if monthly else None,
                        yearly=None if one_off else cost.yearly_amount,
                    )
                )
    totals = {
        "setup": sum((r.setup for r in rows if r.setup is not None), ZERO),
        "monthly": sum((r.monthly for r in rows if r.monthly is not None), ZERO),
        "yearly": sum((r.yearly for r in rows if r.yearly is not None), ZERO),
    }
    return rows, totals


# --- rendering --------------------------------------------------------------------------------


def pdf_html(canvas: Canvas, options: PdfOptions, plan: PitchPlan, part: str = "") -> str:
    """The HTML WeasyPrint lays out, in the active language. Reads the prefetched block.

    ``part`` "pitch" or "report" gives that part alone: the report after an empty first page
    that stands for the pitch page, so that the report's page numbers count the pitch page.
    """
    relationships = [r for s in canvas.segment_list for r in s.relationship_list]
    context = {
        "canvas": canvas,
        "options": options,
        "plan": plan,
        "title": shorten(canvas.title, TITLE_LIMIT),
        "description": shorten(canvas.description, DESCRIPTION_LIMIT),
        "established": sum(1 for r in relationships if not r.is_planned),
        "planned": sum(1 for r in relationships if r.is_planned),
        "changed": timezone.localtime(canvas.updated_at),
        "goal_legend": [
            (initial, Relationship.Goal(goal).label) for goal, initial in goal_legend()
        ],
        "with_pitch": part != "report",
        "with_report": options.layout == "report" and part != "pitch",
    }
    if context["with_report"]:
        context["cost_rows"], context["cost_totals"] = cost_rows(canvas)
    return render_to_string("relationships/pdf/document.html", context)


def render_pdf(canvas: Canvas, options: PdfOptions) -> bytes:
    """Render the PDF of a prefetched canvas (``Canvas.objects.with_block()``).

    The pitch page is laid out at the roomiest density that keeps it to one page: a layout
    that runs over is tried again denser, up to a few times. It is a document of its own, so
    a retry lays out that one page again and not the whole report, which follows in a second
    document. Takes a few hundred milliseconds; ``CanvasExport.render`` caches the result.
    """
    start, squeeze = 0, 1.0
    for _attempt in range(5):
        plan = plan_pitch(canvas, options.size, start=start, squeeze=squeeze)
        pitch = lay_out(pdf_html(canvas, options, plan, part="pitch"))
        if len(pitch.pages) <= 1:
            break
        if start < len(DENSITIES) - 1:
            start = DENSITIES.index(plan.density) + 1
        else:
            squeeze *= 0.85
    if options.layout != "report":
        return pitch.write_pdf()
    if len(pitch.pages) > 1:  # never fit: one document, so the page numbers count every page
        return lay_out(pdf_html(canvas, options, plan)).write_pdf()
    report = lay_out(pdf_html(canvas, options, plan, part="report"))
    return pitch.copy([pitch.pages[0], *report.pages[1:]]).write_pdf()


# --- export with cache ------------------------------------------------------------------------


class CanvasExport:
    """One PDF of one version of a canvas: its cache key, ETag, file name and bytes.

    Built from a canvas without its block; the block is loaded (four queries) only when the
    PDF is not in the cache yet.
    """

    def __init__(self, canvas: Canvas, options: PdfOptions, language: str | None = None):
        self.canvas = canvas
        self.options = options
        self.language = language or get_language() or settings.LANGUAGE_CODE
        version = canvas.updated_at.isoformat()
        self.key = (
            f"canvas-pdf:{RENDER_VERSION}:{canvas.pk}:{version}:"
            f"{options.layout}:{options.size}:{self.language}"
        )

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.key.encode()).hexdigest()[:32] + '"'

    @property
    def last_modified(self) -> float:
        return self.canvas.updated_at.timestamp()

    @property
    def filename(self) -> str:
        """E.g. ``panaderia-la-espiga-customer-relationships-2026-03-12.pdf``: the last change."""
        what = slugify(pgettext("PDF file name", "customer-relationships"))
        if self.options.layout == "report":
            what += "-" + slugify(pgettext("PDF file name", "report"))
        day = timezone.localtime(self.canvas.updated_at).date().isoformat()
        return f"{slugify(self.canvas.title)[:60] or 'canvas'}-{what}-{day}.pdf"

    def cached(self) -> bytes | None:
        """The PDF of this version if it was rendered before (and is still in the cache)."""
        return django_cache.get(self.key)

    def render(self) -> bytes:
        """Render the PDF in the active language and keep it in the cache."""
        block = Canvas.objects.with_block().get(pk=self.canvas.pk)
        pdf = render_pdf(block, self.options)
        django_cache.set(self.key, pdf, CACHE_SECONDS)
        return pdf
