"""Two tabs editing the same item: the later save must not silently overwrite the first."""

import pytest
from django.urls import reverse

from tests.factories import make_relationship, make_segment
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def relationship_data(version, interaction):
    return {
        "type": "personal",
        "state": "established",
        "contact": "direct",
        "reach": "individual",
        "bond": "transactional",
        "goals": ["acquisition"],
        "interaction": interaction,
        "version": version,
    }


def test_the_second_tab_gets_a_conflict_and_keeps_its_text(owner_client, canvas):
    relationship = make_relationship(make_segment(canvas))
    url = reverse("relationship_edit", args=[relationship.pk])
    opened_at = relationship.version  # both tabs opened the form at this version

    first = owner_client.post(url, relationship_data(opened_at, "Tab one"), headers=HTMX)
    assert first.status_code == 200
    second = owner_client.post(url, relationship_data(opened_at, "Tab two"), headers=HTMX)

    assert "changed in another tab" in second.text
    assert "Tab two" in second.text  # the loser's text is still in the form
    relationship.refresh_from_db()
    assert relationship.interaction == "Tab one"

    # Saving again on purpose, with the version the conflict form now carries, wins.
    version = relationship.version
    assert f'name="version" value="{version}"' in second.text
    owner_client.post(url, relationship_data(version, "Tab two"), headers=HTMX)
    relationship.refresh_from_db()
    assert relationship.interaction == "Tab two"


def test_segment_conflict_without_javascript_shows_the_message(owner_client, canvas):
    segment = make_segment(canvas, name="Before")
    url = reverse("segment_edit", args=[segment.pk])
    owner_client.post(url, {"name": "Tab one", "version": 1})
    response = owner_client.post(url, {"name": "Tab two", "version": 1})
    assert response.status_code == 200
    assert "changed in another tab" in response.text
    segment.refresh_from_db()
    assert segment.name == "Tab one"


def test_editing_an_item_deleted_in_another_tab_is_a_404_not_a_crash(owner_client, canvas):
    segment = make_segment(canvas)
    relationship = make_relationship(segment)
    url = reverse("relationship_edit", args=[relationship.pk])
    segment.delete()
    response = owner_client.post(url, relationship_data(1, "Late"), headers=HTMX)
    assert response.status_code == 404
