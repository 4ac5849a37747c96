"""The pitch page fills its room: how each relationship works, the block-level answers, and
tiles as roomy as each segment allows (a busy segment does not shrink the others)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from relationships.block import Block
from relationships.pdf.planner import DENSITIES, plan_pitch, shorten
from relationships.sample import SAMPLE, create_sample_canvas
from tests.factories import make_block, make_canvas, make_relationship, make_segment

pytestmark = pytest.mark.django_db

ROOMY = DENSITIES[0]
LONG = "We call every customer each week to review the order and suggest what is new. " * 12


@pytest.fixture(autouse=True)
def _empty_cache(locmem_cache):
    """Every test here starts with no PDF in the cache."""


def pitch_text(client, canvas, size: str) -> str:
    response = client.get(reverse("canvas_pdf", args=[canvas.pk]), {"size": size})
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def slots(plan):
    return [slot for row in plan.rows for slot in row]


@pytest.mark.parametrize("size", ["a4", "wide"])
def test_the_sample_shows_how_each_relationship_works_and_the_block_answers(
    owner_client, user, size
):
    canvas = create_sample_canvas(user)
    text = pitch_text(owner_client, canvas, size)
    interactions = [
        r["interaction"] for segment in SAMPLE["segments"] for r in segment["relationships"]
    ]
    for interaction in interactions:
        assert " ".join(interaction.split()) in text, interaction
    assert "FIT WITH THE REST OF THE BUSINESS MODEL" in text  # labels in capitals
    assert "EFFECT WANTED ON THE MARKET" in text
    plan = plan_pitch(Block.load(canvas.pk), size)
    for answer in (SAMPLE["business_fit"], SAMPLE["market_effect"]):
        assert shorten(answer, plan.answers_limit).rstrip("…") in text


@pytest.mark.parametrize("size", ["a4", "wide"])
def test_a_long_interaction_is_shortened_to_the_room_of_its_tile(owner_client, user, size):
    canvas = make_canvas(user, business_fit=LONG, market_effect="Brand")
    alone, crowded = make_segment(canvas, name="Alone"), make_segment(canvas, name="Crowded")
    make_relationship(alone, interaction=LONG)
    for _ in range(3):
        make_relationship(crowded, interaction=LONG)
    plan = plan_pitch(Block.load(canvas.pk), size)
    by_name = {slot.name: slot for slot in slots(plan)}
    assert 0 < by_name["Crowded"].text_limit < by_name["Alone"].text_limit < len(LONG)
    assert 0 < plan.answers_limit < len(LONG)
    text = pitch_text(owner_client, canvas, size)
    assert shorten(LONG, by_name["Alone"].text_limit) in text
    assert shorten(LONG, plan.answers_limit) in text


@pytest.mark.parametrize("size", ["a4", "wide"])
def test_a_busy_segment_does_not_shrink_the_sparse_ones(owner_client, user, size):
    canvas = make_canvas(user, business_fit="Fits", market_effect="Brand")
    for name, count in [("Sparse one", 2), ("Busy", 12), ("Sparse two", 2)]:
        segment = make_segment(canvas, name=name)
        for _ in range(count):
            make_relationship(segment, goals=("retention",), interaction="Weekly call")
    plan = plan_pitch(Block.load(canvas.pk), size)
    by_name = {slot.name: slot for slot in slots(plan)}
    assert plan.density == ROOMY
    assert by_name["Sparse one"].density == by_name["Sparse two"].density == ROOMY
    assert by_name["Busy"].density != ROOMY or by_name["Busy"].tile_columns > 1
    assert not any(slot.hidden for slot in slots(plan))
    assert by_name["Sparse one"].text_limit
    assert by_name["Sparse two"].text_limit
    text = pitch_text(owner_client, canvas, size)
    assert text.count("Retention") >= 4  # the sparse segments' goals spelled out
    assert text.count("Personal assistance") == 16  # every relationship shown
    assert "Fits" in text
    assert "Brand" in text


def test_a_full_board_keeps_its_relationships_before_the_answers(owner_client, user):
    canvas = make_block(user, segments=1, relationships=200, costs=1)
    for size in ("a4", "wide"):
        plan = plan_pitch(Block.load(canvas.pk), size)
        assert plan.answers_limit == 0
        assert all(slot.text_limit == 0 for slot in slots(plan))
        text = pitch_text(owner_client, canvas, size)
        assert "Weekly call" not in text
        assert "more relationships (see the full report)" in text
