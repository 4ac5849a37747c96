"""Editing the block through htmx and through plain forms."""

import re

import pytest
from django.urls import reverse

from relationships.models import Canvas, CostItem, Relationship, Segment
from tests.factories import make_cost, make_relationship, make_segment
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db

RELATIONSHIP = {
    "type": "communities",
    "state": "planned",
    "contact": "remote",
    "reach": "collective",
    "bond": "long_term",
    "goals": ["retention", "boosting_sales"],
    "interaction": "Monthly workshop",
}


def test_creating_a_canvas_opens_it(owner_client, user):
    response = owner_client.post(reverse("canvas_list"), {"title": "Bike repairs"})
    canvas = Canvas.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("canvas_detail", args=[canvas.pk])


def test_empty_canvas_list_teaches_the_first_step(owner_client):
    response = owner_client.get(reverse("canvas_list"))
    assert "Your first canvas" in response.text


def test_a_canvas_without_segments_teaches_the_first_step(owner_client, canvas):
    response = owner_client.get(reverse("canvas_detail", args=[canvas.pk]))
    assert "Start with a customer segment" in response.text


def test_creating_a_canvas_without_title_says_so_beside_the_field(owner_client, user):
    response = owner_client.post(reverse("canvas_list"), {"title": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Canvas.objects.filter(owner=user).exists()


def test_htmx_segment_create_returns_the_board_with_new_totals(owner_client, canvas):
    response = owner_client.post(
        reverse("segment_create", args=[canvas.pk]),
        {"name": "Office workers", "customer_count": "25"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#board"
    assert "Office workers" in response.text
    assert 'id="canvas-totals"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert canvas.segments.get().name == "Office workers"


def test_plain_segment_create_redirects_to_the_new_segment(owner_client, canvas):
    response = owner_client.post(reverse("segment_create", args=[canvas.pk]), {"name": "Tourists"})
    segment = canvas.segments.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#segment-{segment.pk}")


def test_invalid_segment_keeps_the_input_and_shows_the_error_beside_the_field(owner_client, canvas):
    response = owner_client.post(
        reverse("segment_create", args=[canvas.pk]),
        {"name": "Students", "customer_count": "-3", "average_spend": "lots"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert 'value="Students"' in response.text
    assert 'value="lots"' in response.text
    assert "Write a number of 0 or more." in response.text
    assert "Write the number like 1,234.56" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not canvas.segments.exists()


def test_relationship_create_and_edit_through_htmx(owner_client, canvas):
    segment = make_segment(canvas)
    response = owner_client.post(
        reverse("relationship_create", args=[segment.pk]), RELATIONSHIP, headers=HTMX
    )
    assert response.status_code == 200
    relationship = segment.relationships.get()
    assert relationship.goals == ["retention", "boosting_sales"]
    assert relationship.state == "planned"
    assert f'id="relationship-{relationship.pk}"' in response.text

    edit = {**RELATIONSHIP, "state": "established", "version": relationship.version}
    response = owner_client.post(
        reverse("relationship_edit", args=[relationship.pk]), edit, headers=HTMX
    )
    assert response.status_code == 200
    assert "state-established" in response.text
    relationship.refresh_from_db()
    assert relationship.state == "established"
    assert relationship.version == 2


def test_relationship_without_goal_says_pick_one_and_keeps_the_text(owner_client, canvas):
    segment = make_segment(canvas)
    data = {**RELATIONSHIP, "goals": [], "interaction": "Every Friday at the market"}
    response = owner_client.post(
        reverse("relationship_create", args=[segment.pk]), data, headers=HTMX
    )
    assert "Pick at least one goal." in response.text
    assert "Every Friday at the market" in response.text
    assert not Relationship.objects.exists()


def test_unknown_choice_is_a_clear_error_not_a_crash(owner_client, canvas):
    segment = make_segment(canvas)
    data = {**RELATIONSHIP, "type": "telepathy"}
    response = owner_client.post(reverse("relationship_create", args=[segment.pk]), data)
    assert response.status_code == 200
    assert "Select a valid choice." in response.text


def test_adding_a_cost_updates_card_and_totals_out_of_band(owner_client, canvas):
    relationship = make_relationship(make_segment(canvas))
    response = owner_client.post(
        reverse("cost_create", args=[relationship.pk]),
        {"label": "Forum software", "amount": "40", "frequency": "monthly"},
        headers=HTMX,
    )
    assert response["HX-Retarget"] == f"#relationship-{relationship.pk}"
    yearly = re.search(r'data-total="yearly">([^<]+)<', response.text).group(1)
    assert yearly == "€480.00"
    assert "Forum software" in response.text


def test_cost_amount_beyond_the_bound_is_refused_beside_the_field(owner_client, canvas):
    relationship = make_relationship(make_segment(canvas))
    response = owner_client.post(
        reverse("cost_create", args=[relationship.pk]),
        {"label": "Huge", "amount": "1000000000", "frequency": "monthly"},
        headers=HTMX,
    )
    assert "cost-form" in response.text
    assert 'value="1000000000"' in response.text
    assert not CostItem.objects.exists()


def test_deleting_a_cost_asks_first_without_javascript(owner_client, canvas):
    cost = make_cost(make_relationship(make_segment(canvas)))
    response = owner_client.get(reverse("cost_delete", args=[cost.pk]))
    assert "cannot be undone" in response.text
    assert CostItem.objects.filter(pk=cost.pk).exists()
    owner_client.post(reverse("cost_delete", args=[cost.pk]))
    assert not CostItem.objects.filter(pk=cost.pk).exists()


def test_deleting_a_segment_through_htmx_refreshes_totals(owner_client, canvas):
    segment = make_segment(canvas)
    make_cost(make_relationship(segment), amount="100")
    response = owner_client.post(reverse("segment_delete", args=[segment.pk]), headers=HTMX)
    assert response.status_code == 200
    assert re.search(r'data-total="yearly">([^<]+)<', response.text).group(1) == "€0.00"
    assert not Segment.objects.exists()


def test_deleting_the_last_relationship_or_segment_brings_back_the_empty_state(
    owner_client, canvas
):
    segment = make_segment(canvas)
    relationship = make_relationship(segment)
    response = owner_client.post(
        reverse("relationship_delete", args=[relationship.pk]), headers=HTMX
    )
    assert response["HX-Retarget"] == f"#segment-{segment.pk}"
    assert "No relationship with this segment yet" in response.text
    response = owner_client.post(reverse("segment_delete", args=[segment.pk]), headers=HTMX)
    assert response["HX-Retarget"] == "#board"
    assert "Start with a customer segment" in response.text


def test_the_segment_form_explains_the_types_beside_the_expected_one(owner_client, canvas):
    for headers in (HTMX, {}):
        page = owner_client.get(reverse("segment_create", args=[canvas.pk]), headers=headers).text
        help_at = page.index("What do the types mean?")
        assert page.index('name="expected_type"') < help_at < page.index('name="expectation"')
        assert "Co-creation" in page[help_at:]


def test_moving_a_segment_changes_the_order_on_the_page(owner_client, canvas):
    make_segment(canvas, name="First")
    second = make_segment(canvas, name="Second")
    owner_client.post(reverse("segment_move", args=[second.pk]), {"direction": "up"})
    page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).text
    assert page.index("Second") < page.index("First")


def test_a_lone_segment_has_no_arrows_and_a_second_one_brings_them(owner_client, canvas):
    first = make_segment(canvas, name="First")
    page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).text
    assert f'id="segment-{first.pk}-left"' not in page
    assert f'id="segment-{first.pk}-right"' not in page
    assert reverse("segment_move", args=[first.pk]) not in page
    assert reverse("segment_edit", args=[first.pk]) in page  # its other actions stay

    board = owner_client.post(
        reverse("segment_create", args=[canvas.pk]), {"name": "Second"}, headers=HTMX
    ).text
    second = canvas.segments.get(name="Second")

    def button(segment, side) -> str:
        return re.search(rf'<button[^>]*id="segment-{segment.pk}-{side}"[^>]*>', board)[0]

    # At the ends of two, the arrows stay, the one leading nowhere disabled.
    assert " disabled" in button(first, "left")
    assert " disabled" not in button(first, "right")
    assert " disabled" not in button(second, "left")
    assert " disabled" in button(second, "right")

    board = owner_client.post(reverse("segment_delete", args=[second.pk]), headers=HTMX).text
    assert f'id="segment-{first.pk}-left"' not in board
    assert f'id="segment-{first.pk}-right"' not in board


def test_moving_a_cost_changes_its_place_in_the_card(owner_client, canvas):
    relationship = make_relationship(make_segment(canvas))
    make_cost(relationship, label="Rent")
    staff = make_cost(relationship, label="Staff time")

    response = owner_client.post(
        reverse("cost_move", args=[staff.pk]), {"direction": "up"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.index("Staff time") < response.text.index("Rent")
    # Without JavaScript: back to the card, in the new order.
    response = owner_client.post(reverse("cost_move", args=[staff.pk]), {"direction": "down"})
    assert response["Location"].endswith(f"#relationship-{relationship.pk}")
    labels = list(relationship.cost_items.values_list("label", flat=True))
    assert labels == ["Rent", "Staff time"]


def test_a_move_past_the_end_changes_nothing_not_even_the_last_change(owner_client, canvas):
    segment = make_segment(canvas)
    relationship = make_relationship(segment)
    cost = make_cost(relationship)
    canvas.refresh_from_db()
    before = canvas.updated_at
    owner_client.post(reverse("segment_move", args=[segment.pk]), {"direction": "up"})
    owner_client.post(reverse("relationship_move", args=[relationship.pk]), {"direction": "down"})
    owner_client.post(reverse("cost_move", args=[cost.pk]), {"direction": "up"}, headers=HTMX)
    canvas.refresh_from_db()
    assert canvas.updated_at == before


def test_renaming_a_canvas_from_the_list(owner_client, canvas):
    page = owner_client.get(reverse("canvas_list")).text
    assert reverse("canvas_rename", args=[canvas.pk]) in page
    rename_url = reverse("canvas_rename", args=[canvas.pk])
    response = owner_client.post(rename_url, {"title": "Night bakery", "version": canvas.version})
    assert response["Location"] == f"{reverse('canvas_list')}#canvas-{canvas.pk}"
    canvas.refresh_from_db()
    assert (canvas.title, canvas.currency) == ("Night bakery", "EUR")
    # An empty title is refused beside the field, and the old title stays in the heading.
    response = owner_client.post(
        reverse("canvas_rename", args=[canvas.pk]), {"title": "", "version": canvas.version}
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "Rename “Night bakery”" in response.text


def test_duplicate_and_delete_a_canvas(owner_client, canvas, user):
    make_segment(canvas, name="Tourists")
    owner_client.post(reverse("canvas_duplicate", args=[canvas.pk]))
    copy = Canvas.objects.get(owner=user, title="Copy of Bakery")
    assert copy.segments.get().name == "Tourists"
    owner_client.post(reverse("canvas_delete", args=[canvas.pk]))
    assert list(Canvas.objects.filter(owner=user)) == [copy]


def test_canvas_questions_are_saved_and_shown(owner_client, canvas):
    data = {
        "title": "Bakery",
        "description": "Bread",
        "currency": "USD",
        "business_fit": "Same van for everything",
        "market_effect": "Friendly",
        "version": canvas.version,
    }
    response = owner_client.post(reverse("canvas_edit", args=[canvas.pk]), data, headers=HTMX)
    assert "Same van for everything" in response.text
    canvas.refresh_from_db()
    assert canvas.currency == "USD"


def test_user_text_is_escaped(owner_client, canvas):
    make_segment(canvas, name="<script>alert(1)</script>")
    response = owner_client.get(reverse("canvas_detail", args=[canvas.pk]))
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_pages_send_a_strict_content_security_policy(owner_client, canvas):
    response = owner_client.get(reverse("canvas_detail", args=[canvas.pk]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy
    assert "<script>" not in response.text  # no inline script at all


def test_htmx_requests_without_csrf_token_are_refused(client, user, canvas):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(reverse("segment_create", args=[canvas.pk]), {"name": "X"}, headers=HTMX)
    assert response.status_code == 403
    assert not canvas.segments.exists()


def test_a_canvas_that_cannot_be_copied_says_so_instead_of_failing(
    owner_client, canvas, monkeypatch
):
    from relationships.document import DocumentError
    from relationships.models import Canvas

    def refuse(
        self, title, owner=None
    ):  # e.g. a NUL stored in SQLite before the document had a schema
        raise DocumentError("Canvas “Bakery”: title: holds a character no database can store")

    monkeypatch.setattr(Canvas, "duplicate", refuse)
    response = owner_client.post(reverse("canvas_duplicate", args=[canvas.pk]), follow=True)
    assert response.status_code == 200
    assert "“Bakery” could not be copied." in response.text
    assert Canvas.objects.count() == 1


def test_a_form_on_a_page_of_its_own_posts_plainly_and_comes_back(owner_client, canvas):
    page = owner_client.get(reverse("segment_create", args=[canvas.pk])).text
    assert '<div class="form-page" hx-disable>' in page  # no htmx swap into a missing board
    response = owner_client.post(
        reverse("segment_create", args=[canvas.pk]), {"name": "Tourists", "version": 1}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("canvas_detail", args=[canvas.pk]))


SHOWN = re.compile(r'\bid="([^"]+)"[^>]*?\bdata-shown="([^"]+)"')


def test_a_save_leaves_out_the_numbers_the_page_shows_as_they_stay(owner_client, canvas):
    """The page's htmx says which numbers it holds (X-Shown, each piece's data-shown): a save
    that leaves them as they are sends none of them again, one that changes them sends them,
    and a request that says nothing (no JavaScript) gets them all."""
    segment = make_segment(canvas, name="Regulars", customer_count=40)
    relationship = make_relationship(segment, type="communities")
    make_cost(relationship, label="Hall", amount="95.50", frequency="monthly")
    url = reverse("relationship_edit", args=[relationship.pk])
    owner_client.post(url, {**RELATIONSHIP, "version": 1}, headers=HTMX)
    page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).text
    shown = dict(SHOWN.findall(page))
    assert {"canvas-totals", "completeness", "economics", f"segment-{segment.pk}-totals"} <= set(
        shown
    )
    headers = {**HTMX, "X-Shown": " ".join(shown.values())}

    text_only = owner_client.post(
        url, {**RELATIONSHIP, "interaction": "Weekly tea", "version": 2}, headers=headers
    )
    assert "Weekly tea" in text_only.text
    assert not SHOWN.findall(text_only.text)  # nothing of the numbers changed: none sent

    # Another type: the costs split by type change, the totals do not.
    retyped = owner_client.post(
        url, {**RELATIONSHIP, "type": "personal", "version": 3}, headers=headers
    )
    sent = dict(SHOWN.findall(retyped.text))
    assert "economics" in sent
    assert sent["economics"] != shown["economics"]
    assert "canvas-totals" not in sent
    assert 'id="economics" class="economics" aria-labelledby="economics-title" hx-swap-oob' in (
        retyped.text
    )

    plain = owner_client.post(url, {**RELATIONSHIP, "version": 4}, headers=HTMX)
    assert {"canvas-totals", "completeness", "economics"} <= set(dict(SHOWN.findall(plain.text)))


def test_a_name_too_long_for_the_pitch_page_is_warned_of_at_once_and_once(owner_client, canvas):
    """The warning of what the one-page PDF would cut comes with the save that makes a name too
    long; a save that leaves the warnings as they are does not send them again (X-Shown)."""
    segment = make_segment(canvas, name="Regulars")
    url = reverse("segment_edit", args=[segment.pk])
    page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).text
    shown = dict(SHOWN.findall(page))
    assert "pitch-warnings" in shown
    assert "too long for the one-page PDF" not in page
    headers = {**HTMX, "X-Shown": " ".join(shown.values())}

    long_name = "Families who come every Saturday morning for fresh bread and pastries"
    saved = owner_client.post(url, {"name": long_name, "version": 1}, headers=headers).text
    warnings = re.search(r'<div id="pitch-warnings" hx-swap-oob="true".*?</div>', saved, re.S)
    assert "1 item is too long for the one-page PDF" in warnings.group(0)
    assert f'href="#segment-{segment.pk}' in warnings.group(0)  # to the place to shorten it

    shown.update(SHOWN.findall(saved))
    headers = {**HTMX, "X-Shown": " ".join(shown.values())}
    again = owner_client.post(
        url, {"name": long_name, "expectation": "A warm loaf", "version": 2}, headers=headers
    )
    assert "A warm loaf" in again.text
    assert 'id="pitch-warnings"' not in again.text  # the page shows them as they are
