"""validate_document: one schema for every canvas document, and a clear error for a hostile one.

Each refusal must name the canvas and the field: that is how an operator finds the mistake."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relationships.document import (
    DocumentError,
    canvas_document,
    create_canvas_from_document,
    validate_document,
)
from relationships.models import Canvas, Segment
from relationships.sample import SAMPLE, create_sample_canvas, sample_document
from tests.factories import make_block, make_user
from tests.production.fuzz import FUZZ

pytestmark = pytest.mark.django_db

CANVAS = "Canvas “Venture”"
SEGMENT = f"{CANVAS}, segment 2 “Segment 1”"
RELATIONSHIP = f"{SEGMENT}, relationship 1"
COST = f"{RELATIONSHIP}, cost 2"
# Where each level's row sits in ``document()``, and how a message names it.
ROWS = {
    "canvas": ((), CANVAS),
    "segment": (("segments", 1), SEGMENT),
    "relationship": (("segments", 1, "relationships", 0), RELATIONSHIP),
    "cost": (("segments", 1, "relationships", 0, "costs", 1), COST),
}
# How a message names a row whose name is what is wrong: without it.
UNNAMED = {("canvas", "title"): "Canvas", ("segment", "name"): f"{CANVAS}, segment 2"}
TEXTS = {
    "canvas": ["title", "description", "currency", "business_fit", "market_effect"],
    "segment": ["name", "description", "expected_type", "expectation"],
    "relationship": ["type", "contact", "reach", "bond", "state", "interaction"],
    "cost": ["label", "frequency"],
}
UNSTORED = "which cannot be stored."
TEXT_FIELDS = [(level, name) for level, names in TEXTS.items() for name in names]


@pytest.fixture
def document():
    """The JSON document of a 2 x 2 x 2 block, as a file would hold it."""
    canvas = Canvas.objects.with_block().get(pk=make_block(segments=2).pk)
    return json.loads(json.dumps(canvas_document(canvas)))


def where(level, name):
    return UNNAMED.get((level, name), ROWS[level][1])


def row(document, level):
    target = document
    for key in ROWS[level][0]:
        target = target[key]
    return target


def refusal(document, where="") -> str:
    with pytest.raises(DocumentError) as error:
        validate_document(document, where)
    return str(error.value)


def without_ids(value):
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("id", "updated_at")}
    return [without_ids(v) for v in value] if isinstance(value, list) else value


def nested(depth: int, kind=list):
    value = "deep"
    for _ in range(depth):
        value = [value] if kind is list else {"a": value}
    return value


@pytest.mark.parametrize("kind", [list, dict])
@pytest.mark.parametrize(("level", "name"), [("canvas", "title"), ("cost", "label")])
def test_a_value_nested_100000_deep_in_place_of_a_text(document, level, name, kind):
    row(document, level)[name] = nested(100_000, kind)
    kind_word = "a list" if kind is list else "an object"
    assert refusal(document) == f"{where(level, name)}: {name}: must be a text, not {kind_word}."


@pytest.mark.parametrize(("level", "name"), TEXT_FIELDS)
@pytest.mark.parametrize("value", [["a list"], {"an": "object"}, 12, True])
def test_anything_but_a_text_where_a_text_belongs(document, level, name, value):
    row(document, level)[name] = value
    message = refusal(document)
    assert message.startswith(f"{where(level, name)}: {name}: must be a text, not ")


@pytest.mark.parametrize(("level", "name"), TEXT_FIELDS)
def test_a_nul_character_in_any_text(document, level, name):
    row(document, level)[name] = "Pan\x00"
    message = refusal(document, "canvas 4")  # a title that cannot be shown: the canvas's number
    at = where(level, name).replace("Canvas", "Canvas 4", 1)
    assert message == f"{at}: {name}: contains a NUL character (character 4), {UNSTORED}"


def test_half_a_surrogate_pair_in_a_text(document):
    row(document, "segment")["expectation"] = "ok \ud800"
    problem = f"contains half a surrogate pair (character 4), {UNSTORED}"
    assert refusal(document) == f"{SEGMENT}: expectation: {problem}"


@pytest.mark.parametrize(
    ("level", "name", "value", "problem"),
    [
        ("cost", "amount", 10**5000, "Ensure that there are no more than 10 digits in total."),
        ("cost", "amount", "9" * 5000, "Ensure that there are no more than 10 digits in total."),
        ("cost", "amount", Decimal("9" * 5000), "no more than 10 digits in total."),
        ("segment", "average_spend", "1e999999999", "no more than 10 digits in total."),
        ("segment", "customer_count", 10**5000, "less than or equal to 1000000000."),
        # How import_canvases reads a JSON integer longer than int() takes:
        ("segment", "customer_count", Decimal("9" * 5000), "not a number of 5000 digits."),
        ("segment", "customer_count", "9" * 5000, "must be a whole number, not a text."),
        ("segment", "customer_count", float("nan"), "must be a whole number, not NaN or infinity."),
    ],
    ids=str.split("int text decimal exponent int-count decimal-count text-count nan-count"),
)
def test_numbers_with_thousands_of_digits(document, level, name, value, problem):
    row(document, level)[name] = value
    message = refusal(document)
    assert message.startswith(f"{ROWS[level][1]}: {name}: ")
    assert problem in message


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("sNaN")]
)
@pytest.mark.parametrize(("level", "name"), [("cost", "amount"), ("segment", "average_spend")])
def test_nan_and_infinity(document, level, name, value):
    row(document, level)[name] = value
    finite = "must be a finite number, not NaN or infinity."
    assert refusal(document) == f"{ROWS[level][1]}: {name}: {finite}"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_nan_and_infinity_as_text(document, value):
    row(document, "cost")["amount"] = value
    assert refusal(document) == f"{COST}: amount: “{value}” value must be a decimal number."


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2026-02-30T10:00:00", "day is out of range for month"),
        ("2026-13-01T10:00:00", "month must be in 1..12"),
        ("2026-01-01T25:00:00", "hour must be in 0..23"),
    ],
)
@pytest.mark.parametrize("name", ["updated_at", "created_at"])
def test_impossible_dates(document, name, value, problem):
    document[name] = value
    assert refusal(document) == f"{CANVAS}: {name}: {value!r} is not a date that exists: {problem}."


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "1969-12-31T23:59:59+00:00",
        "2201-01-01T00:00:00+00:00",
        datetime(1, 1, 1, tzinfo=UTC),
    ],
)
def test_dates_at_the_edges_of_the_calendar(document, value):
    document["updated_at"] = value
    shown = repr(value if isinstance(value, str) else value.isoformat())
    assert refusal(document) == f"{CANVAS}: updated_at: {shown} is outside the years 1970 to 2200."


@pytest.mark.parametrize("value", ["1970-01-01T00:00:00+00:00", "2200-12-31T23:59:59+00:00"])
def test_dates_at_the_edges_of_the_years_taken(document, value):
    document["updated_at"] = value
    assert validate_document(document)["updated_at"] == datetime.fromisoformat(value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("yesterday", "'yesterday' is not a date and time in ISO 8601."),
        ("2026-01-01T10:00:00" + " " * 100, "is not a date and time in ISO 8601."),
        (1767261600, "must be a date and time in ISO 8601, not a whole number."),
        (["2026-01-01"], "must be a date and time in ISO 8601, not a list."),
        ("2026-01-01T10:00:00\x00", "contains a NUL character"),
    ],
)
def test_what_is_not_a_date(document, value, problem):
    document["updated_at"] = value
    message = refusal(document)
    assert message.startswith(f"{CANVAS}: updated_at: ")
    assert problem in message


@pytest.mark.parametrize(
    ("level", "name", "value"),
    [
        ("canvas", "currency", "XXX"),
        ("segment", "expected_type", "telepathy"),
        ("relationship", "type", "telepathy"),
        ("relationship", "contact", "pigeon"),
        ("relationship", "reach", "everyone"),
        ("relationship", "bond", "forever"),
        ("relationship", "state", "dreamt"),
        ("cost", "frequency", "hourly"),
    ],
)
def test_unknown_choice_values(document, level, name, value):
    row(document, level)[name] = value
    assert refusal(document) == f"{ROWS[level][1]}: {name}: Value {value!r} is not a valid choice."


@pytest.mark.parametrize(
    ("goals", "problem"),
    [
        (["telepathy"], "'telepathy' is not a goal; the goals are acquisition, retention,"),
        (["retention", 7], "a whole number is not a goal"),
        (["retention", ["retention"]], "a list is not a goal"),
        ([], "at least one goal is needed: acquisition, retention, boosting_sales."),
        ("retention", "must be a list of goals, not a text."),
        (nested(100_000), "a list is not a goal"),
    ],
)
def test_goals_are_a_list_of_known_goals_with_at_least_one(document, goals, problem):
    row(document, "relationship")["goals"] = goals
    message = refusal(document)
    assert message.startswith(f"{RELATIONSHIP}: goals: ")
    assert problem in message


REQUIRED = [
    *[("canvas", key) for key in ["version", *TEXTS["canvas"], "segments"]],
    *[("segment", key) for key in [*TEXTS["segment"], "customer_count", "purchases_per_year"]],
    *[("segment", key) for key in ["average_spend", "relationships"]],
    *[("relationship", key) for key in [*TEXTS["relationship"], "goals", "costs"]],
    *[("cost", key) for key in TEXTS["cost"] + ["amount"]],
]


@pytest.mark.parametrize(("level", "key"), REQUIRED)
def test_missing_required_keys(document, level, key):
    del row(document, level)[key]
    assert refusal(document) == f"{where(level, key)}: {key}: this field is missing."


@pytest.mark.parametrize(
    ("level", "key"), [("canvas", "id"), ("canvas", "updated_at"), ("cost", "id")]
)
def test_ids_and_dates_may_be_left_out(document, level, key):
    del row(document, level)[key]
    assert key not in row(validate_document(document), level)


@pytest.mark.parametrize(("level", "key"), [("canvas", "titel"), ("relationship", "cost")])
def test_unknown_keys_are_refused(document, level, key):
    row(document, level)[key] = "x"
    assert refusal(document) == f"{ROWS[level][1]}: {key}: is not a field of a {level}."


@pytest.mark.parametrize(
    ("level", "key", "value", "problem"),
    [
        ("canvas", "segments", "x", ": segments: must be a list, not a text."),
        ("segment", "relationships", {"0": {}}, ": relationships: must be a list, not an object."),
        ("relationship", "costs", None, ": costs: must be a list, not null."),
        ("relationship", "costs", [{}, ["x"]], ", cost 1: label: this field is missing."),
        ("canvas", "segments", [["x"]], ", segment 1: must be an object, not a list."),
    ],
)
def test_a_list_of_rows_must_be_a_list_of_objects(document, level, key, value, problem):
    row(document, level)[key] = value
    assert refusal(document) == f"{ROWS[level][1]}{problem}"


@pytest.mark.parametrize(
    "version",
    [2, "1", True, 1.0, None, 10**5000, [1]],
    ids=str.split("2 text true 1.0 null big list"),
)
def test_wrong_document_version(document, version):
    document["version"] = version
    assert (
        refusal(document)
        == f"{CANVAS}: version: this product reads canvas documents of version 1 only."
    )


@pytest.mark.parametrize("value", [[], "a canvas", None, 1, nested(100_000)])
def test_a_document_that_is_not_an_object(value):
    assert refusal(value, "canvas 3").startswith("Canvas 3: must be an object, not ")


def test_a_long_hostile_value_is_quoted_only_in_part(document):
    document["currency"] = "X" * 1_000_000
    message = refusal(document)
    assert message.startswith(f"{CANVAS}: currency: Value 'XXX")
    assert len(message) < 400


def test_a_hostile_name_does_not_name_the_row(document):
    row(document, "segment")["name"] = "line\nbreak" + "x" * 200
    assert refusal(document) == (
        f"{CANVAS}, segment 2: name: Ensure this value has at most 120 characters (it has 210)."
    )


def test_the_clean_copy_is_normalised(document, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    seg, cost = row(document, "segment"), row(document, "cost")
    seg.update(purchases_per_year=4.5, average_spend="3", customer_count=7)
    cost["amount"] = Decimal("1E+2")
    row(document, "relationship")["goals"] = ["boosting_sales", "acquisition", "acquisition"]
    document["updated_at"] = "2026-03-01T10:00:00"  # naive: the server's time zone
    clean = validate_document(document)
    assert row(clean, "segment")["purchases_per_year"] == Decimal("4.50")
    assert str(row(clean, "segment")["average_spend"]) == "3.00"
    assert str(row(clean, "cost")["amount"]) == "100.00"
    assert row(clean, "segment")["customer_count"] == 7
    assert row(clean, "relationship")["goals"] == ["acquisition", "boosting_sales"]
    assert clean["updated_at"].isoformat() == "2026-03-01T10:00:00+01:00"
    assert row(clean, "cost")["id"] == row(document, "cost")["id"]
    assert validate_document(clean) == clean  # a clean copy is valid as it is
    assert document["updated_at"] == "2026-03-01T10:00:00"  # the document itself is untouched


def test_validation_runs_no_query(document, django_assert_num_queries):
    with django_assert_num_queries(0):
        validate_document(document)
        with pytest.raises(DocumentError):
            validate_document({**document, "title": ""})


def test_round_trip_gives_the_same_document_apart_from_ids(user):
    live = Canvas.objects.with_block().get(pk=make_block(user, segments=3, costs=3).pk)
    original = json.loads(json.dumps(canvas_document(live)))
    copy = create_canvas_from_document(make_user(), validate_document(original))
    again = json.loads(json.dumps(canvas_document(Canvas.objects.with_block().get(pk=copy.pk))))
    assert without_ids(again) == without_ids(original)  # the copy's updated_at is its own
    assert again["id"] != original["id"]


def test_a_refused_document_writes_nothing(document, user):
    row(document, "cost")["amount"] = "-1"
    before = Segment.objects.count()
    with pytest.raises(DocumentError, match="cost 2: amount: Ensure this value is greater"):
        create_canvas_from_document(user, document)
    assert not Canvas.objects.filter(owner=user).exists()
    assert Segment.objects.count() == before


def test_the_sample_and_duplicate_go_through_the_document(user):
    sample = Canvas.objects.with_block().get(pk=create_sample_canvas(user).pk)
    assert sample.title == SAMPLE["title"]
    clean = validate_document(sample_document())
    assert [s.name for s in sample.segments.all()] == [s["name"] for s in clean["segments"]]
    copy = Canvas.objects.with_block().get(pk=sample.duplicate("Copia").pk)
    first = copy.segments.all()[0].relationships.all()[1]
    assert (copy.title, first.goals, first.type) == ("Copia", ["retention"], "communities")
    assert [c.amount for c in first.cost_items.all()] == [Decimal("60.00"), Decimal("300.00")]
    bad = {**SAMPLE, "title": "Bad", "segments": [{**SAMPLE["segments"][0], "name": ""}]}
    with pytest.raises(DocumentError, match=r"^Canvas “Bad”, segment 1: name: This field can"):
        create_sample_canvas(user, bad)


SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner))


@FUZZ
@given(level=st.sampled_from(list(ROWS)), value=JSON, data=st.data())
def test_any_json_in_any_field_is_taken_or_refused_saying_where(document, level, value, data):
    document = json.loads(json.dumps(document))  # each example changes its own copy
    target = row(document, level)
    key = data.draw(st.sampled_from(sorted(target)))
    target[key] = value
    at = ROWS[level][1]
    try:
        validate_document(document)
    except DocumentError as error:
        message = str(error)
        if key in ("title", "name"):  # the row is named by what was put there, if anything
            assert f": {key}: " in message
        elif key in ("segments", "relationships", "costs"):
            assert message.startswith((f"{at}: {key}: ", f"{at}, "))
        else:
            assert message.startswith(f"{at}: {key}: ")
