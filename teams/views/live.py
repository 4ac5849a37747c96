"""What every open editor page asks every few seconds (``teams.live``): what the others
changed since the revision it shows, and who else has it open."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from canvas_site.queries import CompiledQuery
from relationships.block import Block
from relationships.cards import render_cards
from relationships.views.numbers import PAGE, kept_numbers, shown_pieces
from teams import access
from teams import live as live_state
from teams.access import Action


def _shown_revision(request: HttpRequest, current: int) -> int:
    value = request.GET.get("revision", "")
    return int(value) if value.isdigit() and int(value) <= current else current


def _readable_revision_query(user_pk: int, pk: int):
    user = get_user_model()(pk=user_pk)
    return access.canvases(user, Action.READ).filter(pk=pk).values_list("revision")


# Every open editor page asks every few seconds: the access rule compiled once per process.
_READABLE_REVISION = CompiledQuery(_readable_revision_query, arity=2)


@require_GET
def live(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed since the revision the page shows, and who else has it open.

    204 (nothing for htmx to do) when neither changed: one query beyond the session's.
    """
    rows = _READABLE_REVISION.rows(request.user.pk, pk)
    if not rows:
        raise Http404
    current = rows[0][0]
    shown = _shown_revision(request, current)
    people = live_state.people_here(pk, request.user)
    if shown == current and people["people_key"] == request.GET.get("present", ""):
        return HttpResponse(status=204)
    context = {
        "canvas_pk": pk,
        "revision": current,
        **people,
        "editing": request.GET.get("mode") == "edit",
    }
    html = []
    if shown < current:
        loaded = functools.cache(lambda: Block.load(pk))  # once, if at all
        changes = live_state.changes_since(pk, shown, request.user, loaded)
        context["changes"] = changes
        if changes and context["editing"]:
            block = loaded()
            # The fresh cards wait in #live-cards; static/js/app.js puts each one in place of
            # its card, unless an edit form is open there (what its user types is kept).
            cards = render_cards(request, block)
            context["live_cards"] = [cards[pk] for pk in sorted(changes.relationship_pks)]
            # A segment's header too (its name, what it expects), in the same way.
            context["live_cards"] += [
                render_to_string(
                    f"{PAGE}#segment-header", {"canvas": block, "segment": segment}, request
                )
                for segment in block.segments
                if segment.pk in changes.segment_pks
            ]
            # The numbers of the block and of every segment, out of band, but those the page
            # shows as they are (X-Shown): a cost of another member's changes its segment's.
            numbers = kept_numbers(request, block, True, shown=shown_pieces(request))
            names = ("canvas-totals", "completeness", "pitch-warnings", "economics")
            html += [numbers.get(name, "") for name in names]
            html += numbers["segment-totals"].values()
    page = render_to_string("teams/live.html", context, request=request)
    return HttpResponse(page + "".join(html))
