"""Live changes: what other members changed since a page was loaded, and who has it open.

Every open editor page asks every few seconds (``teams.views.live``) with the canvas revision
it shows. When nothing changed the answer is an empty 204 after one small query; otherwise the
changes come from ``relationships.Revision`` (written by the write path), named as the block
names its cards. Who has the page open is a heartbeat in the shared cache: approximate by
design, and nothing breaks if the cache is down (nobody is shown as present).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import caches
from django.utils.translation import gettext as _

from relationships.block import Block
from relationships.models import Revision

POLL_SECONDS = 5
PRESENT_SECONDS = 3 * POLL_SECONDS  # a page that missed two polls has been closed
logger = logging.getLogger(__name__)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def present(canvas_pk: int, user) -> list[tuple[int, str]]:
    """Record that ``user`` has the canvas open now; the others who do, as (id, name)."""
    key, now, cache = f"presence:{canvas_pk}", time.time(), caches["presence"]
    try:
        seen = cache.get(key) or {}
        seen = {pk: (name, at) for pk, (name, at) in seen.items() if now - at < PRESENT_SECONDS}
        seen[user.pk] = (_name(user), now)
        cache.set(key, seen, PRESENT_SECONDS * 2)
    except Exception:  # the cache is a help: without it nobody is shown as present
        logger.warning("presence unavailable for canvas %s", canvas_pk, exc_info=True)
        return []
    return sorted(((pk, name) for pk, (name, _at) in seen.items() if pk != user.pk), key=str)


def people_here(canvas_pk: int, user) -> dict:
    """``present`` as a page shows it: the others' names, and the key a poll compares."""
    people = present(canvas_pk, user)
    return {
        "people": [name for _pk, name in people],
        "people_key": "-".join(str(pk) for pk, _name in people),
    }


@dataclass(frozen=True)
class Changes:
    """What others changed after a revision: names of people, and the cards each changed."""

    by_person: dict[str, list[str]]
    relationship_pks: set[int]
    removed: bool  # something was deleted (or moved out of sight)
    segment_pks: frozenset[int] = frozenset()  # segments whose own fields changed

    def __bool__(self) -> bool:
        return bool(self.by_person)


def changes_since(canvas_pk: int, revision: int, user, block: Callable[[], Block]) -> Changes:
    """The changes other people made to the canvas after ``revision``, in order, named as
    ``block()`` names its cards. One query; the block is asked for only when somebody else
    changed something (a page that polls after its own saves needs none)."""
    rows = list(
        Revision.objects.filter(canvas_id=canvas_pk, number__gt=revision)
        .exclude(by=user)
        .select_related("by")
    )
    if not rows:
        return Changes({}, set(), False)
    block = block()
    by_person: dict[str, list[str]] = defaultdict(list)
    relationships, segments, removed = set(), set(), False
    for row in rows:
        place = block.place(f"{row.card}-{row.card_id}") if row.card else ""
        if row.card and not place:
            removed, place = True, _("something since deleted")
        elif not row.card:
            place = _("the venture and its answers")
        if row.card == Revision.Card.RELATIONSHIP and block.relationship(row.card_id):
            relationships.add(row.card_id)
        if row.card == Revision.Card.SEGMENT and block.segment(row.card_id):
            segments.add(row.card_id)
        who = _name(row.by) if row.by else _("someone")
        if place not in by_person[who]:
            by_person[who].append(place)
    return Changes(dict(by_person), relationships, removed, frozenset(segments))
