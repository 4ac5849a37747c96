"""export_canvases / import_canvases: a lossless round trip, and a bad file writes nothing."""

import json
from decimal import Decimal
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


ODD = "Canvas 2 “Ñandú · “quoted” \\ </script>”"
VENTURE = "Canvas 1 “Venture”"
COST = f"{VENTURE}, segment 1 “Segment 0”, relationship 1, cost 1"


def refused(ana, path) -> str:
    """The import's error message; checks that nothing at all was written for the new user."""
    bea = make_user("bea")
    with pytest.raises(CommandError) as error:
        import_("bea", path)
    assert not Canvas.objects.filter(owner=bea).exists()
    assert Segment.objects.filter(canvas__owner=bea).count() == 0
    return str(error.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_in(["format"], "something-else"), "not a canvas export"),
        (set_in(["version"], 2), "version 2; this version of the product reads version 1"),
        (
            set_in(["version"], True),
            "of another version; this version of the product reads version 1",
        ),
        (set_in(["canvases"], {}), "no list of canvases"),
        (
            set_in(["canvases", 1, "version"], 9),
            f"{ODD}: version: this product reads canvas documents of version 1 only.",
        ),
        (set_in(["canvases", 1, "segments"], "x"), f"{ODD}: segments: must be a list, not a text."),
        (
            set_in(["canvases", 1, "updated_at"], "yesterday"),
            f"{ODD}: updated_at: 'yesterday' is not a date and time in ISO 8601.",
        ),
        (
            set_in(["canvases", 1, "segments", 0, "relationships", 0, "goals"], "retention"),
            f"{ODD}, segment 1 “Empty numbers”, relationship 1: goals: must be a list of goals, "
            "not a text.",
        ),
        (
            set_in(["canvases", 2, "currency"], "XXX"),
            "Canvas 3 “Blank”: currency: Value 'XXX' is not a valid choice.",
        ),
        (set_in(["canvases", 2, "title"], ""), "Canvas 3: title: This field cannot be blank."),
        (
            set_in(["canvases", 0, "segments", 1, "relationships", 0, "type"], "telepathy"),
            f"{VENTURE}, segment 2 “Segment 1”, relationship 1: type: Value 'telepathy' is not",
        ),
        (
            set_in(["canvases", 0, "segments", 0, "relationships", 0, "costs", 0, "amount"], "-5"),
            f"{COST}: amount: Ensure this value is greater than or equal to 0.00.",
        ),
        (
            set_in(["canvases", 0, "segments", 0, "relationships", 0, "costs", 0, "amount"], "x"),
            f"{COST}: amount: “x” value must be a decimal number.",
        ),
        (
            set_in(["canvases", 0, "segments", 0, "customer_count"], 10**12),
            f"{VENTURE}, segment 1 “Segment 0”: customer_count: Ensure this value is less than",
        ),
        (
            set_in(["canvases", 0, "segments", 0, "relationships", 0, "goals"], []),
            f"{VENTURE}, segment 1 “Segment 0”, relationship 1: goals: at least one goal is needed",
        ),
        (
            lambda data: data["canvases"][2].pop("currency"),
            "Canvas 3 “Blank”: currency: this field is missing.",
        ),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(ana, tmp_path, change, message):
    assert message in refused(ana, bad_file(ana, tmp_path, change))


def hostile_file(ana, tmp_path, keys, raw: str) -> str:
    """An export of ``ana`` with the JSON text ``raw`` written at ``keys``, as an attacker would."""
    path = tmp_path / "ana.json"
    data = export(ana, path)
    set_in(keys, "@@hostile@@")(data)
    path.write_text(json.dumps(data).replace('"@@hostile@@"', raw))
    return str(path)


TOO_LONG = (
    f"{COST}: amount: Ensure this value is less than or equal to 99999999.99. "
    "Ensure that there are no more than 10 digits in total. Nothing was imported."
)
AMOUNT = ["canvases", 0, "segments", 0, "relationships", 0, "costs", 0, "amount"]
COUNT = ["canvases", 0, "segments", 0, "customer_count"]


@pytest.mark.parametrize(
    ("keys", "raw", "message"),
    [
        (
            ["canvases", 2, "title"],
            "[" * 500 + "]" * 500,
            "Canvas 3: title: must be a text, not a list.",
        ),
        (AMOUNT, "9" * 5000, TOO_LONG),
        (AMOUNT, '"' + "9" * 5000 + '"', TOO_LONG),
        (AMOUNT, "1e999999", TOO_LONG),
        (AMOUNT, "NaN", f"{COST}: amount: must be a finite number, not NaN or infinity."),
        (AMOUNT, "-Infinity", f"{COST}: amount: must be a finite number, not NaN or infinity."),
        (
            COUNT,
            "9" * 5000,
            f"{VENTURE}, segment 1 “Segment 0”: customer_count: must be a whole number, not a "
            "number of 5000 digits.",
        ),
        (
            COUNT,
            "9" * 3000,
            f"{VENTURE}, segment 1 “Segment 0”: customer_count: Ensure this value is less than",
        ),
        (
            ["canvases", 2, "updated_at"],
            '"2026-02-30T10:00:00"',
            "Canvas 3 “Blank”: updated_at: '2026-02-30T10:00:00' is not a date that exists: day",
        ),
        (
            ["canvases", 2, "created_at"],
            '"0001-01-01T00:00:00+14:00"',
            "Canvas 3 “Blank”: created_at: '0001-01-01T00:00:00+14:00' is outside the years 1970",
        ),
        (
            ["canvases", 2, "updated_at"],
            '"9999-12-31T23:59:59-12:00"',
            "Canvas 3 “Blank”: updated_at: '9999-12-31T23:59:59-12:00' is outside the years 1970",
        ),
        (
            ["canvases", 0, "segments", 1, "expectation"],
            '"ok\\u0000"',
            f"{VENTURE}, segment 2 “Segment 1”: expectation: contains a NUL character "
            "(character 3), which cannot be stored.",
        ),
        (
            ["canvases", 2, "market_effect"],
            '"\\ud800"',
            "Canvas 3 “Blank”: market_effect: contains half a surrogate pair (character 1)",
        ),
    ],
    ids=str.split(
        "nested long-int long-text exponent nan infinity count-int count-int-3000 "
        "impossible-date first-year last-year nul surrogate"
    ),
)
def test_a_hostile_file_gets_a_message_naming_canvas_and_field(ana, tmp_path, keys, raw, message):
    error = refused(ana, hostile_file(ana, tmp_path, keys, raw))
    assert message in error
    assert error.endswith(" Nothing was imported.")


def test_a_file_nested_too_deeply_to_read_is_refused(ana, tmp_path):
    path = hostile_file(ana, tmp_path, ["canvases", 2, "title"], "[" * 100_000 + "]" * 100_000)
    assert "The file is nested too deeply to be a canvas export" in refused(ana, path)


def test_numbers_written_as_json_numbers_are_read_exactly(ana, tmp_path):
    path = hostile_file(ana, tmp_path, AMOUNT, "0.1")
    import_("ana", path)
    assert (
        CostItem.objects.filter(relationship__segment__canvas__owner=ana)
        .filter(amount=Decimal("0.10"), label="Cost 0")
        .exists()
    )


def test_a_file_that_is_not_json_is_refused(ana, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "relationship-canvas-export", ')
    with pytest.raises(CommandError, match="not valid JSON"):
        import_("ana", path)
    with pytest.raises(CommandError, match="Cannot read"):
        import_("ana", tmp_path / "missing.json")
