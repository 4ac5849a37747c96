"""Two app processes saving at the same time, on PostgreSQL, with real connections.

Each request runs in its own thread with its own database connection, as two gunicorn workers
would; a barrier holds both right before the conditional UPDATE so that they really collide.
CI runs the suite on SQLite and on PostgreSQL; these tests need PostgreSQL's row locking.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from relationships import writes
from relationships.models import Relationship, Segment
from tests.factories import make_canvas, make_relationship, make_segment, make_user
from tests.helpers import HTMX, client_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="runs when DATABASE_URL is PostgreSQL"
    ),
]
CONFLICT = "changed in another tab"


def edit(version, *, type, contact, goals, interaction):
    return {
        "type": type,
        "state": "planned",
        "contact": contact,
        "reach": "collective",
        "bond": "long_term",
        "goals": goals,
        "interaction": interaction,
        "version": version,
    }


def in_parallel(*calls):
    """Run each call in its own thread (own connection); return results or raise the first error."""
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            results[index] = call()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a request hung"
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def owner():
    return make_user("owner")


def test_two_simultaneous_saves_one_wins_one_gets_the_conflict(owner, monkeypatch):
    relationship = make_relationship(make_segment(make_canvas(owner)))
    url = reverse("relationship_edit", args=[relationship.pk])
    original = writes._in_one_statement  # a form's save on PostgreSQL
    for round_ in range(5):
        barrier = threading.Barrier(2, timeout=10)

        def together(*args, barrier=barrier):
            barrier.wait()  # both requests have validated and now write at once
            return original(*args)

        monkeypatch.setattr(writes, "_in_one_statement", together)
        version = Relationship.objects.get(pk=relationship.pk).version
        a = edit(
            version,
            type="personal",
            contact="direct",
            goals=["acquisition"],
            interaction=f"A{round_}",
        )
        b = edit(
            version,
            type="communities",
            contact="remote",
            goals=["retention", "boosting_sales"],
            interaction=f"B{round_}",
        )
        first, second = in_parallel(
            lambda a=a: client_for(owner).post(url, a, headers=HTMX),
            lambda b=b: client_for(owner).post(url, b, headers=HTMX),
        )
        monkeypatch.setattr(writes, "_in_one_statement", original)

        assert first.status_code == second.status_code == 200
        conflicted = [CONFLICT in r.text for r in (first, second)]
        assert sorted(conflicted) == [False, True], "exactly one save must win"
        winner = a if conflicted[1] else b
        loser_response = second if conflicted[1] else first
        assert (b if winner is a else a)["interaction"] in loser_response.text  # text kept

        row = Relationship.objects.get(pk=relationship.pk)
        assert row.version == version + 1
        # One consistent version: every field from the winner, none from the loser.
        assert (row.type, row.contact, row.goals, row.interaction) == (
            winner["type"],
            winner["contact"],
            winner["goals"],
            winner["interaction"],
        )


def test_deleting_a_segment_while_its_relationship_is_saved_crashes_neither_side(owner):
    for _ in range(5):
        segment = make_segment(make_canvas(owner))
        relationship = make_relationship(segment)
        barrier = threading.Barrier(2, timeout=10)

        def save(relationship=relationship, barrier=barrier):
            client = client_for(owner)
            barrier.wait()
            return client.post(
                reverse("relationship_edit", args=[relationship.pk]),
                edit(1, type="personal", contact="direct", goals=["retention"], interaction="x"),
                headers=HTMX,
            )

        def delete(segment=segment, barrier=barrier):
            client = client_for(owner)
            barrier.wait()
            return client.post(reverse("segment_delete", args=[segment.pk]), headers=HTMX)

        saved, deleted = in_parallel(save, delete)
        assert deleted.status_code == 200
        assert saved.status_code in {200, 404}
        assert not Segment.objects.filter(pk=segment.pk).exists()
        assert not Relationship.objects.filter(pk=relationship.pk).exists()
