"""Two tabs editing the same item: the later save must not silently overwrite the first."""

from decimal import Decimal

import pytest
from django.urls import reverse

from teams.models import CanvasMember
from tests.factories import make_relationship, make_segment, make_user
from tests.helpers import HTMX, client_for, form_fields

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


# --- two members, one relationship: the form remembers what it opened with --------------------


@pytest.fixture
def two_members(canvas, user):
    """Marta (the owner) and Jorge (an editor), each in their own browser, and a relationship."""
    jorge = make_user("jorge")
    jorge.first_name, jorge.last_name = "Jorge", "Ruiz"
    jorge.save()
    CanvasMember.objects.create(canvas=canvas, user=jorge, role="editor")
    relationship = make_relationship(
        make_segment(canvas), contact="direct", reach="individual", interaction="Calls"
    )
    return client_for(user), client_for(jorge), relationship


def opened(client, relationship, htmx: bool) -> dict:
    """The edit form as its member opened it, as the browser would send it back."""
    url = reverse("relationship_edit", args=[relationship.pk])
    response = client.get(url, headers=HTMX if htmx else {})
    return form_fields(response.text, f"relationship-{relationship.pk}")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_save_after_someone_elses_keeps_their_change_to_another_field(two_members, htmx):
    marta, jorge, relationship = two_members
    url = reverse("relationship_edit", args=[relationship.pk])
    headers = HTMX if htmx else {}
    martas, jorges = opened(marta, relationship, htmx), opened(jorge, relationship, htmx)

    jorge.post(url, {**jorges, "contact": "remote"}, headers=headers)
    response = marta.post(url, {**martas, "interaction": "Weekly calls"}, headers=headers)

    relationship.refresh_from_db()
    assert (relationship.contact, relationship.interaction) == ("remote", "Weekly calls")
    notice = "keeping what was changed meanwhile in another tab or by someone else: Contact."
    if htmx:
        assert response.status_code == 200
        assert "changed in another tab" not in response.text
        assert 'class="relationship-card' in response.text  # the saved card, not the form
        assert 'id="flash"' in response.text
        assert notice in response.text
    else:
        assert response.status_code == 302
        page = marta.get(response["Location"])
        assert notice in page.text
        assert 'class="notice notice-merged info"' in page.text  # kept in sight (app.css)
        assert notice not in marta.get(response["Location"]).text  # said once


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_same_field_changed_by_both_shows_what_is_saved_beside_it(two_members, htmx):
    marta, jorge, relationship = two_members
    url = reverse("relationship_edit", args=[relationship.pk])
    headers = HTMX if htmx else {}
    martas, jorges = opened(marta, relationship, htmx), opened(jorge, relationship, htmx)
    jorge.post(
        url,
        {**jorges, "interaction": "<b>Jorge's</b> plan", "reach": "collective"},
        headers=headers,
    )

    response = marta.post(url, {**martas, "interaction": "Marta's plan"}, headers=headers)

    assert response.status_code == 200
    assert "changed in another tab" in response.text
    assert "Saved meanwhile by Jorge Ruiz:" in response.text
    assert "&lt;b&gt;Jorge&#x27;s&lt;/b&gt; plan" in response.text  # escaped, beside the field
    assert "<b>Jorge" not in response.text
    if not htmx:
        assert "<html" in response.text  # a whole page without JavaScript
    shown = form_fields(response.text, f"relationship-{relationship.pk}")
    assert shown["interaction"] == "Marta's plan"  # what she typed is kept
    assert shown["reach"] == "collective"  # what only Jorge changed shows as he left it
    relationship.refresh_from_db()
    assert relationship.interaction == "<b>Jorge's</b> plan"

    # Saving again on purpose replaces his text with hers, and keeps his other change.
    again = marta.post(url, shown, headers=headers)
    assert again.status_code == (200 if htmx else 302)
    relationship.refresh_from_db()
    assert (relationship.interaction, relationship.reach) == ("Marta's plan", "collective")


def test_a_segment_conflict_in_spanish_shows_the_saved_number_the_spanish_way(canvas, user):
    segment = make_segment(canvas, name="Offices", average_spend="10")
    url = reverse("segment_edit", args=[segment.pk])
    first, second = client_for(user), client_for(user)
    for tab in (first, second):
        tab.cookies["django_language"] = "es"
    form_id = f"segment-{segment.pk}-header"
    ones = form_fields(first.get(url, headers=HTMX).text, form_id)
    twos = form_fields(second.get(url, headers=HTMX).text, form_id)
    assert ones["average_spend"] == "10,00"

    changed = {"average_spend": "1.200,50", "name": "Big offices", "customer_count": "1500"}
    first.post(url, {**ones, **changed}, headers=HTMX)
    response = second.post(url, {**twos, "average_spend": "99"}, headers=HTMX)

    assert "Guardado mientras tanto por ti, en otra pestaña:" in response.text
    assert "1.200,50" in response.text
    shown = form_fields(response.text, form_id)
    # What only the first tab changed shows as it left it, its number the Spanish way.
    assert (shown["name"], shown["customer_count"]) == ("Big offices", "1.500")
    assert shown["average_spend"] == "99"  # what this tab typed is kept
    segment.refresh_from_db()
    assert (segment.average_spend, segment.customer_count) == (Decimal("1200.50"), 1500)
