"""How each derived figure of the block says how it is worked out: its name can be reached with
the keyboard and is described by a tooltip that holds the explanation, once per figure and
segment on the page, in the reader's language."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_canvas, make_cost, make_relationship, make_segment

pytestmark = pytest.mark.django_db

NAME = re.compile(r'<span class="explained" tabindex="0" aria-describedby="([^"]+)">([^<]*)</span>')


def tooltip(page: str, tip_id: str) -> str:
    found = re.findall(rf'<span class="tip" role="tooltip" id="{tip_id}">([^<]*)</span>', page)
    assert len(found) == 1, tip_id
    return found[0]


@pytest.fixture
def page(owner_client, user):
    def opened(language="en"):
        canvas = make_canvas(user, title="Bakery")
        for name in ("Neighbours", "Cafés"):
            segment = make_segment(
                canvas, name=name, customer_count=40, purchases_per_year=50, average_spend="3.20"
            )
            make_cost(make_relationship(segment), label="Tasting", amount="12.00")
        owner_client.cookies["django_language"] = language
        return owner_client.get(reverse("canvas_detail", args=[canvas.pk])).text

    return opened


def test_every_figure_name_is_described_by_its_own_tooltip(page):
    html = page()
    names = NAME.findall(html)
    ids = [tip_id for tip_id, _name in names]
    assert len(ids) == len(set(ids))  # one tooltip each: the block's, and each segment's
    assert len([i for i in ids if i.startswith("tip-cost_share-")]) == 3
    shown = {name: tooltip(html, tip_id) for tip_id, name in names}
    assert shown["Cost as a share of value"] == (
        "The total cost a year as a percentage of the value a year."
    )
    # The page's own wording of a figure keeps the figure's explanation.
    assert shown["Total cost a year, set-up spread over 3 years"].startswith(
        "The running costs of a year"
    )


def test_the_tooltips_speak_the_readers_language(page):
    html = page("es")
    shown = {tip_id: (name, tooltip(html, tip_id)) for tip_id, name in NAME.findall(html)}
    name, text = shown["tip-cost_share-canvas"]
    assert name == "Coste sobre el valor"
    assert "porcentaje del valor" in text
    assert not any(text.startswith("The ") for _name, text in shown.values())
