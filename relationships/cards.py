"""Rendered pieces of the editor, kept in the ``cards`` cache: what a page or a save costs.

Rendering is most of the CPU a canvas page or an htmx save takes, and from one request to the
next almost nothing it shows has changed. So the pieces are rendered once and kept under keys
that change whenever what they show changes; nothing is ever invalidated by hand, and an old
entry simply ages out. A key always holds the code and template stamp (a deploy), the language
and the time zone, and then either

- a hash of everything the piece shows (``content_key``): a relationship card (its part of the
  block), the block's totals, completeness and numbers (what they read of the block, see
  ``relationships.projections``); or
- the canvas's revision (``page_key``): the editor's and the reader's whole block, which every
  write moves on (``relationships.writes``), with the role the page is drawn for.

Nothing of one request is kept: each piece is rendered with a random stand-in for the CSRF
token, swapped for the request's own (masked, a new mask each time) when served; what belongs
to one person (who else is here, the team's comments, the header's menu) is rendered or kept
apart and put in at a marker. So a kept piece is the same for everyone who may see it, and one
person's piece is never served to another.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import secrets
import time
import zlib
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from canvas_site.recent import Recent
from relationships.block import Block, RelationshipView

PAGE = "relationships/canvas_detail.html"
CARD_SECONDS = 24 * 60 * 60
# A page piece keyed by the revision shows the names of who changed each card as they were
# when it was rendered: a renamed account shows with its new name within this time (twice it,
# at most, where a process recalls a piece it took from the cache late in its life).
PAGE_SECONDS = 10 * 60
# A piece longer than this is kept compressed (a whole block is some 40 kB, 8 kB compressed,
# and a cache in each process's memory holds thousands of entries); inflating it takes less
# than a tenth of what a page costs.
_COMPRESS_OVER = 16_000

# What a kept piece can depend on besides its data: templates, translations, code.
_SOURCE_FOLDERS = ("accounts", "canvas_site", "classrooms", "relationships", "teams")
_SOURCE_SUFFIXES = {".py", ".html", ".txt", ".mo"}


def _files(folders) -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = []
    for folder in folders:
        found += (p for p in (base / folder).rglob("*") if p.suffix in _SOURCE_SUFFIXES)
    return sorted(found)


@functools.cache
def _contents_stamp(folders: tuple[str, ...]) -> str:
    """A hash of the files' contents: the same on every app server running the same code."""
    digest = hashlib.sha256()
    for path in _files(folders):
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _times_stamp(folders: tuple[str, ...]) -> str:
    return ",".join(str(p.stat().st_mtime_ns) for p in _files(folders))


@functools.cache
def _release_stamp() -> str:
    return _contents_stamp(_SOURCE_FOLDERS) + _contents_stamp(("templates", "locale"))


_debug_stamp = [0.0, ""]  # when it was last looked at, and what it was


def stamp() -> str:
    """Changes when a template, a translation or the code changes (a deploy).

    Worked out once per process; with DEBUG on, templates and catalogues are looked at again
    every second (the development server reloads for code, not for them).
    """
    if not settings.DEBUG:
        return _release_stamp()
    if time.monotonic() - _debug_stamp[0] > 1:
        code = _contents_stamp(_SOURCE_FOLDERS)
        _debug_stamp[:] = [time.monotonic(), code + _times_stamp(("templates", "locale"))]
    return _debug_stamp[1]


def _key(kind: str, parts) -> str:
    fields = [stamp(), get_language() or "", timezone.get_current_timezone_name(), *parts]
    digest = hashlib.sha256("\x1f".join(map(str, fields)).encode()).hexdigest()
    return f"{kind}:{digest}"


def content_key(kind: str, *parts) -> str:
    """The key of a piece that shows exactly ``parts`` (a hash of them)."""
    return _key(kind, parts)


def page_key(kind: str, canvas_pk: int, revision: int, updated_at, *parts) -> str:
    """The key of a piece that shows the block at ``revision``; ``updated_at`` (stamped with
    every revision) tells apart two databases at the same revision (a restored backup)."""
    return _key(kind, (canvas_pk, revision, updated_at, *parts))


class Kept(NamedTuple):
    """A rendered piece as kept: its HTML with ``stand_in`` wherever the CSRF token goes."""

    stand_in: str
    html: str

    def served(self, token: str) -> SafeString:
        """The piece for one response, with its CSRF token."""
        return mark_safe(self.html.replace(self.stand_in, token))  # our own template's output


def stand_in() -> str:
    """A string of a CSRF token's length (64) that nobody can foresee: nothing else in a page
    can be equal to it, and escaping leaves it as it is.

    A digest of a secret of this process and a count, not ``secrets.token_hex``: a page asks
    for several, and each read of the system's randomness lets go of the interpreter's lock,
    which under load a worker's other thread takes (py-spy: a twentieth of a save's time)."""
    return hashlib.sha256(_STAND_IN_SECRET + next(_stand_ins).to_bytes(8, "big")).hexdigest()


_STAND_IN_SECRET = secrets.token_bytes(32)
_stand_ins = itertools.count()


def request_token(request) -> str:
    """The request's CSRF token, masked once for the whole response: ``get_token`` masks the
    secret anew on every call (32 random characters each), and a response of kept pieces asks
    for it once per piece."""
    token = getattr(request, "_kept_pieces_token", None)
    if token is None:
        token = request._kept_pieces_token = get_token(request)
    return token


def render_kept(template: str, context: dict, request=None, token: str | None = None) -> Kept:
    """Render ``template`` with a stand-in for the CSRF token (``token``, if given).

    A piece kept for everyone who may see it is rendered without ``request``: no context
    processor runs, so nothing of one person's (their name, messages, the request) can slip
    into it, and it costs a fifth less. The page's frame, kept per person, passes it."""
    token = token or stand_in()
    html = render_to_string(template, {**context, "csrf_token": token}, request=request)
    return Kept(token, html)


# The pieces served last, ready to serve, in this process: a key names what its piece shows,
# so a piece found here is as good as the cache's, without the cache's round trip, unpickling
# and inflating (a tenth of a page). Bounded in number, and kept no longer than in the cache.
_recent = Recent(256)


def _remember(key: str, piece: Kept, seconds: int) -> None:
    _recent.put(key, (time.monotonic() + seconds, piece))


def _recalled(key: str) -> Kept | None:
    found = _recent.get(key)
    if found is None:
        return None
    if found[0] < time.monotonic():
        _recent.drop(key)
        return None
    return found[1]


def forget_recent() -> None:
    """Empty this process's pieces (tests start without any, like the cache)."""
    _recent.clear()


def _packed(piece: Kept) -> tuple:
    html = piece.html
    return (piece.stand_in, zlib.compress(html.encode(), 1) if len(html) > _COMPRESS_OVER else html)


def _unpacked(stored) -> Kept | None:
    if stored is None:
        return None
    token, html = stored
    return Kept(token, zlib.decompress(html).decode() if isinstance(html, bytes) else html)


def keep(key: str, piece: Kept, seconds: int = CARD_SECONDS) -> None:
    """Keep ``piece`` under ``key``, in the cache and in this process."""
    caches["cards"].set(key, _packed(piece), seconds)
    _remember(key, piece, seconds)


def keep_many(pieces: dict[str, Kept], seconds: int = CARD_SECONDS) -> None:
    """Keep each of ``pieces`` under its key, in the cache (one round trip) and in this process."""
    caches["cards"].set_many({key: _packed(piece) for key, piece in pieces.items()}, seconds)
    for key, piece in pieces.items():
        _remember(key, piece, seconds)


def get_many(keys, seconds: int = CARD_SECONDS) -> dict[str, Kept]:
    """The pieces kept under ``keys`` (those found), this process's first: one cache round
    trip at most."""
    pieces = {}
    for key in keys:
        if (piece := _recalled(key)) is not None:
            pieces[key] = piece
    missing = [key for key in keys if key not in pieces]
    for key, stored in (caches["cards"].get_many(missing) if missing else {}).items():
        pieces[key] = piece = _unpacked(stored)
        _remember(key, piece, seconds)
    return pieces


def kept(key: str, render, seconds: int = CARD_SECONDS, found: dict | None = None) -> Kept:
    """The piece under ``key``: from ``found`` (what ``get_many`` found), this process, the
    cache, or ``render()`` (then kept)."""
    piece = found.get(key) if found is not None else get_many([key], seconds).get(key)
    if piece is None:
        piece = render()
        keep(key, piece, seconds)
    return piece


# --- relationship cards -----------------------------------------------------------------------


def card_key(relationship: RelationshipView, costs_open: bool = False) -> str:
    # The dataclass's repr is every field of it and of its cost lines: all a card shows.
    return content_key("card", repr(relationship), costs_open)


# A card's parts that are kept apart: the name the card's template reads each by, its partial.
CARD_PARTS = {
    "card_top": "relationship-top",
    "card_costs": "relationship-costs",
    "card_actions": "relationship-actions",
}


def card_part_keys(relationship: RelationshipView, costs_open: bool = False) -> dict[str, str]:
    """The keys of the parts of a card (``CARD_PARTS``) that an edit of its texts (the
    interaction) leaves as they were: its type, state, goals and facets, its costs, and its
    actions. Each holds all that its part shows."""
    top = content_key(
        "card-top",
        relationship.type,
        relationship.state,
        tuple(relationship.goals),
        relationship.contact,
        relationship.reach,
        relationship.bond,
    )
    costs = content_key(
        "card-costs", relationship.pk, relationship.currency, repr(relationship.costs), costs_open
    )
    actions = content_key(
        "card-actions",
        relationship.pk,
        relationship.segment_pk,
        relationship.type,
        relationship.is_first,
        relationship.is_last,
    )
    return {"card_top": top, "card_costs": costs, "card_actions": actions}


def shell_key(relationship: RelationshipView, part_keys: dict[str, str]) -> str:
    """The key of a card's shell (``_render_shell``): its parts and what else the card shows,
    but for its texts, which the shell holds markers for."""
    return content_key(
        "card-shell",
        *part_keys.values(),  # type, state, facets, costs and their totals, position, pk
        relationship.changed_by,
        bool(relationship.interaction),
        relationship.changed_at is not None,
    )


class CardKeys(NamedTuple):
    """What ``render_card`` looks for in the cache: the card's key, its parts' and its
    shell's (worked out once for a card: a save's answer looks for them with the numbers')."""

    card: str
    parts: dict[str, str]
    shell: str

    def all(self) -> list[str]:
        return [self.card, *self.parts.values(), self.shell]


def card_keys(relationship: RelationshipView, costs_open: bool = False) -> CardKeys:
    part_keys = card_part_keys(relationship, costs_open)
    return CardKeys(
        card_key(relationship, costs_open), part_keys, shell_key(relationship, part_keys)
    )


# --- a card's shell: the card with markers for its texts ----------------------------------------

# A save of a card's texts changes only those texts and the time of its last change: the card
# is its shell, rendered once for everything else it shows, with each text put in, escaped as
# the template escapes it, where its marker stands. The markers follow from the shell's own
# stand-in (nobody can foresee them), so a shell from the cache fills in on any app server.


def _marks(token: str) -> tuple[str, str]:
    """The markers of the interaction and of the time of the last change in a shell whose
    CSRF stand-in is ``token``."""
    return tuple(hashlib.sha256(f"{token}:{name}".encode()).hexdigest() for name in ("i", "w"))


def _render_shell(relationship: RelationshipView, costs_open: bool, parts: dict) -> Kept:
    token = stand_in()
    interaction, when = _marks(token)
    marked = dataclasses.replace(relationship, interaction=relationship.interaction and interaction)
    context = {"relationship": marked, "costs_open": costs_open, "card_when": when}
    for name, piece in parts.items():
        context[name] = piece.served(token)
    return render_kept(f"{PAGE}#relationship-card", context, token=token)


def _filled(shell: Kept, relationship: RelationshipView) -> Kept:
    """The card: ``shell`` with ``relationship``'s texts where their markers stand."""
    interaction, when = _marks(shell.stand_in)
    html = shell.html.replace(interaction, conditional_escape(relationship.interaction), 1)
    return Kept(
        shell.stand_in, html.replace(when, conditional_escape(relationship.changed_when), 1)
    )


def _assembled(
    relationship: RelationshipView, costs_open: bool, keys: CardKeys, found: dict, rendered: dict
) -> Kept:
    """The card from its kept shell, or from a shell rendered around its parts, those kept
    (in ``found``) and those rendered (put in ``rendered``, to be kept)."""
    if (kept_shell := found.get(keys.shell)) is None:
        parts = {}
        context = {"relationship": relationship, "costs_open": costs_open}
        for name, part_key in keys.parts.items():
            part = found.get(part_key)
            if part is None:
                partial = f"{PAGE}#{CARD_PARTS[name]}"
                part = rendered[part_key] = render_kept(partial, context)
            parts[name] = part
        kept_shell = rendered[keys.shell] = _render_shell(relationship, costs_open, parts)
    return _filled(kept_shell, relationship)


def render_card(
    request,
    relationship: RelationshipView,
    costs_open: bool = False,
    found: dict | None = None,
    keys: CardKeys | None = None,
) -> SafeString:
    """One relationship's card for the editor, with the request's CSRF token.

    A card not kept (a save changed it) is put together from its kept parts where they are
    (``card_part_keys``): a save of its texts renders only what it changed. One cache round
    trip to look (none if ``found`` holds what the cache had of ``keys``, its ``card_keys``),
    one to keep what was rendered.
    """
    keys = keys or card_keys(relationship, costs_open)
    if found is None:
        found = get_many(keys.all())
    piece = found.get(keys.card)
    if piece is None:
        rendered: dict[str, Kept] = {}
        piece = rendered[keys.card] = _assembled(relationship, costs_open, keys, found, rendered)
        keep_many(rendered)
    return piece.served(request_token(request))


def render_cards(
    request, block: Block, relationships=None, token: str | None = None
) -> dict[int, SafeString]:
    """The relationship cards of ``block`` (those of ``relationships``, if given), by id, for
    the editor's board, with ``token`` (else the request's CSRF token) in their forms.

    One cache round trip for the cards rendered before. The others are put together as a save
    does (``render_card``), from what is kept of their parts (a second round trip), and kept
    with their parts: the first save of a card after its page renders only what it changed.
    """
    relationships = block.relationships if relationships is None else relationships
    keys = {r.pk: card_key(r) for r in relationships}
    found = get_many(list(keys.values()))
    token = token or request_token(request)
    missing = {r.pk: card_keys(r) for r in relationships if keys[r.pk] not in found}
    if missing:
        found |= get_many([key for one in missing.values() for key in one.all()[1:]])
    rendered: dict[str, Kept] = {}
    cards = {}
    for relationship in relationships:
        key = keys[relationship.pk]
        piece = found.get(key)
        if piece is None:
            one = missing[relationship.pk]
            piece = rendered[key] = _assembled(relationship, False, one, found, rendered)
        cards[relationship.pk] = piece.served(token)
    if rendered:
        keep_many(rendered)
    return cards
