"""Formatting for the block: money in the canvas currency, in the reader's locale."""

import functools
from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from django import template
from django.utils.html import format_html

from relationships.numbers import reader_locale, show_percent, under_one_percent
from relationships.viability import FIGURES

register = template.Library()


# Babel takes some 0.2 ms per amount, and a page shows the same few amounts again and again.
# Equal amounts are written the same way (1.5 and 1.50 alike), so they can share an entry.
@functools.lru_cache(maxsize=4096)
def _currency(amount: Decimal, currency: str, locale: str) -> str:
    return format_currency(amount, currency, locale=locale)


@functools.lru_cache(maxsize=4096)
def _decimal(value: int | Decimal, locale: str) -> str:
    return format_decimal(value, locale=locale)


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """``1234.5|money:"EUR"`` gives "1234,50 €" in Spanish and "€1,234.50" in English."""
    if amount is None:
        return "—"
    return _currency(amount, currency, reader_locale())


@register.filter
def number(value: int | Decimal | None) -> str:
    """``12000|number`` gives "12.000" in Spanish and "12,000" in English, like ``money``."""
    if value is None:
        return "—"
    return _decimal(value, reader_locale())


@register.simple_tag
def type_icon(value: str) -> str:
    """The static path of a relationship type's icon."""
    return f"icons/{value}.svg"


@register.filter
def get_item(mapping: dict | None, key):
    """``cards|get_item:relationship.pk``: what a view prepared for one row, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def figure_size(text: str) -> str:
    """A class that shrinks a formatted amount too long for its box (``long`` to ``longest``)."""
    if len(text) > 22:
        return "longest"
    if len(text) > 16:
        return "longer"
    return "long" if len(text) > 12 else ""


@register.simple_tag
def explained(code: str, where: object = "", label: str = "") -> str:
    """A derived figure's name, with how it is worked out shown on hover and on focus.

    ``where`` makes the tooltip's id unique on the page (a segment's id); ``label`` replaces
    the figure's own name where the page words it otherwise. Written here rather than by a
    template of its own: a segment's totals show seven, and an included template took a
    third of their time.
    """
    figure = FIGURES[code]
    return format_html(
        '<span class="explained" tabindex="0" aria-describedby="{tip}">{label}</span>'
        '<span class="tip" role="tooltip" id="{tip}">{explanation}</span>',
        tip=f"tip-{code}-{where}",
        label=label or figure.label,
        explanation=figure.explanation,
    )


@register.simple_tag
def figure_explanations() -> list:
    """Every derived figure with how it is worked out (``{% figure_explanations as figures %}``)."""
    return list(FIGURES.values())


@register.filter
def percent(value) -> str:
    """``6|percent`` gives "6 %" in Spanish and "6%" in English, ``0.3|percent`` "< 1 %";
    None gives "—"."""
    return show_percent(value)


register.filter("under_one_percent", under_one_percent)  # a sentence says "less than 1 %"
