"""Each card says who last changed it and when."""

import pytest
from django.urls import reverse

from relationships.block import Block
from teams.models import CanvasMember
from tests.factories import make_canvas, make_cost, make_relationship, make_segment, make_user
from tests.helpers import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_canvas():
    owner = make_user("olga")
    eva = make_user("eva")
    eva.first_name, eva.last_name = "Eva", "Ruiz"
    eva.save()
    canvas = make_canvas(owner=owner)
    CanvasMember.objects.create(canvas=canvas, user=eva, role="editor")
    relationship = make_relationship(make_segment(canvas))
    return canvas, relationship, owner, eva


def test_an_edit_stamps_the_card_with_who_and_when(shared_canvas):
    canvas, relationship, _owner, eva = shared_canvas
    assert Block.load(canvas.pk).relationships[0].changed_by is None
    client_for(eva).post(
        reverse("cost_create", args=[relationship.pk]),
        {"label": "Tutor", "amount": "100", "frequency": "monthly"},
        headers=HTMX,
    )
    card = Block.load(canvas.pk).relationships[0]
    assert card.changed_by == "Eva Ruiz"
    assert card.changed_at is not None


def test_the_other_member_sees_who_changed_the_card(shared_canvas):
    canvas, relationship, owner, eva = shared_canvas
    cost = make_cost(relationship)
    client_for(eva).post(reverse("cost_delete", args=[cost.pk]), headers=HTMX)
    page = client_for(owner).get(reverse("canvas_detail", args=[canvas.pk])).content.decode()
    assert "Changed by Eva Ruiz" in page


def test_a_read_only_link_names_nobody(shared_canvas):
    from teams.models import ShareLink

    canvas, relationship, owner, eva = shared_canvas
    client_for(eva).post(
        reverse("cost_create", args=[relationship.pk]),
        {"label": "Tutor", "amount": "100", "frequency": "monthly"},
        headers=HTMX,
    )
    link = ShareLink.objects.create(canvas=canvas, created_by=owner)
    page = client_for(make_user("sam")).get(reverse("shared", args=[link.token])).content.decode()
    assert "Eva Ruiz" not in page
    assert "Changed by" not in page


@pytest.mark.parametrize(
    ("language", "shown"),
    [("es", "2 dic 2026, 16:50"), ("en", "2 Dec 2026, 4:50 p.m.")],
)
def test_the_time_of_a_change_is_written_the_readers_way(shared_canvas, language, shown):
    """Spanish keeps its 24-hour clock; English says the time as its other pages do."""
    import dataclasses
    import datetime

    from django.utils import translation

    canvas, _relationship, _owner, _eva = shared_canvas
    card = Block.load(canvas.pk).relationships[0]
    at = datetime.datetime(2026, 12, 2, 15, 50, tzinfo=datetime.UTC)  # 16:50 in Madrid
    with translation.override(language):
        assert dataclasses.replace(card, changed_at=at).changed_when == shown


@pytest.mark.parametrize(
    ("language", "clock"), [("es", r"\d\d:\d\d<"), ("en", r"(?:[ap]\.m\.|noon|midnight)<")]
)
def test_a_card_on_the_page_shows_its_change_the_readers_way(shared_canvas, language, clock):
    import re

    canvas, relationship, owner, eva = shared_canvas
    client_for(eva).post(reverse("cost_delete", args=[make_cost(relationship).pk]), headers=HTMX)
    reader = client_for(owner)
    reader.cookies["django_language"] = language
    page = reader.get(reverse("canvas_detail", args=[canvas.pk])).content.decode()
    assert re.search(r'class="last-change[^>]*>[^<]*\d{4}, [^<]*' + clock, page)
