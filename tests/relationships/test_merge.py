"""Two people edit one row: a save merges what each changed, and never undoes the other's change.

The forms remember what each field held when they were opened (``VersionedForm.opened``); a
save after someone else's takes the other's value in every field its user left alone.
"""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from relationships.forms import (
    CanvasForm,
    CostItemForm,
    RelationshipForm,
    SegmentForm,
    VersionedForm,
)
from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.writes import card_of, change_block
from tests.factories import make_canvas, make_cost, make_relationship, make_segment, make_user

pytestmark = pytest.mark.django_db


def as_opened(form_class, row) -> dict:
    """What a browser sends back for ``form_class`` opened on ``row`` with nothing changed:
    every field as its widget shows it (numbers the reader's way, goals as a list)."""
    form = form_class(instance=type(row).objects.get(pk=row.pk))
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.MultipleChoiceField):
            data[name] = [str(v) for v in value]
        elif isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(field.widget, forms.widgets.ChoiceWidget):
            data[name] = "" if value is None else str(value)
        else:
            data[name] = field.widget.format_value(value) or ""
    return data


def save(form_class, row, data, by=None) -> VersionedForm:
    """Post ``data`` to ``form_class`` on ``row`` loaded afresh, through the write path as
    ``by``: the form, saved or holding the conflict."""
    form = form_class(data, instance=type(row).objects.get(pk=row.pk))
    assert form.is_valid(), form.errors
    form.editor = by
    canvas_pk = _canvas_pk(form.instance)
    change_block(canvas_pk, form.save_if_current, by=by, card=lambda: card_of(form.instance))
    return form


def _canvas_pk(row) -> int:
    if isinstance(row, Canvas):
        return row.pk
    if isinstance(row, Segment):
        return row.canvas_id
    if isinstance(row, Relationship):
        return row.segment.canvas_id
    return row.relationship.segment.canvas_id


@pytest.fixture
def marta():
    return make_user("marta")


@pytest.fixture
def jorge():
    user = make_user("jorge")
    user.first_name, user.last_name = "Jorge", "Ruiz"
    user.save()
    return user


# --- a relationship: choices, goals, free text ------------------------------------------------


def test_different_fields_both_survive_and_the_save_says_whose_it_kept(marta, jorge):
    relationship = make_relationship(interaction="Calls")
    martas = as_opened(RelationshipForm, relationship)
    jorges = as_opened(RelationshipForm, relationship)

    assert save(RelationshipForm, relationship, {**jorges, "contact": "remote"}, jorge).is_valid()
    form = save(RelationshipForm, relationship, {**martas, "interaction": "Weekly calls"}, marta)

    assert not form.non_field_errors()
    relationship.refresh_from_db()
    assert (relationship.contact, relationship.interaction) == ("remote", "Weekly calls")
    assert relationship.version == 3
    assert form.kept_theirs == ["contact"]
    assert "Contact" in form.merge_notice


def test_a_real_conflict_keeps_what_the_user_typed_and_a_second_save_replaces(marta, jorge):
    relationship = make_relationship(contact="direct", reach="individual", interaction="Calls")
    martas = as_opened(RelationshipForm, relationship)
    jorges = as_opened(RelationshipForm, relationship)
    jorges.update(interaction="Jorge's <b>text</b>", reach="collective")
    save(RelationshipForm, relationship, jorges, jorge)

    form = save(RelationshipForm, relationship, {**martas, "interaction": "Marta's text"}, marta)

    relationship.refresh_from_db()
    assert relationship.interaction == "Jorge's <b>text</b>"  # nothing written
    assert "changed in another tab" in form.non_field_errors()[0]
    assert form.saved_meanwhile == {
        "interaction": {
            "heading": "Saved meanwhile by Jorge Ruiz:",
            "value": "Jorge's <b>text</b>",
        }
    }
    assert form["interaction"].value() == "Marta's text"  # what she typed is kept
    assert form["reach"].value() == "collective"  # what only Jorge changed shows as he left it
    assert form["version"].value() == str(relationship.version)

    again = save(RelationshipForm, relationship, form.data, marta)
    assert not again.non_field_errors()
    relationship.refresh_from_db()
    assert (relationship.interaction, relationship.reach) == ("Marta's text", "collective")


def test_the_conflict_names_the_user_themself_when_it_was_their_other_tab(marta):
    relationship = make_relationship(interaction="Calls")
    first_tab = as_opened(RelationshipForm, relationship)
    second_tab = as_opened(RelationshipForm, relationship)
    save(RelationshipForm, relationship, {**first_tab, "interaction": "One"}, marta)
    form = save(RelationshipForm, relationship, {**second_tab, "interaction": "Two"}, marta)
    heading = form.saved_meanwhile["interaction"]["heading"]
    assert heading == "Saved meanwhile by you, in another tab:"


def test_goals_merge_as_one_field_and_conflict_with_their_labels(marta, jorge):
    relationship = make_relationship(goals=["acquisition"])
    martas = as_opened(RelationshipForm, relationship)
    jorges = as_opened(RelationshipForm, relationship)
    save(RelationshipForm, relationship, {**jorges, "goals": ["acquisition", "retention"]}, jorge)

    form = save(RelationshipForm, relationship, {**martas, "state": "planned"}, marta)
    relationship.refresh_from_db()
    assert not form.non_field_errors()
    assert (relationship.goals, relationship.state) == (["acquisition", "retention"], "planned")

    martas = as_opened(RelationshipForm, relationship)
    jorges = as_opened(RelationshipForm, relationship)
    save(RelationshipForm, relationship, {**jorges, "goals": ["boosting_sales"]}, jorge)
    form = save(RelationshipForm, relationship, {**martas, "goals": ["retention"]}, marta)
    assert form.saved_meanwhile["goals"]["value"] == "Boosting sales"
    assert form["goals"].value() == ["retention"]


def test_the_same_change_made_by_both_is_no_conflict(marta, jorge):
    relationship = make_relationship(contact="direct")
    martas = as_opened(RelationshipForm, relationship)
    save(RelationshipForm, relationship, {**martas, "contact": "remote"}, jorge)
    form = save(RelationshipForm, relationship, {**martas, "contact": "remote"}, marta)
    assert not form.non_field_errors()
    assert not form.kept_theirs


def test_a_form_that_does_not_say_what_it_opened_with_counts_every_field_as_changed(marta):
    relationship = make_relationship(contact="direct", interaction="Calls")
    stale = {k: v for k, v in as_opened(RelationshipForm, relationship).items() if k != "opened"}
    save(RelationshipForm, relationship, {**stale, "contact": "remote"}, marta)
    form = save(RelationshipForm, relationship, {**stale, "interaction": "Mine"}, marta)
    relationship.refresh_from_db()
    assert (relationship.contact, relationship.interaction) == ("remote", "Calls")
    assert set(form.saved_meanwhile) == {"contact", "interaction"}


def test_a_save_that_loses_the_race_after_loading_merges_with_the_row_as_it_is(marta, jorge):
    relationship = make_relationship(contact="direct", interaction="Calls")
    data = {**as_opened(RelationshipForm, relationship), "interaction": "Mine"}
    form = RelationshipForm(data, instance=Relationship.objects.get(pk=relationship.pk))
    assert form.is_valid()
    # Jorge's save lands between this request's load and its UPDATE.
    Relationship.objects.filter(pk=relationship.pk).update(contact="remote", version=2)

    assert form.save_if_current()
    relationship.refresh_from_db()
    assert (relationship.contact, relationship.interaction, relationship.version) == (
        "remote",
        "Mine",
        3,
    )


# --- booleans ---------------------------------------------------------------------------------


class GoalFlagsForm(VersionedForm):
    """A relationship's goals as tick boxes: the merge of booleans."""

    class Meta:
        model = Relationship
        fields = ["goal_acquisition", "goal_retention", "interaction"]


def test_booleans_merge_and_a_conflict_reads_yes_or_no(marta, jorge):
    relationship = make_relationship(goals=["acquisition"])
    martas = as_opened(GoalFlagsForm, relationship)
    jorges = as_opened(GoalFlagsForm, relationship)
    save(GoalFlagsForm, relationship, {**jorges, "goal_retention": "on"}, jorge)
    form = save(GoalFlagsForm, relationship, {**martas, "interaction": "Mine"}, marta)
    relationship.refresh_from_db()
    assert not form.non_field_errors()
    assert (relationship.goal_acquisition, relationship.goal_retention) == (True, True)

    martas = as_opened(GoalFlagsForm, relationship)
    jorges = as_opened(GoalFlagsForm, relationship)
    save(GoalFlagsForm, relationship, {**jorges, "goal_retention": ""}, jorge)  # unticked
    unticked = {k: v for k, v in martas.items() if k != "goal_acquisition"}
    form = save(GoalFlagsForm, relationship, {**unticked, "interaction": "Mine too"}, marta)
    # Each was valid alone; together no goal is left: nothing is written, the rule is said,
    # and the form shows both changes for Marta to decide.
    relationship.refresh_from_db()
    assert (relationship.goal_acquisition, relationship.goal_retention) == (True, False)
    assert relationship.interaction == "Mine"
    assert "Pick at least one goal." in form.non_field_errors()
    assert form["goal_retention"].value() is False
    assert form["goal_acquisition"].value() is False
    assert form["interaction"].value() == "Mine too"


def test_an_unticked_box_both_changed_shows_what_is_saved(marta, jorge):
    relationship = make_relationship(goals=["acquisition", "retention"])
    martas = as_opened(GoalFlagsForm, relationship)
    jorges = as_opened(GoalFlagsForm, relationship)
    save(GoalFlagsForm, relationship, {**jorges, "interaction": "Jorge's"}, jorge)
    form = save(GoalFlagsForm, relationship, {**martas, "interaction": "Marta's"}, marta)
    assert form.saved_meanwhile["interaction"]["value"] == "Jorge's"
    assert form.shown("goal_retention", True) == "Yes"
    assert form.shown("goal_retention", False) == "No"
    assert form["goal_retention"].value() is True


# --- a segment: numbers typed the Spanish way, empty values -----------------------------------


def test_spanish_numbers_left_alone_are_not_taken_for_changes(marta, jorge):
    segment = make_segment(
        name="Offices",
        customer_count=1200,
        purchases_per_year=Decimal("12.5"),
        average_spend=Decimal("1200.50"),
    )
    with translation.override("es"):
        martas = as_opened(SegmentForm, segment)
        jorges = as_opened(SegmentForm, segment)
        assert (martas["customer_count"], martas["average_spend"]) == ("1.200", "1.200,50")
        save(SegmentForm, segment, {**jorges, "customer_count": "1.500"}, jorge)
        form = save(SegmentForm, segment, {**martas, "average_spend": "1.300,5"}, marta)
    assert not form.non_field_errors()
    segment.refresh_from_db()
    assert (segment.customer_count, segment.average_spend) == (1500, Decimal("1300.50"))
    assert segment.purchases_per_year == Decimal("12.5")


def test_a_number_both_changed_is_shown_the_readers_way(marta, jorge):
    segment = make_segment(average_spend=Decimal("10"))
    with translation.override("es"):
        martas = as_opened(SegmentForm, segment)
        jorges = as_opened(SegmentForm, segment)
        save(SegmentForm, segment, {**jorges, "average_spend": "1.200,50"}, jorge)
        form = save(SegmentForm, segment, {**martas, "average_spend": "99"}, marta)
        assert form.saved_meanwhile["average_spend"] == {
            "heading": "Guardado mientras tanto por Jorge Ruiz:",
            "value": "1.200,50",
        }
        assert form["average_spend"].value() == "99"


def test_an_emptied_field_stays_empty_and_an_empty_choice_reads_so(marta, jorge):
    segment = make_segment(name="Offices", description="Big ones", expected_type="personal")
    martas = as_opened(SegmentForm, segment)
    jorges = as_opened(SegmentForm, segment)
    save(SegmentForm, segment, {**jorges, "description": "", "expected_type": ""}, jorge)

    form = save(SegmentForm, segment, {**martas, "name": "Big offices"}, marta)
    segment.refresh_from_db()
    assert (segment.name, segment.description, segment.expected_type) == ("Big offices", "", "")

    martas = as_opened(SegmentForm, segment)
    jorges = as_opened(SegmentForm, segment)
    save(SegmentForm, segment, {**jorges, "expected_type": "communities"}, jorge)
    form = save(SegmentForm, segment, {**martas, "expected_type": "self_service"}, marta)
    assert form.saved_meanwhile["expected_type"]["value"] == "Communities"
    assert form.shown("expected_type", "") == "Not sure yet"  # the empty choice's own name
    assert form.shown("customer_count", None) == "(empty)"
    assert form.shown("description", "") == "(empty)"


def test_text_left_alone_with_other_line_ends_or_spaces_is_not_a_change(marta, jorge):
    segment = make_segment(name="Offices", description="One\nTwo ")
    martas = as_opened(SegmentForm, segment)
    jorges = as_opened(SegmentForm, segment)
    save(SegmentForm, segment, {**jorges, "description": "Jorge's"}, jorge)
    # A browser sends a textarea's lines back with \r\n; the form strips outer spaces.
    form = save(SegmentForm, segment, {**martas, "description": "One\r\nTwo", "name": "X"}, marta)
    assert not form.non_field_errors()
    segment.refresh_from_db()
    assert (segment.name, segment.description) == ("X", "Jorge's")


# --- a cost item and the canvas's details -----------------------------------------------------


def test_a_cost_merges_its_amount_and_its_frequency(marta, jorge):
    cost = make_cost(amount="10", frequency="monthly", label="Staff")
    martas = as_opened(CostItemForm, cost)
    jorges = as_opened(CostItemForm, cost)
    save(CostItemForm, cost, {**jorges, "frequency": "one_off"}, jorge)
    form = save(CostItemForm, cost, {**martas, "amount": "25,50"}, marta)
    assert not form.non_field_errors()
    cost = CostItem.objects.get(pk=cost.pk)
    assert (cost.amount, cost.frequency) == (Decimal("25.50"), "one_off")

    martas = as_opened(CostItemForm, cost)
    jorges = as_opened(CostItemForm, cost)
    save(CostItemForm, cost, {**jorges, "frequency": "monthly"}, jorge)
    form = save(CostItemForm, cost, {**martas, "frequency": "yearly"}, marta)
    assert form.saved_meanwhile["frequency"]["value"] == "Per month"
    assert form.saved_meanwhile["frequency"]["heading"] == "Saved meanwhile by Jorge Ruiz:"


def test_a_cost_conflict_names_who_changed_the_cost_not_its_card(marta, jorge):
    cost = make_cost(amount="10", frequency="monthly", label="Staff")
    ana = make_user("ana")
    relationship = cost.relationship
    martas = as_opened(CostItemForm, cost)
    save(CostItemForm, cost, {**as_opened(CostItemForm, cost), "frequency": "yearly"}, jorge)
    # Then Ana changes the relationship the cost belongs to (its card), not the cost.
    data = {**as_opened(RelationshipForm, relationship), "interaction": "Ana's words"}
    save(RelationshipForm, relationship, data, ana)
    other = make_cost(relationship, amount="5", frequency="monthly", label="Cups")
    save(CostItemForm, other, {**as_opened(CostItemForm, other), "amount": "6"}, ana)
    form = save(CostItemForm, cost, {**martas, "frequency": "one_off"}, marta)
    assert form.saved_meanwhile["frequency"]["heading"] == "Saved meanwhile by Jorge Ruiz:"


def test_the_canvas_details_merge_their_texts_and_years(marta, jorge):
    canvas = make_canvas(marta, title="Bakery", description="Bread", horizon_years=3)
    martas = as_opened(CanvasForm, canvas)
    jorges = as_opened(CanvasForm, canvas)
    save(CanvasForm, canvas, {**jorges, "horizon_years": "5", "currency": "USD"}, jorge)
    form = save(CanvasForm, canvas, {**martas, "description": "Bread and cakes"}, marta)
    assert not form.non_field_errors()
    canvas.refresh_from_db()
    assert (canvas.description, canvas.horizon_years, canvas.currency) == (
        "Bread and cakes",
        5,
        "USD",
    )

    martas = as_opened(CanvasForm, canvas)
    jorges = as_opened(CanvasForm, canvas)
    save(CanvasForm, canvas, {**jorges, "currency": "EUR"}, jorge)
    form = save(CanvasForm, canvas, {**martas, "currency": "MXN"}, marta)
    assert form.saved_meanwhile["currency"] == {
        "heading": "Saved meanwhile by Jorge Ruiz:",
        "value": "Euro",
    }
