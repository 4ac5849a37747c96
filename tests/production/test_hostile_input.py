"""Arbitrary input at every form and htmx endpoint of the block editor (relationships/urls.py).

Whatever is sent: never a 500; invalid input gets the form back with its errors, and nothing is
written; another user's object is a 404, and nothing of theirs changes.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from relationships.document import canvas_document
from relationships.forms import (
    CanvasCreateForm,
    CanvasForm,
    CanvasRenameForm,
    CostItemForm,
    RelationshipForm,
    SegmentForm,
)
from relationships.models import Canvas, CostItem, Currency, Relationship, Segment
from tests.factories import make_block, make_user
from tests.helpers import HTMX
from tests.production.fuzz import FUZZ, text

pytestmark = pytest.mark.django_db


# name: (kind of object in the URL, the form the view runs or None)
ENDPOINTS = {
    "canvas_edit": ("canvas", CanvasForm),
    "canvas_rename": ("canvas", CanvasRenameForm),
    "canvas_duplicate": ("canvas", None),
    "canvas_delete": ("canvas", None),
    "segment_create": ("canvas", SegmentForm),
    "segment_edit": ("segment", SegmentForm),
    "segment_delete": ("segment", None),
    "segment_move": ("segment", None),
    "relationship_create": ("segment", RelationshipForm),
    "relationship_detail": ("relationship", None),
    "relationship_edit": ("relationship", RelationshipForm),
    "relationship_delete": ("relationship", None),
    "relationship_move": ("relationship", None),
    "cost_create": ("relationship", CostItemForm),
    "cost_edit": ("cost", CostItemForm),
    "cost_delete": ("cost", None),
    "cost_move": ("cost", None),
}
FIELDS = sorted(
    {name for _, form in ENDPOINTS.values() if form for name in form.base_fields}
    | {"version", "direction", "cancel", "owner", "canvas", "segment", "relationship"}
)
CHOICES = [
    *Currency.values,
    *Relationship.Type.values,
    *Relationship.Contact.values,
    *Relationship.Reach.values,
    *Relationship.Bond.values,
    *Relationship.State.values,
    *Relationship.Goal.values,
    *CostItem.Frequency.values,
    "up",
    "down",
]

junk = st.one_of(
    text,
    st.sampled_from(CHOICES),  # valid values, so that some submissions succeed
    st.sampled_from(["XXX", "eur", "EURO", "telepathy", "", " ", "\x00", "null", "[]", "x" * 2001]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=-1000, max_value=Decimal("99999999.99"), places=2).map(str),
    st.sampled_from(["1", "2", "0", "-1", "1e999", "99999999999999999999", "١٢", "1_000"]),
)
form_data = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(FIELDS, junk),
        "goals": st.lists(st.one_of(st.sampled_from(Relationship.Goal.values), junk), max_size=4),
    },
)


def block_of(user) -> dict:
    canvas = make_block(user, segments=1, relationships=1, costs=1)
    segment = canvas.segments.get()
    relationship = segment.relationships.get()
    return {
        "canvas": canvas,
        "segment": segment,
        "relationship": relationship,
        "cost": relationship.cost_items.get(),
    }


def everything_of(user) -> list:
    canvases = Canvas.objects.for_user(user).with_block().order_by("pk")
    return [(c.version, canvas_document(c)) for c in canvases]


def rows_of(user) -> tuple:
    return (
        list(Canvas.objects.filter(owner=user).values()),
        list(Segment.objects.filter(canvas__owner=user).values()),
        list(Relationship.objects.filter(segment__canvas__owner=user).values()),
        list(CostItem.objects.filter(relationship__segment__canvas__owner=user).values()),
    )


@pytest.fixture
def people(db):
    owner, stranger = make_user(), make_user()
    client = Client(raise_request_exception=True)  # a server error fails the test
    client.force_login(owner)
    return owner, stranger, client


def shows_errors(response) -> bool:
    return "field-error" in response.text or "form-errors" in response.text


@pytest.mark.parametrize("name", ENDPOINTS)
@FUZZ
@given(
    data=form_data,
    target=st.sampled_from(["mine", "theirs", "missing"]),
    method=st.sampled_from(["GET", "POST", "POST"]),
    htmx=st.booleans(),
)
def test_endpoint_survives_arbitrary_input(people, name, data, target, method, htmx):
    owner, stranger, client = people
    kind, form_class = ENDPOINTS[name]
    mine, theirs = block_of(owner), block_of(stranger)
    pk = {"mine": mine[kind].pk, "theirs": theirs[kind].pk, "missing": 2**63}[target]
    # Other users' ids wherever the form might (wrongly) read them.
    data = {**data, **{k: str(theirs[k].pk) for k in ("canvas", "segment", "relationship")}}
    before_theirs, before_mine = rows_of(stranger), rows_of(owner)

    valid = None
    if form_class and method == "POST" and target == "mine":
        instance = mine[kind]
        if name.endswith("_create"):
            parent = {"segment": "canvas", "relationship": "segment", "cost": "relationship"}
            model = form_class._meta.model
            instance = model(**{parent[model._meta.model_name.replace("item", "")]: mine[kind]})
        valid = form_class(data, instance=instance).is_valid()

    headers = HTMX if htmx else {}
    url = reverse(name, args=[pk])
    response = (
        client.post(url, data, headers=headers)
        if method == "POST"
        else client.get(url, data, headers=headers)
    )

    assert response.status_code in {200, 302, 404, 405}
    if target != "mine":
        assert response.status_code in {404, 405}
    assert rows_of(stranger) == before_theirs, "another user's data changed"
    if valid is False:
        assert response.status_code == 200
        assert shows_errors(response), "invalid input without an error message"
        assert rows_of(owner) == before_mine, "invalid input was written"


@FUZZ
@given(data=form_data, htmx=st.booleans())
@example(data={"goals": []}, htmx=False)  # sends no field: no submission, not a bad one
def test_new_canvas_survives_arbitrary_input(people, data, htmx):
    owner, stranger, client = people
    before_theirs, before_mine = rows_of(stranger), rows_of(owner)
    # An empty body is no submission (the view shows the page, as for a GET), so no error.
    # An empty list sends no field at all: {"goals": []} is an empty body too.
    sent = {name: value for name, value in data.items() if value != []}
    valid = CanvasCreateForm(data).is_valid() if sent else None
    headers = HTMX if htmx else {}
    response = client.post(reverse("canvas_list"), data, headers=headers)
    assert response.status_code in {200, 302}
    assert rows_of(stranger) == before_theirs
    if valid:
        assert response.status_code == 302
    elif valid is None:
        assert rows_of(owner) == before_mine
    else:
        assert response.status_code == 200
        assert shows_errors(response)
        assert rows_of(owner) == before_mine
