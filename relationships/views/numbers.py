"""The block's numbers on the editor's page, each a piece kept by what it reads of the block:
the totals, completeness, pitch warnings, the numbers section and each segment's totals.

A page says which of them it shows as they are (``X-Shown``, from each piece's ``data-shown``);
a save's answer (``relationships.views.base``) and the live view (``teams.views.live``) leave those
out."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.safestring import mark_safe

from relationships import cards as kept_pieces
from relationships import projections
from relationships.block import Block
from relationships.cards import content_key
from relationships.charts import charts_by_what_they_read

PAGE = "relationships/canvas_detail.html"
# What an out-of-band copy of a piece has on its outermost element, and its page's copy not.
OUT_OF_BAND = ' hx-swap-oob="true"'


def numbers_wanted(
    block: Block, segments=None, shown: frozenset = frozenset()
) -> list[tuple[str, str, dict]]:
    """``kept_numbers``'s pieces: (key, partial, extra context) each, but those the page
    already ``shown`` as they are (``shown_pieces``).

    Each piece names what it shows (``data-shown``, the same for its page and its
    out-of-band copy), so that a page can say what it holds and an answer leave it out. A
    segment's totals read only that segment (its viability, over the block's horizon).
    """
    figures = projections.figures(block)
    inputs = {
        "canvas-totals": (block.currency, block.setup_cost, block.yearly_cost, block.yearly_value),
        "completeness": [projections.completeness_inputs(block)],
        "pitch-warnings": [[(str(w.text), w.anchor) for w in block.pitch_warnings]],
        "economics": [figures],
    }
    wanted = [(name, parts, {}) for name, parts in inputs.items()]
    for segment in block.segments if segments is None else segments:
        read = [projections.segment_totals(block, segment.pk), block.currency, block.horizon_years]
        wanted.append(("segment-totals", [*read, segment.pk], {"segment": segment}))
    pieces = []
    for name, parts, extra in wanted:
        named = content_key(name, *parts)
        if named not in shown:
            pieces.append((content_key(f"{name}-piece", *parts), name, {**extra, "shown": named}))
    return pieces


def shown_pieces(request: HttpRequest) -> frozenset:
    """The numbers the page that asks already shows (``X-Shown``, sent by static/js/app.js:
    each piece's ``data-shown``): an answer leaves those out. Empty without JavaScript."""
    return frozenset(request.headers.get("X-Shown", "").split()[:_MOST_SHOWN])


_MOST_SHOWN = 200  # a page has five pieces and one a segment


def kept_numbers(
    request: HttpRequest,
    block: Block,
    oob: bool,
    segments=None,
    token: str = "",
    found: tuple[list, dict] | None = None,
    shown: frozenset = frozenset(),
) -> dict:
    """The block's totals, completeness, pitch warnings, numbers and the totals of ``segments``
    (all, if None), each kept under what it reads of the block (``relationships.cards``): an
    edit of a text renders again only what shows that text.

    ``oob``: for an out-of-band swap. Each piece is kept once, drawn for an out-of-band swap;
    the page's copy is the same without ``hx-swap-oob``. ``token``: for the CSRF token (none
    of them holds a form today), else the request's. ``found``: the pieces wanted
    (``numbers_wanted``) and what the cache had of them, when the caller looked for them
    together with others (one round trip for all). ``shown``: the pieces the page shows as
    they are (``shown_pieces``), left out.

    ``{"canvas-totals": html, "completeness": html, "pitch-warnings": html, "economics": html,
    "segment-totals": {segment id: html}}``.
    """
    token = token or kept_pieces.request_token(request)
    if found is None:
        wanted = numbers_wanted(block, segments, shown)
        found = (wanted, kept_pieces.get_many([key for key, _name, _extra in wanted]))
    wanted, pieces_found = found
    pieces: dict = {"segment-totals": {}}
    for key, name, extra in wanted:
        context = {"canvas": block, "oob": True, **extra}

        def render(name=name, context=context) -> kept_pieces.Kept:
            if name == "economics":
                context = {**context, "drawn_charts": _kept_charts(block)}
            return kept_pieces.render_kept(f"{PAGE}#{name}", context)

        html = kept_pieces.kept(key, render, found=pieces_found).served(token)
        if not oob:
            html = mark_safe(html.replace(OUT_OF_BAND, "", 1))
        if name == "segment-totals":
            pieces[name][extra["segment"].pk] = html
        else:
            pieces[name] = html
    return pieces


def _kept_charts(block: Block) -> list[str]:
    """The block's charts for its numbers section, each kept by what it reads of the block
    (``charts_by_what_they_read``): one cache round trip, and only the charts that changed
    are made and drawn again."""
    makers = charts_by_what_they_read(block)
    keys = [content_key("chart", *reads) for reads, _make in makers]
    found = kept_pieces.get_many(keys)
    drawn, charts = {}, []
    for key, (_reads, make) in zip(keys, makers, strict=True):
        piece = found.get(key)
        if piece is None:
            chart = make()
            context = {"chart": chart}
            html = kept_pieces.render_kept("relationships/_chart.html", context) if chart else None
            piece = drawn[key] = html or kept_pieces.Kept(kept_pieces.stand_in(), "")
        if piece.html:
            charts.append(mark_safe(piece.html))
    if drawn:
        kept_pieces.keep_many(drawn)
    return charts
