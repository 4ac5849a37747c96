"""An operator's change in the admin goes through the write path: no stale PDF is served."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from relationships.models import Canvas
from tests.factories import make_cost, make_relationship, make_segment
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return client_for(get_user_model().objects.create_superuser("root", password="x" * 20))


def test_an_admin_edit_or_delete_moves_the_canvas_to_its_next_revision(operator, canvas):
    segment = make_segment(canvas, name="Regulars")
    cost = make_cost(make_relationship(segment))
    before = Canvas.objects.get(pk=canvas.pk).revision
    response = operator.post(
        reverse("admin:relationships_segment_change", args=[segment.pk]),
        {
            "canvas": canvas.pk,
            "name": "Neighbours",
            "description": "",
            "expected_type": "",
            "expectation": "",
            "customer_count": "",
            "purchases_per_year": "",
            "average_spend": "",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert Canvas.objects.get(pk=canvas.pk).revision == before + 1
    operator.post(reverse("admin:relationships_costitem_delete", args=[cost.pk]), {"post": "yes"})
    assert Canvas.objects.get(pk=canvas.pk).revision == before + 2
