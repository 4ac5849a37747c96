"""Rendered relationship cards, kept in the ``cards`` cache: the canvas page's main cost.

A card is some forty template tags (links, choice labels, amounts formatted for the language),
and a block has dozens of cards, while an edit changes one of them. So each card is rendered
once and kept under a key that hashes everything it shows: the relationship's and its costs'
stored fields, whether it is first or last in its segment (its arrows), the currency, the
language, the template files and the translation catalogues, and the user's CSRF secret (the
card holds forms with the user's token). A changed card gets a new key; nothing ever has to be
invalidated, and an old entry simply ages out.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from relationships.models import Canvas, Relationship

PAGE = "relationships/canvas_detail.html"
CARD_SECONDS = 24 * 60 * 60


def _files_stamp() -> str:
    """Changes when the card's template or a translation catalogue changes (a deploy)."""
    base = Path(settings.BASE_DIR)
    files = [base / "templates" / PAGE, *sorted((base / "locale").glob("*/LC_MESSAGES/*.mo"))]
    return ",".join(f"{f.stat().st_mtime_ns}" for f in files if f.exists())


_cached_stamp = functools.cache(_files_stamp)


def _stamp() -> str:
    return _files_stamp() if settings.DEBUG else _cached_stamp()


def _fields(obj) -> list[str]:
    return [str(obj.__dict__.get(field.attname)) for field in obj._meta.concrete_fields]


def card_key(request, canvas: Canvas, relationship: Relationship) -> str:
    get_token(request)  # makes sure the request has its CSRF secret
    secret = request.META.get("CSRF_COOKIE", "")
    parts = [_stamp(), get_language() or "", canvas.currency, secret, *_fields(relationship)]
    parts += [str(relationship.is_first), str(relationship.is_last)]  # which arrows work
    for cost in relationship.cost_items.all():
        parts.extend(_fields(cost))
    return "card:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def attach(request, canvas: Canvas) -> None:
    """Give every relationship of a prefetched block its rendered card as ``card_html``.

    Each also learns ``is_first`` and ``is_last`` in its segment: the card's arrows need them.

    One cache round trip for the cards rendered before; the others are rendered and stored.
    """
    cache = caches["cards"]
    relationships = []
    for segment in canvas.segments.all():
        in_segment = list(segment.relationships.all())
        for index, relationship in enumerate(in_segment):
            relationship.is_first = index == 0
            relationship.is_last = index == len(in_segment) - 1
        relationships += in_segment
    keys = {r.pk: card_key(request, canvas, r) for r in relationships}
    found = cache.get_many(keys.values())
    rendered = {}
    for relationship in relationships:
        key = keys[relationship.pk]
        html = found.get(key)
        if html is None:
            html = rendered[key] = render_to_string(
                f"{PAGE}#relationship-card",
                {"canvas": canvas, "relationship": relationship},
                request=request,
            )
        relationship.card_html = mark_safe(html)  # our own template's output
    if rendered:
        cache.set_many(rendered, CARD_SECONDS)
