"""A row deleted in another tab while this request works on it: a 404, never a 500.

Each test puts the other tab's delete at one exact moment of the request: after the object
was looked up, before or after its conditional write, or before the fresh block is loaded.
"""

import pytest
from django.test import Client
from django.urls import reverse

from relationships.block import Block
from relationships.models import Relationship, Segment, VersionedQuerySet
from tests.factories import make_canvas, make_cost, make_relationship, make_segment, make_user
from tests.helpers import HTMX

RELATIONSHIP = {
    "type": "personal",
    "state": "planned",
    "contact": "direct",
    "reach": "individual",
    "bond": "long_term",
    "goals": ["retention"],
    "interaction": "Saved in this tab",
    "version": 1,
}


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def browser(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    return client


@pytest.mark.django_db
def test_segment_deleted_just_before_its_relationship_is_saved(owner, browser, monkeypatch):
    segment = make_segment(make_canvas(owner))
    relationship = make_relationship(segment)
    # Whichever way the write goes (one statement on PostgreSQL, the ORM's otherwise), the
    # other tab's delete comes just before it.
    for name in ("save_if_current", "versioned_update"):
        original = getattr(VersionedQuerySet, name)

        def other_tab_deletes_first(self, obj, expected_version, original=original):
            Segment.objects.filter(pk=segment.pk).delete()
            return original(self, obj, expected_version)

        monkeypatch.setattr(VersionedQuerySet, name, other_tab_deletes_first)
    url = reverse("relationship_edit", args=[relationship.pk])
    assert browser.post(url, RELATIONSHIP, headers=HTMX).status_code == 404


@pytest.mark.django_db
def test_segment_deleted_just_after_its_relationship_is_saved(owner, browser, monkeypatch):
    segment = make_segment(make_canvas(owner))
    relationship = make_relationship(segment)
    original = Block.load  # what the write path reads after it saved

    def other_tab_deletes_meanwhile(canvas_pk, owner=None):
        Segment.objects.filter(pk=segment.pk).delete()
        return original(canvas_pk, owner)

    monkeypatch.setattr(Block, "load", staticmethod(other_tab_deletes_meanwhile))
    url = reverse("relationship_edit", args=[relationship.pk])
    assert browser.post(url, RELATIONSHIP, headers=HTMX).status_code == 404


@pytest.mark.django_db
def test_relationship_moved_while_another_tab_deletes_it(owner, browser, monkeypatch):
    relationship = make_relationship(make_segment(make_canvas(owner)))
    original = Relationship.siblings

    def other_tab_deletes_meanwhile(self):
        Relationship.objects.filter(pk=self.pk).delete()
        return original(self)

    monkeypatch.setattr(Relationship, "siblings", other_tab_deletes_meanwhile)
    url = reverse("relationship_move", args=[relationship.pk])
    assert browser.post(url, {"direction": "up"}, headers=HTMX).status_code in {200, 404}


@pytest.mark.django_db(transaction=True)  # the foreign key is checked when the insert commits
def test_cost_added_to_a_relationship_another_tab_just_deleted(owner, browser, monkeypatch):
    relationship = make_relationship(make_segment(make_canvas(owner)))
    make_cost(relationship)
    original = VersionedQuerySet.filter

    deleted = []

    def other_tab_deletes_first(self, *args, **kwargs):
        if not deleted and self.model.__name__ == "CostItem":  # the new item's position lookup
            deleted.append(Relationship.objects.filter(pk=relationship.pk).delete())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(VersionedQuerySet, "filter", other_tab_deletes_first)
    url = reverse("cost_create", args=[relationship.pk])
    response = browser.post(url, {"label": "Late", "amount": "5", "frequency": "monthly"})
    assert response.status_code == 404
