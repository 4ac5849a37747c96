import json

import pytest

from relationships.document import (
    DocumentError,
    block_from_document,
    canvas_document,
    create_canvas_from_document,
)
from relationships.models import Canvas
from relationships.sample import create_sample_canvas
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def live_block(canvas):
    return Canvas.objects.with_block().get(pk=canvas.pk)


def test_document_is_json_and_reads_back_with_the_same_totals(user):
    canvas = live_block(create_sample_canvas(user))
    document = json.loads(json.dumps(canvas_document(canvas)))
    snapshot = block_from_document(document)
    assert snapshot.yearly_cost == canvas.yearly_cost
    assert snapshot.setup_cost == canvas.setup_cost
    assert snapshot.yearly_value == canvas.yearly_value
    assert snapshot.completeness() == canvas.completeness()


def test_reading_a_snapshot_makes_no_query(user, django_assert_num_queries):
    document = canvas_document(live_block(create_sample_canvas(user)))
    with django_assert_num_queries(0):
        snapshot = block_from_document(document)
        assert [s.name for s in snapshot.segments.all()]
        assert snapshot.completeness().score > 0


def test_round_trip_through_a_new_canvas_is_lossless(user):
    original = canvas_document(live_block(create_sample_canvas(user)))
    copy = create_canvas_from_document(make_user(), original)
    again = canvas_document(live_block(copy))

    def without_ids(doc):
        text = json.dumps(doc, sort_keys=True)
        data = json.loads(text)
        data.pop("id"), data.pop("updated_at")
        for seg in data["segments"]:
            seg.pop("id")
            for rel in seg["relationships"]:
                rel.pop("id")
                for cost in rel["costs"]:
                    cost.pop("id")
        return data

    assert without_ids(again) == without_ids(original)


def test_an_unknown_document_version_is_refused():
    with pytest.raises(DocumentError):
        block_from_document({"version": 99})
