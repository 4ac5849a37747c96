"""The charts of the block's numbers, drawn on the server as SVG for the page and the PDF alike.

A chart is laid out here (every bar's place and size, as text ready for an SVG attribute) and
drawn by one template partial, ``relationships/_chart.html``, which adds nothing but markup.
Each chart carries its title, a text alternative that says every figure, and the same figures
as a table, for screen readers and for print. No JavaScript, no query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from relationships.numbers import show_percent
from relationships.templatetags.canvas_tags import money

if TYPE_CHECKING:
    from relationships.block import Block, SegmentView
    from relationships.viability import Viability

# The product's colours (static/css/app.css, pdf.css).
VALUE, COST, OVER, MUTED = "#1c6b46", "#1d4e89", "#b42318", "#5d6878"

WIDTH = 340  # user units; the SVG scales to its box
VALUE_ROOM = 110  # right of the longest bar, for its amount
BAR, BAR_GAP, LABEL, ROW_GAP, LEGEND = 14, 4, 16, 10, 22
LABEL_CHARS = 46


def _n(value: float) -> str:
    """A coordinate as SVG reads it, whatever the language (never "12,5")."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Bar:
    series: str
    shown: str  # the amount as the reader reads it, or why it is missing
    colour: str
    y: str
    width: str
    text_x: str
    text_y: str
    missing: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    full_label: str
    label_y: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str  # the text alternative: every figure, in words
    legend: tuple[tuple[str, str, str, str], ...]  # (series, colour, x, text x)
    rows: tuple[Row, ...]
    height: str
    columns: tuple[str, ...]  # the table of figures
    table: tuple[tuple[str, ...], ...]
    width: str = str(WIDTH)


@dataclass(frozen=True)
class _Series:
    name: str
    amounts: tuple[Decimal | None, ...]
    colours: tuple[str, ...]
    currency: str
    missing: str = "—"


def _lay_out(id_, title, summary, labels, series: list[_Series], columns, table) -> Chart:
    """Horizontal bars, one group per label, one bar per series, on one scale."""
    known = [a for s in series for a in s.amounts if a is not None]
    top = max(known, default=Decimal(0))
    room = WIDTH - VALUE_ROOM
    y = LEGEND if len(series) > 1 else 2
    rows = []
    for index, label in enumerate(labels):
        label_y, y = y + LABEL - 4, y + LABEL
        bars = []
        for s in series:
            amount = s.amounts[index]
            length = float(amount / top) * room if amount and top else 0
            bars.append(
                Bar(
                    series=s.name,
                    shown=s.missing if amount is None else money(amount, s.currency),
                    colour=s.colours[index],
                    y=_n(y),
                    width=_n(max(length, 1.5) if amount is not None else 0),
                    text_x=_n(max(length, 1.5) + 6 if amount is not None else 0),
                    text_y=_n(y + BAR - 3),
                    missing=amount is None,
                )
            )
            y += BAR + BAR_GAP
        y += ROW_GAP - BAR_GAP
        short = Truncator(label).chars(LABEL_CHARS)
        rows.append(Row(short, label, _n(label_y), tuple(bars)))
    legend, x = [], 0.0
    if len(series) > 1:
        for s in series:
            legend.append((s.name, s.colours[0], _n(x), _n(x + 16)))
            x += 16 + 7 * len(s.name) + 18
    return Chart(
        id=id_,
        title=title,
        summary=summary,
        legend=tuple(legend),
        rows=tuple(rows),
        height=_n(y),
        columns=tuple(columns),
        table=tuple(table),
    )


def _share(part: Decimal, whole: Decimal) -> str:
    return show_percent(100 * part / whole if whole else None)


def value_and_cost(block: Block) -> Chart | None:
    """Per segment, its yearly value against the yearly cost of its relationships."""
    if not block.segments:
        return None
    views: list[tuple[SegmentView, Viability]] = [
        (s, block.viabilities[s.pk]) for s in block.segments
    ]
    values = tuple(v.figures.value_per_year for _s, v in views)
    costs = tuple(v.figures.cost_per_year for _s, v in views)
    over = tuple(
        OVER if value is not None and cost > value else COST
        for value, cost in zip(values, costs, strict=True)
    )
    value_name, cost_name = _("Value a year"), _("Total cost a year")
    unknown = _("value not known yet")
    parts = []
    table = []
    for (segment, viability), value, cost in zip(views, values, costs, strict=True):
        shown_value = money(value, block.currency) if value is not None else unknown
        parts.append(
            _("%(segment)s: brings %(value)s, its relationships cost %(cost)s")
            % {"segment": segment.name, "value": shown_value, "cost": money(cost, block.currency)}
        )
        share = viability.figures.cost_share
        table.append(
            (
                segment.name,
                shown_value,
                money(cost, block.currency),
                show_percent(share),
            )
        )
    return _lay_out(
        f"chart-value-{block.pk}",
        _("Value and total cost a year, per segment"),
        "; ".join(parts) + ".",
        [s.name for s, _v in views],
        [
            _Series(value_name, values, (VALUE,) * len(values), block.currency, unknown),
            _Series(cost_name, costs, over, block.currency),
        ],
        (_("Segment"), value_name, cost_name, _("Cost as a share of value")),
        table,
    )


def _split_chart(block: Block, id_, title, rows: list[tuple[str, Decimal]], heading) -> Chart:
    currency = block.currency
    total = sum((cost for _label, cost in rows), Decimal(0))
    parts = [f"{label}: {money(cost, block.currency)}" for label, cost in rows]
    return _lay_out(
        id_,
        title,
        "; ".join(parts) + ".",
        [label for label, _cost in rows],
        [
            _Series(
                _("Total cost a year"), tuple(c for _l, c in rows), (COST,) * len(rows), currency
            )
        ],
        (heading, _("Total cost a year"), _("Share of the cost")),
        [(label, money(cost, block.currency), _share(cost, total)) for label, cost in rows],
    )


def cost_by_goal(block: Block) -> Chart | None:
    """What the relationships cost a year, by the goal they serve."""
    goals = block.economics.split.goals
    if not any(cost for _label, cost in goals):  # nothing to share out yet
        return None
    return _split_chart(
        block, f"chart-goal-{block.pk}", _("Total cost a year, by goal"), goals, _("Goal")
    )


def cost_by_type(block: Block) -> Chart | None:
    """What the relationships cost a year, by type of relationship."""
    types = block.economics.split.types
    if not any(cost for _label, cost in types):
        return None
    return _split_chart(
        block, f"chart-type-{block.pk}", _("Total cost a year, by type"), types, _("Type")
    )


def charts_by_what_they_read(block: Block) -> list[tuple[tuple, Callable[[], Chart | None]]]:
    """Each chart ``charts`` may show, with all it reads of the block (what a kept chart is kept
    by: a save that changed only the types draws again only the chart by type) and how to make
    it (None: nothing to show)."""
    segments = tuple(
        (s.name, f.value_per_year, f.cost_per_year, f.cost_share)
        for s in block.segments
        for f in [block.viabilities[s.pk].figures]
    )
    split = block.economics.split
    return [
        (("value", block.pk, block.currency, segments), lambda: value_and_cost(block)),
        (("goal", block.pk, block.currency, split.by_goal), lambda: cost_by_goal(block)),
        (("type", block.pk, block.currency, split.by_type), lambda: cost_by_type(block)),
    ]


def charts(block: Block) -> list[Chart]:
    """The block's charts that have something to show, in the order a page shows them."""
    return [c for c in (value_and_cost(block), cost_by_goal(block), cost_by_type(block)) if c]
