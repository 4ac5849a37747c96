"""Whether a segment's relationships pay: figures worked out by hand, every rule both ways."""

from decimal import Decimal

import pytest
from django.urls import reverse

from relationships.block import Block
from relationships.models import Canvas
from tests.factories import make_canvas, make_cost, make_relationship, make_segment
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def figures_of(canvas):
    block = Block.load(canvas.pk)
    return block.viabilities[block.segments[0].pk]


def offices(canvas, **rows):
    """25 offices buying 220 times a year for 38: 209,000 a year, 8,360 per office."""
    return make_segment(
        canvas,
        name="Offices",
        customer_count=25,
        purchases_per_year=Decimal("220"),
        average_spend=Decimal("38"),
        **rows,
    )


def test_the_figures_spread_the_set_up_over_the_horizon():
    canvas = make_canvas(horizon_years=3)
    relationship = make_relationship(offices(canvas), goals=("retention",))
    make_cost(relationship, amount="900", frequency="monthly")  # 10,800 a year
    make_cost(relationship, amount="3000", frequency="one_off")  # 1,000 a year over 3 years
    viability = figures_of(canvas)
    figures = viability.figures
    assert figures.setup_per_year == Decimal("1000.00")
    assert figures.cost_per_year == Decimal("11800.00")
    assert figures.value_per_year == Decimal("209000.00")
    assert figures.cost_per_customer == Decimal("472.00")  # 11,800 / 25
    assert figures.value_per_customer == Decimal("8360.00")
    assert round(figures.cost_share, 1) == Decimal("5.6")  # 11,800 / 209,000
    assert viability.sound


def test_a_longer_horizon_lowers_the_yearly_share_of_the_set_up():
    canvas = make_canvas(horizon_years=10)
    make_cost(make_relationship(offices(canvas)), amount="3000", frequency="one_off")
    assert figures_of(canvas).figures.setup_per_year == Decimal("300.00")


def test_without_the_value_nothing_is_judged_and_nothing_pretends_to_be_zero():
    canvas = make_canvas()
    segment = make_segment(canvas, customer_count=0)
    make_cost(make_relationship(segment), amount="10")
    viability = figures_of(canvas)
    assert not viability.judged
    assert viability.figures.value_per_year is None
    assert viability.figures.cost_per_customer is None  # no customers: no cost per customer
    assert viability.figures.cost_share is None


@pytest.mark.parametrize(("monthly", "broken"), [("20000", True), ("1000", False)])
def test_relationships_that_cost_more_than_the_segment_brings(monthly, broken):
    canvas = make_canvas()
    make_cost(make_relationship(offices(canvas), goals=("retention",)), amount=monthly)
    codes = {rule.code for rule in figures_of(canvas).broken}
    assert ("costs_more_than_value" in codes) is broken


@pytest.mark.parametrize(("goals", "broken"), [(("acquisition",), True), (("retention",), False)])
def test_a_long_term_bond_needs_a_relationship_that_keeps_customers(goals, broken):
    canvas = make_canvas()
    make_relationship(offices(canvas), bond="long_term", goals=goals)
    codes = {rule.code for rule in figures_of(canvas).broken}
    assert ("long_term_without_retention" in codes) is broken


@pytest.mark.parametrize(("monthly", "broken"), [("18000", True), ("500", False)])
def test_dedicated_assistance_that_costs_more_than_a_customer_brings(monthly, broken):
    canvas = make_canvas()
    segment = offices(canvas)
    make_cost(make_relationship(segment, type="dedicated", goals=("retention",)), amount=monthly)
    codes = {rule.code for rule in figures_of(canvas).broken}
    assert ("dedicated_costs_more_than_customer" in codes) is broken


def test_huge_amounts_keep_their_cents():
    canvas = make_canvas()
    segment = make_segment(
        canvas,
        customer_count=1_000_000_000,
        purchases_per_year=Decimal("100000"),
        average_spend=Decimal("99999999.99"),
    )
    make_cost(make_relationship(segment, goals=("retention",)), amount="99999999.99")
    figures = figures_of(canvas).figures
    assert figures.cost_per_year == Decimal("1199999999.88")
    assert figures.value_per_customer == Decimal("9999999999000.00")


def test_the_editor_shows_the_verdict_and_a_new_horizon_updates_every_segment(owner_client, canvas):
    make_cost(make_relationship(offices(canvas), goals=("acquisition",)), amount="20000")
    page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).text
    assert "Its relationships cost more a year than the segment brings." in page
    assert reverse("help") + "#viability" in page
    response = owner_client.post(
        reverse("canvas_edit", args=[canvas.pk]),
        {"title": "Bakery", "currency": "EUR", "horizon_years": "5", "version": 1},
        headers=HTMX,
    )
    assert Canvas.objects.get(pk=canvas.pk).horizon_years == 5
    assert "set-up spread over 5 years" in response.text  # the segments' figures, out of band


def test_the_help_page_lists_every_rule(owner_client):
    page = owner_client.get(reverse("help")).text
    assert 'id="viability"' in page
    assert "none of the segment&#x27;s has retention as a goal" in page


def test_dedicated_assistance_is_judged_by_its_own_cost_not_the_whole_segments():
    canvas = make_canvas()
    segment = make_segment(
        canvas, customer_count=10, purchases_per_year=Decimal("1"), average_spend=Decimal("100")
    )  # 1,000 a year, 100 per customer
    make_cost(
        make_relationship(segment, type="dedicated", goals=("retention",)),
        amount="1",
        frequency="yearly",
    )
    make_cost(make_relationship(segment, type="automated"), amount="5000", frequency="yearly")
    codes = {rule.code for rule in figures_of(canvas).broken}
    assert codes == {"costs_more_than_value"}  # the dedicated part costs 0.10 per customer


def test_a_warning_that_needs_no_value_is_shown_before_the_value_is_known(owner_client, canvas):
    make_relationship(make_segment(canvas), bond="long_term", goals=("acquisition",))
    page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).text
    assert "no relationship works at keeping these customers" in page
