import json

import pytest

from relationships.document import canvas_document, create_canvas_from_document
from relationships.models import Canvas
from relationships.sample import create_sample_canvas
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def live_block(canvas):
    return Canvas.objects.with_block().get(pk=canvas.pk)


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
