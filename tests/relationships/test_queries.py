"""Pages load with a fixed number of queries, whatever the size of the block."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_block
from tests.helpers import HTMX, form_fields

pytestmark = pytest.mark.django_db

# session, user, unread-feedback badge, canvas, segments, relationships, cost items
CANVAS_PAGE_QUERIES = 7
# The editor: session, user, then one query for the canvas's revision, the user's role there,
# whether a teacher reviewed a hand-in of it (then one more for the comments beside the rows)
# and the badge's count; the block as kept for that revision (relationships/cards.py) ...
KEPT_EDITOR_PAGE_QUERIES = 3
# (Once this process has seen a session, its user comes with it: one query fewer.)
SEEN_SESSION = 1
# ... or, the first time, loaded: the canvas with its segments, the relationships with their
# cost items (relationships.block.Block.load)
EDITOR_PAGE_QUERIES = KEPT_EDITOR_PAGE_QUERIES + 2
# and the canvases shared with the user, and the invitations waiting for them
CANVAS_LIST_QUERIES = CANVAS_PAGE_QUERIES + 2


@pytest.mark.parametrize("segments", [1, 10])
def test_canvas_page_query_count_is_flat(owner_client, user, django_assert_num_queries, segments):
    canvas = make_block(user, segments=segments, relationships=3, costs=2)
    url = reverse("canvas_detail", args=[canvas.pk])
    with django_assert_num_queries(EDITOR_PAGE_QUERIES):
        response = owner_client.get(url)
    assert response.status_code == 200
    assert response.text.count('class="relationship-card') == segments * 3
    with django_assert_num_queries(KEPT_EDITOR_PAGE_QUERIES - SEEN_SESSION):
        again = owner_client.get(url)
    assert again.text.count('class="relationship-card') == segments * 3


@pytest.mark.parametrize("canvases", [1, 8])
def test_canvas_list_query_count_is_flat(owner_client, user, django_assert_num_queries, canvases):
    for _ in range(canvases):
        make_block(user, segments=2, relationships=2, costs=1)
    with django_assert_num_queries(CANVAS_LIST_QUERIES):
        owner_client.get(reverse("canvas_list"))


def save_queries() -> int:
    """A relationship's htmx save in a session this process has seen: the session with its
    user, lookup; the write; the fresh block (the canvas with its segments, the relationships
    with their costs), not kept here: no page showed it. The write, on PostgreSQL: the update,
    who changed the card, the revision bump and its record in one statement (in a savepoint in
    tests); elsewhere, the four in one transaction (a savepoint in tests)."""
    write = 3 if connection.vendor == "postgresql" else 6
    return 2 + write + 2


def save_relationship_through_htmx(client, user, segments: int) -> int:
    """Save one relationship of a block of ``segments`` segments; return the queries it took."""
    canvas = make_block(user, segments=segments, relationships=3, costs=2)
    relationship = canvas.segments.first().relationships.first()
    data = {
        "type": "personal",
        "state": "established",
        "contact": "direct",
        "reach": "individual",
        "bond": "transactional",
        "goals": ["acquisition"],
        "interaction": "x",
        "version": relationship.version,
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("relationship_edit", args=[relationship.pk]),
            data,
            headers=HTMX,
        )
    assert response.status_code == 200
    return len(queries)


def test_htmx_save_query_count_is_flat(owner_client, user):
    owner_client.get(reverse("canvas_list"))
    small = save_relationship_through_htmx(owner_client, user, segments=1)
    large = save_relationship_through_htmx(owner_client, user, segments=10)
    assert small == large == save_queries()


def test_a_save_from_the_form_as_opened_costs_no_query_more(owner_client, user):
    """The form's memory of what it opened with (for a merge after someone else's save) is
    read only when someone did save meanwhile: the normal save stays at its queries."""
    canvas = make_block(user, segments=2, relationships=2, costs=1)
    relationship = canvas.segments.first().relationships.first()
    url = reverse("relationship_edit", args=[relationship.pk])
    data = form_fields(owner_client.get(url, headers=HTMX).text, relationship.anchor)
    assert data["opened"]
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.post(url, {**data, "interaction": "Fortnightly"}, headers=HTMX)
    assert 'class="relationship-card' in response.text
    assert len(queries) == save_queries()  # as test_htmx_save_query_count_is_flat
