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
