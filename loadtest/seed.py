"""Seed a throwaway load-test database: users, each with a canvas and a logged-in session.

Run by loadtest/run.py and loadtest/faults.py with the server's environment:
``python -m loadtest.seed USERS SEGMENTS RELATIONSHIPS COSTS [SAMPLE]`` makes USERS users
(``load0``...) with a canvas of that shape each, and SAMPLE users (``sample0``...) with the
sample canvas each (relationships.sample, the demo's). Prints one JSON object on stdout:
``{"users": [one, ...], "sample": [one, ...]}``, each
``{"session": key, "canvas": pk, "relationships": [pk, ...], "versions": {pk: version}}``.
"""

import json
import os
import sys
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canvas_site.settings")
django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402

from relationships.models import Canvas, CostItem, Relationship, Segment  # noqa: E402
from relationships.sample import create_sample_canvas  # noqa: E402


def logged_in(user: User, canvas: Canvas) -> dict:
    """A session as if ``user`` had logged in, and what the load test needs of the canvas."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    versions = dict(
        Relationship.objects.filter(segment__canvas=canvas)
        .order_by("segment__position", "position", "pk")
        .values_list("pk", "version")
    )
    return {
        "session": session.session_key,
        "canvas": canvas.pk,
        "relationships": list(versions),
        "versions": versions,
    }


@transaction.atomic
def seed_sample(users: int) -> list[dict]:
    seeded = []
    for n in range(users):
        user = User(username=f"sample{n}")
        user.set_unusable_password()
        user.save()
        seeded.append(logged_in(user, create_sample_canvas(user)))
    return seeded


@transaction.atomic
def seed(users: int, segments: int, relationships: int, costs: int) -> list[dict]:
    seeded = []
    for n in range(users):
        user = User(username=f"load{n}")
        user.set_unusable_password()
        user.save()
        canvas = Canvas.objects.create(
            owner=user, title=f"Venture {n}", description="A bakery", business_fit="Fits"
        )
        for s in range(segments):
            segment = Segment.objects.create(
                canvas=canvas,
                name=f"Segment {s}",
                expectation="Someone to talk to",
                customer_count=100,
                purchases_per_year=Decimal("12"),
                average_spend=Decimal("5"),
            )
            for r in range(relationships):
                relationship = Relationship(
                    segment=segment,
                    type="personal",
                    contact="direct",
                    reach="individual",
                    bond="transactional",
                    state="established",
                    interaction=f"Weekly call {r}",
                )
                relationship.goals = ["acquisition"]
                relationship.save()
                CostItem.objects.bulk_create(
                    CostItem(
                        relationship=relationship,
                        label=f"Cost {c}",
                        amount=Decimal("10"),
                        frequency="monthly",
                        position=c,
                    )
                    for c in range(costs)
                )
        seeded.append(logged_in(user, canvas))
    return seeded


if __name__ == "__main__":
    users, segments, relationships, costs = (int(a) for a in sys.argv[1:5])
    sample = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    json.dump(
        {"users": seed(users, segments, relationships, costs), "sample": seed_sample(sample)},
        sys.stdout,
    )
