"""Live changes: a member sees which card another changed, and who else has the canvas open."""

import re

import pytest
from django.urls import reverse

from teams.models import CanvasMember
from tests.factories import make_canvas, make_relationship, make_segment, make_user
from tests.helpers import HTMX, client_for
from tests.relationships.test_concurrency import relationship_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(locmem_cache):
    olga, eva = make_user("olga"), make_user("eva")
    eva.first_name = "Eva"
    eva.save()
    canvas = make_canvas(owner=olga)
    CanvasMember.objects.create(canvas=canvas, user=eva, role="editor")
    relationship = make_relationship(make_segment(canvas, name="Adultos"))
    return canvas, relationship, client_for(olga), client_for(eva)


def poll_url(page: str) -> str:
    return re.search(r'id="live-poll"[^>]*hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")


def test_nothing_new_is_an_empty_answer_after_one_query(two, django_assert_max_num_queries):
    canvas, _relationship, olga, _eva = two
    url = poll_url(olga.get(reverse("canvas_detail", args=[canvas.pk])).text)
    with django_assert_max_num_queries(3):  # session, user, the canvas's revision
        response = olga.get(url, headers=HTMX)
    assert response.status_code == 204
    assert response.content == b""


def test_a_member_sees_which_card_the_other_changed(two):
    canvas, relationship, olga, eva = two
    url = poll_url(olga.get(reverse("canvas_detail", args=[canvas.pk])).text)
    eva.post(
        reverse("cost_create", args=[relationship.pk]),
        {"label": "Tutor", "amount": "250", "frequency": "monthly"},
        headers=HTMX,
    )
    response = olga.get(url, headers=HTMX)
    html = response.text
    assert "Eva changed Personal assistance · Adultos." in html
    cards = re.search(
        r'<div id="live-cards" hidden hx-swap-oob="true">(.*?)</div>\s*<div id="live-notes"',
        html,
        re.S,
    )
    assert f'id="relationship-{relationship.pk}"' in cards.group(1)  # the fresh card waits
    assert "€3,000.00" in html  # 250 a month, in the card and the totals
    again = olga.get(poll_url(html), headers=HTMX)
    assert again.status_code == 204  # told once


def test_ones_own_changes_are_not_announced(two):
    canvas, relationship, olga, _eva = two
    url = poll_url(olga.get(reverse("canvas_detail", args=[canvas.pk])).text)
    olga.post(reverse("relationship_delete", args=[relationship.pk]), headers=HTMX)
    html = olga.get(url, headers=HTMX).text
    assert "changed" not in html
    assert 'id="live-poll"' in html  # the poller moves on to the new revision


def test_a_poll_after_ones_own_saves_moves_on_without_loading_the_block(
    two, django_assert_max_num_queries
):
    canvas, relationship, olga, _eva = two
    url = poll_url(olga.get(reverse("canvas_detail", args=[canvas.pk])).text)
    for text in ("First call", "Second call"):
        data = relationship_data(relationship.version, interaction=text)
        olga.post(reverse("relationship_edit", args=[relationship.pk]), data, headers=HTMX)
        relationship.refresh_from_db()
    # session, user, the canvas's revision, the others' revisions since: no block to read
    with django_assert_max_num_queries(4):
        html = olga.get(url, headers=HTMX).text
    assert "changed" not in html
    canvas.refresh_from_db()
    assert f"revision={canvas.revision}&amp;" in html  # the next poll asks from here


def test_a_deleted_card_is_said_to_be_gone(two):
    canvas, relationship, olga, eva = two
    url = poll_url(olga.get(reverse("canvas_detail", args=[canvas.pk])).text)
    eva.post(reverse("relationship_delete", args=[relationship.pk]), headers=HTMX)
    assert "Eva changed something since deleted." in olga.get(url, headers=HTMX).text


def test_who_else_has_the_canvas_open(two):
    canvas, _relationship, olga, eva = two
    olga.get(reverse("canvas_detail", args=[canvas.pk]))
    page = eva.get(reverse("canvas_detail", args=[canvas.pk])).text
    assert "Also here now: olga" in page


def test_a_stranger_polls_nothing(two):
    canvas = two[0]
    response = client_for(make_user("sam")).get(reverse("canvas_live", args=[canvas.pk]))
    assert response.status_code == 404


SHOWN = re.compile(r'\bid="([^"]+)"[^>]*?\bdata-shown="([^"]+)"')


def test_another_members_cost_brings_the_segments_figures_too(two):
    """Found on a walk: the canvas totals followed another member's new cost, the figures of
    its segment stayed as they were until a reload. The numbers the page still shows as they
    are (X-Shown) stay out of the answer."""
    canvas, relationship, olga, eva = two
    other = make_segment(canvas, name="Niños")
    relationship.interaction = "Says hello at the door"
    relationship.save()
    page = olga.get(reverse("canvas_detail", args=[canvas.pk])).text
    shown = dict(SHOWN.findall(page))
    eva.post(
        reverse("cost_create", args=[relationship.pk]),
        {"label": "Tutor", "amount": "250", "frequency": "monthly"},
        headers=HTMX,
    )
    segment = relationship.segment
    answer = olga.get(poll_url(page), headers={**HTMX, "X-Shown": " ".join(shown.values())}).text
    sent = dict(SHOWN.findall(answer))
    totals = re.search(
        rf'<div id="segment-{segment.pk}-totals"[^>]*hx-swap-oob="true".*?</dl>', answer, re.S
    )
    assert "€3,000.00" in totals.group(0)  # the cost a year of its segment, 250 a month
    assert sent[f"segment-{segment.pk}-totals"] != shown[f"segment-{segment.pk}-totals"]
    assert "canvas-totals" in sent

    # Then a text alone: the figures stay as the page now shows them, and none come again.
    shown.update(sent)
    eva.post(
        reverse("relationship_edit", args=[relationship.pk]),
        {**relationship_data(1, "Greets everyone by name"), "type": relationship.type},
        headers=HTMX,
    )
    quiet = olga.get(poll_url(answer), headers={**HTMX, "X-Shown": " ".join(shown.values())})
    assert "Greets everyone by name" in quiet.text  # the fresh card
    assert not SHOWN.findall(quiet.text)
    assert f'id="segment-{other.pk}-totals"' in page


def test_another_members_segment_edit_brings_its_fresh_header(two):
    """The segment's name and what it expects, as the other member saved them, wait beside the
    fresh cards (static/js/app.js puts the header in place unless its edit form is open)."""
    canvas, relationship, olga, eva = two
    segment = relationship.segment
    url = poll_url(olga.get(reverse("canvas_detail", args=[canvas.pk])).text)
    eva.post(
        reverse("segment_edit", args=[segment.pk]),
        {"name": "Adultos <de tarde>", "version": segment.version},
        headers=HTMX,
    )
    html = olga.get(url, headers=HTMX).text
    waiting = re.search(r'<div id="live-cards" hidden hx-swap-oob="true">(.*)', html, re.S)
    assert f'<header id="segment-{segment.pk}-header"' in waiting.group(1)
    assert "Adultos &lt;de tarde&gt;" in waiting.group(1)
    assert "Eva changed Adultos &lt;de tarde&gt;." in html


def test_another_members_too_long_name_brings_the_pitch_warning(two):
    """Found on a walk: the warnings of what the one-page PDF would cut stayed as they were
    after another member's edit until a reload."""
    canvas, relationship, olga, eva = two
    segment = relationship.segment
    page = olga.get(reverse("canvas_detail", args=[canvas.pk])).text
    shown = dict(SHOWN.findall(page))
    eva.post(
        reverse("segment_edit", args=[segment.pk]),
        {"name": "Adultos que estudian por la tarde después del trabajo", "version": 1},
        headers=HTMX,
    )
    answer = olga.get(poll_url(page), headers={**HTMX, "X-Shown": " ".join(shown.values())})
    warnings = re.search(r'<div id="pitch-warnings" hx-swap-oob="true".*?</div>', answer.text, re.S)
    assert "1 item is too long for the one-page PDF" in warnings.group(0)
    assert "canvas-totals" not in dict(SHOWN.findall(answer.text))  # no cost changed
