"""export_canvases / import_canvases: a lossless round trip, and a bad file writes nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relationships.document import canvas_document
from relationships.models import Canvas, CostItem, Relationship, Segment
from tests.factories import (
    make_block,
    make_canvas,
    make_cost,
    make_relationship,
    make_segment,
    make_user,
)

pytestmark = pytest.mark.django_db


def without_ids(value):
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def documents(user) -> list[dict]:
    canvases = Canvas.objects.for_user(user).with_block().order_by("created_at", "pk")
    return [without_ids(canvas_document(c)) for c in canvases]


def export(user, path) -> dict:
    call_command("export_canvases", user=user.username, output=str(path), stdout=StringIO())
    return json.loads(path.read_text())


def import_(username, path):
    out = StringIO()
    call_command("import_canvases", str(path), user=username, stdout=out)
    return out.getvalue()


@pytest.fixture
def ana(db):
    ana = make_user("ana")
    make_block(ana, segments=3, relationships=2, costs=2)
    odd = make_canvas(
        ana,
        title="Ñandú · “quoted” \\ </script>",
        currency="CLP",
        description="line one\nline two\ttab 😀",
    )
    segment = make_segment(odd, name="Empty numbers", expected_type="communities")
    make_relationship(
        segment,
        goals=("retention", "boosting_sales"),
        type="co_creation",
        contact="remote",
        reach="collective",
        bond="long_term",
        state="planned",
    )
    make_cost(make_relationship(segment), amount="99999999.99", frequency="yearly")
    make_cost(Relationship.objects.filter(segment=segment).last(), amount="0.01", label="x")
    make_canvas(ana, title="Blank")
    return ana


def test_round_trip_is_lossless(ana, tmp_path):
    path = tmp_path / "ana.json"
    data = export(ana, path)
    assert data["format"] == "relationship-canvas-export"
    assert data["version"] == 1
    assert len(data["canvases"]) == 3

    bea = make_user("bea")
    assert "Imported 3 canvas(es) for bea." in import_("bea", path)

    assert documents(bea) == documents(ana)  # every field, in order, at every level
    originals = Canvas.objects.for_user(ana).order_by("created_at", "pk")
    copies = Canvas.objects.for_user(bea).order_by("created_at", "pk")
    for original, copy in zip(originals, copies, strict=True):
        assert copy.created_at == original.created_at
        assert copy.updated_at == original.updated_at
        assert copy.pk != original.pk
    # Every model field, row by row, apart from ids, owners and lock versions.
    skip = {"id", "canvas", "segment", "relationship", "owner", "version"}
    for model, parent in [
        (Segment, "canvas__owner"),
        (Relationship, "segment__canvas__owner"),
        (CostItem, "relationship__segment__canvas__owner"),
    ]:
        names = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
        order = ["canvas__created_at"] if model is Segment else []

        def rows(user, model=model, parent=parent, names=names, order=order):
            return list(
                model.objects.filter(**{parent: user}).order_by(*order, "pk").values(*names)
            )

        assert rows(bea) == rows(ana), model.__name__
    # Exporting the copy gives the same file, ids and dates of export apart.
    again = export(bea, tmp_path / "bea.json")
    assert without_ids(again["canvases"]) == without_ids(data["canvases"])


def test_export_of_a_user_without_canvases(tmp_path):
    assert export(make_user("new"), tmp_path / "new.json")["canvases"] == []


def test_unknown_user_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("export_canvases", user="nobody", output=str(tmp_path / "x.json"))
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("import_canvases", str(tmp_path / "x.json"), user="nobody")


def bad_file(ana, tmp_path, change) -> str:
    path = tmp_path / "ana.json"
    data = export(ana, path)
    change(data)
    path.write_text(json.dumps(data))
    return str(path)


def set_in(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_in(["format"], "something-else"), "not a canvas export"),
        (set_in(["version"], 2), "version 2; this version of the product reads version 1"),
        (set_in(["canvases"], {}), "no list of canvases"),
        (set_in(["canvases", 1, "version"], 9), r"canvases\[1\] is not a canvas document"),
        (set_in(["canvases", 1, "segments"], "x"), r"canvases\[1\].segments is not a list"),
        (set_in(["canvases", 1, "updated_at"], "yesterday"), "is not a date and time"),
        (
            set_in(["canvases", 1, "segments", 0, "relationships", 0, "goals"], "retention"),
            "goals is not a list",
        ),
        (set_in(["canvases", 2, "currency"], "XXX"), r"Canvas 3 \('Blank'\).*currency"),
        (set_in(["canvases", 2, "title"], ""), r"Canvas 3.*title"),
        (
            set_in(["canvases", 0, "segments", 1, "relationships", 0, "type"], "telepathy"),
            "type",
        ),
        (
            set_in(["canvases", 0, "segments", 0, "relationships", 0, "costs", 0, "amount"], "-5"),
            "amount",
        ),
        (
            set_in(["canvases", 0, "segments", 0, "relationships", 0, "costs", 0, "amount"], "x"),
            "cannot be imported",
        ),
        (set_in(["canvases", 0, "segments", 0, "customer_count"], 10**12), "customer_count"),
        (
            set_in(["canvases", 0, "segments", 0, "relationships", 0, "goals"], []),
            "cannot be imported",
        ),
        (lambda data: data["canvases"][2].pop("currency"), "missing field 'currency'"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(ana, tmp_path, change, message):
    path = bad_file(ana, tmp_path, change)
    bea = make_user("bea")
    with pytest.raises(CommandError, match=message):
        import_("bea", path)
    assert not Canvas.objects.filter(owner=bea).exists()
    assert Segment.objects.filter(canvas__owner=bea).count() == 0


def test_a_file_that_is_not_json_is_refused(ana, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "relationship-canvas-export", ')
    with pytest.raises(CommandError, match="not valid JSON"):
        import_("ana", path)
    with pytest.raises(CommandError, match="Cannot read"):
        import_("ana", tmp_path / "missing.json")
