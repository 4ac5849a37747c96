"""Rendered relationship cards, kept in the ``cards`` cache: the canvas page's main cost.

A card is some forty template tags (links, choice labels, amounts formatted for the language),
and a block has dozens of cards, while an edit changes one of them. So each card is rendered
once and kept under a key that hashes everything it shows: the relationship's part of the
block (its fields, costs, totals, whether it is first or last in its segment), the language,
the template files and the translation catalogues, and the user's CSRF secret (the card holds
forms with the user's token). A write changes the key of exactly the cards it changed; nothing
is ever invalidated by hand, and an old entry simply ages out.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import astuple
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from relationships.block import Block, RelationshipView

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


def card_key(request, relationship: RelationshipView) -> str:
    get_token(request)  # makes sure the request has its CSRF secret
    secret = request.META.get("CSRF_COOKIE", "")
    parts = [_stamp(), get_language() or "", secret, repr(astuple(relationship))]
    return "card:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def render_cards(request, block: Block) -> dict[int, SafeString]:
    """Every relationship card of ``block``, by relationship id, for the editor's board.

    One cache round trip for the cards rendered before; the others are rendered and stored.
    """
    cache = caches["cards"]
    keys = {r.pk: card_key(request, r) for r in block.relationships}
    found = cache.get_many(keys.values())
    rendered, cards = {}, {}
    for relationship in block.relationships:
        key = keys[relationship.pk]
        html = found.get(key)
        if html is None:
            html = rendered[key] = render_to_string(
                f"{PAGE}#relationship-card", {"relationship": relationship}, request=request
            )
        cards[relationship.pk] = mark_safe(html)  # our own template's output
    if rendered:
        cache.set_many(rendered, CARD_SECONDS)
    return cards
