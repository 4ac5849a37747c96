"""The canonical JSON document of a canvas: its schema, and the one function that builds a canvas.

One document serves four purposes: the frozen snapshot a teacher reviews, the diff between two
snapshots, export/import of a user's canvases, and rendering (``relationships.block.Block`` is
built from a document, live or frozen).

What a valid document is (types, lengths, choices, bounds, dates) is said once, in ``SCHEMA``
below, and checked by ``validate_document``; lengths, choices and bounds are the model fields'
own, so they are never restated here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from relationships.models import Canvas, CostItem, Relationship, Segment

DOCUMENT_VERSION = 1

CANVAS_FIELDS = ("title", "description", "currency", "business_fit", "market_effect")
# Settings of the canvas, not answers: a document written before one existed may leave it out.
CANVAS_SETTINGS = {"horizon_years": 3}
SEGMENT_FIELDS = (
    "name",
    "description",
    "expected_type",
    "expectation",
    "customer_count",
    "purchases_per_year",
    "average_spend",
)
# Answers of a segment that a document written before they existed may leave out: their default.
SEGMENT_OPTIONAL = {"new_customers_per_year": None}
RELATIONSHIP_FIELDS = ("type", "contact", "reach", "bond", "state", "interaction")
COST_FIELDS = ("label", "amount", "frequency")

# Dates a document may carry. Far beyond these, moving a date to UTC overflows Python's calendar
# (year 1 at +14:00), and no canvas was edited before 1970 or will be after 2200.
DATE_YEARS = range(1970, 2201)
NAME_OF_PERSON = 301  # a user's first and last names and the space between
MESSAGE_LENGTH = 300  # a message quotes at most this much of a hostile value
# PostgreSQL refuses NUL in text, and no database can store half a UTF-16 surrogate pair.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class DocumentError(ValueError):
    """The document is not one this version of the product can read."""


class _Invalid(DocumentError):
    """One value is wrong; ``_clean_row`` adds where it is."""


def last_change(row) -> dict:
    """Who last changed a segment or relationship (a name, as the block shows it) and when."""
    return changed_by_at(row.changed_by, row.changed_at)


def changed_by_at(user, at) -> dict:
    """A document's record of a last change: by ``user`` (None: nobody known), ``at``."""
    return {
        "changed_at": at.isoformat() if at else None,
        "changed_by": (user.get_full_name() or user.get_username()) if user else None,
    }


def stored(row: models.Model, name: str) -> Any:
    """A row's field as a document holds it: a decimal at the column's places, as text (what
    the database gives back of it, whatever was typed: "95,5" reads back as "95.50")."""
    value = getattr(row, name)
    if isinstance(value, Decimal):
        places = type(row)._meta.get_field(name).decimal_places
        value = str(value.quantize(Decimal(1).scaleb(-places)))
    return value


def canvas_entry(canvas: Canvas, segments: list[dict]) -> dict:
    return {
        "version": DOCUMENT_VERSION,
        "id": canvas.pk,
        **{name: getattr(canvas, name) for name in (*CANVAS_FIELDS, *CANVAS_SETTINGS)},
        "updated_at": canvas.updated_at.isoformat() if canvas.updated_at else None,
        "segments": segments,
    }


def segment_entry(segment: Segment, relationships: list[dict], changed: dict) -> dict:
    """A segment as its document holds it; ``changed``: its ``last_change``."""
    return {
        "id": segment.pk,
        **{name: stored(segment, name) for name in (*SEGMENT_FIELDS, *SEGMENT_OPTIONAL)},
        **changed,
        "relationships": relationships,
    }


def relationship_entry(relationship: Relationship, costs: list[dict], changed: dict) -> dict:
    """A relationship as its document holds it; ``changed``: its ``last_change``."""
    return {
        "id": relationship.pk,
        **{name: getattr(relationship, name) for name in RELATIONSHIP_FIELDS},
        "goals": relationship.goals,
        **changed,
        "costs": costs,
    }


def cost_entry(cost: CostItem) -> dict:
    return {"id": cost.pk, **{name: stored(cost, name) for name in COST_FIELDS}}


def canvas_document(canvas: Canvas) -> dict:
    """The canvas as a plain, JSON-ready dict. Reads the prefetched block: no extra queries."""
    segments = [
        segment_entry(
            segment,
            [
                relationship_entry(
                    relationship,
                    [cost_entry(cost) for cost in relationship.cost_items.all()],
                    last_change(relationship),
                )
                for relationship in segment.relationships.all()
            ],
            last_change(segment),
        )
        for segment in canvas.segments.all()
    ]
    return canvas_entry(canvas, segments)


def _shorten(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _kind(value: Any) -> str:
    """What a JSON value is, in plain words; never its (possibly huge or deep) contents."""
    if isinstance(value, float | Decimal) and not Decimal(value).is_finite():
        return "NaN or infinity"
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > 20:
        return f"a number of {len(value.as_tuple().digits)} digits"
    kinds = {bool: "true or false", int: "a whole number", float: "a decimal number"}
    kinds |= {Decimal: "a decimal number", str: "a text", list: "a list", dict: "an object"}
    kinds[type(None)] = "null"
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), "a value")


def _shown(value: Any) -> str:
    """A short text as it is, quoted; any other value by its kind."""
    if isinstance(value, datetime):
        value = value.isoformat()
    return repr(_shorten(value)) if isinstance(value, str) else _kind(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be a text, not {_kind(value)}.")
    if match := UNSTORABLE.search(value):
        what = "a NUL character" if match.group() == "\x00" else "half a surrogate pair"
        raise _Invalid(f"contains {what} (character {match.start() + 1}), which cannot be stored.")
    return str.__str__(value)  # a plain str, also for a TextChoices member


def _json_value(model_field: models.Field, value: Any) -> Any:
    """``value`` if its JSON type suits ``model_field``; the field's own ``clean`` does the rest."""
    if isinstance(model_field, models.CharField | models.TextField):
        return _text(value)
    if isinstance(value, bool):
        raise _Invalid(f"must be a number, not {_kind(value)}.")
    if isinstance(model_field, models.DecimalField):
        if isinstance(value, str):
            return _text(value)
        if not isinstance(value, int | float | Decimal):
            raise _Invalid(f"must be a number (or a text holding one), not {_kind(value)}.")
        if isinstance(value, float | Decimal) and not Decimal(value).is_finite():
            raise _Invalid("must be a finite number, not NaN or infinity.")
        return repr(value) if isinstance(value, float) else value  # 4.5, not 4.5000000000
    if isinstance(model_field, models.IntegerField) and not isinstance(value, int):
        raise _Invalid(f"must be a whole number, not {_kind(value)}.")
    return value


def _model_value(model: type[models.Model], name: str, value: Any) -> Any:
    """The clean value of ``model``'s field ``name``: its types, choices, lengths and bounds."""
    model_field = model._meta.get_field(name)
    if value is not None:
        value = _json_value(model_field, value)
    try:
        value = model_field.clean(value, None)
    except ValidationError as error:
        raise _Invalid(" ".join(error.messages)) from None
    if isinstance(model_field, models.DecimalField) and value is not None:
        value = value.quantize(Decimal(1).scaleb(-model_field.decimal_places))
    return value


def _version(value: Any) -> int:
    if type(value) is not int or value != DOCUMENT_VERSION:
        raise _Invalid(f"this product reads canvas documents of version {DOCUMENT_VERSION} only.")
    return value


def _parsed_date(value: str) -> datetime:
    _text(value)
    try:
        parsed = parse_datetime(value) if len(value) <= 40 else None
    except ValueError as error:
        raise _Invalid(f"{_shown(value)} is not a date that exists: {error}.") from None
    if parsed is None:
        raise _Invalid(f"{_shown(value)} is not a date and time in ISO 8601.")
    return parsed


def _date(value: Any) -> datetime | None:
    """An aware date and time, from ISO 8601 text (naive means the server's time zone)."""
    if value is None:
        return None
    if isinstance(value, str):
        parsed = _parsed_date(value)
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise _Invalid(f"must be a date and time in ISO 8601, not {_kind(value)}.")
    if parsed.year not in DATE_YEARS:
        years = f"{DATE_YEARS[0]} to {DATE_YEARS[-1]}"
        raise _Invalid(f"{_shown(value)} is outside the years {years}.")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _goals(value: Any) -> list[str]:
    """The goals a relationship serves: at least one, in the order of ``Relationship.Goal``."""
    known = Relationship.Goal.values
    if not isinstance(value, list):
        raise _Invalid(f"must be a list of goals, not {_kind(value)}.")
    for goal in value:
        if not isinstance(goal, str) or goal not in known:
            raise _Invalid(f"{_shown(goal)} is not a goal; the goals are {', '.join(known)}.")
    if not value:
        raise _Invalid(f"at least one goal is needed: {', '.join(known)}.")
    return [goal for goal in known if goal in value]


@dataclass(frozen=True)
class Level:
    """One level of the document: the model whose fields it holds, and the list of its children.

    Every key of ``fields``, ``extra`` and ``children`` is required; the row's ``id`` and the
    keys of ``optional`` may be left out; any other key is refused.
    """

    model: type[models.Model]
    noun: str
    fields: tuple[str, ...]
    children: tuple[str, Level] | None = None
    extra: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    optional: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    named_by: str = ""

    def checks(self) -> dict[str, Callable[[Any], Any]]:
        """Each key of a row but the children, and the function giving its clean value."""
        names = (self.model._meta.pk.name, *self.fields)
        fields = {name: partial(_model_value, self.model, name) for name in names}
        return {**fields, **self.extra, **self.optional}

    def required(self) -> list[str]:
        return [*self.fields, *self.extra, *(self.children[:1] if self.children else ())]

    def label(self, index: int, row: Any) -> str:
        name = row.get(self.named_by) if self.named_by and isinstance(row, dict) else None
        return f"{self.noun} {index + 1}{_name(name)}"


COST = Level(CostItem, "cost", COST_FIELDS)


def _name_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if len(_text(value)) > NAME_OF_PERSON:
        raise _Invalid(f"is longer than a person's name ({NAME_OF_PERSON} characters).")
    return value


# Who last changed a card and when: a document from before, or an import, may leave it out.
LAST_CHANGE = {"changed_at": _date, "changed_by": _name_or_none}
RELATIONSHIP = Level(
    Relationship,
    "relationship",
    RELATIONSHIP_FIELDS,
    ("costs", COST),
    extra={"goals": _goals},
    optional=LAST_CHANGE,
)
SEGMENT = Level(
    Segment,
    "segment",
    SEGMENT_FIELDS,
    ("relationships", RELATIONSHIP),
    optional={
        **{name: partial(_model_value, Segment, name) for name in SEGMENT_OPTIONAL},
        **LAST_CHANGE,
    },
    named_by="name",
)
SCHEMA = Level(  # a whole canvas document
    Canvas,
    "canvas",
    CANVAS_FIELDS,
    ("segments", SEGMENT),
    extra={"version": _version},
    optional={
        "updated_at": _date,
        "created_at": _date,  # export adds created_at
        **{name: partial(_model_value, Canvas, name) for name in CANVAS_SETTINGS},
    },
)


def _name(value: Any) -> str:
    """A row's own name, quoted, for a message: only a short text on one line."""
    if not isinstance(value, str) or not value or not value.isprintable():
        return ""
    return f" “{_shorten(value)}”"


def _message(at: str, key: Any, problem: str) -> str:
    key = _shorten(key) if isinstance(key, str) else "a key that is not a text"
    return f"{at}: {key}: {_shorten(problem, MESSAGE_LENGTH)}"


def _clean_row(level: Level, row: Any, at: str) -> dict:
    """The clean copy of one row and its children; DocumentError says where ``at`` is wrong."""
    if not isinstance(row, dict):
        raise DocumentError(f"{at}: must be an object, not {_kind(row)}.")
    checks, required = level.checks(), level.required()
    if missing := next((key for key in required if key not in row), None):
        raise DocumentError(_message(at, missing, "this field is missing."))
    if unknown := [key for key in row if key not in checks and key not in required]:
        raise DocumentError(_message(at, unknown[0], f"is not a field of a {level.noun}."))
    clean = {}
    for key, check in checks.items():
        if key in row:
            try:
                clean[key] = check(row[key])
            except _Invalid as error:
                raise DocumentError(_message(at, key, str(error))) from None
    if level.children:
        key, child = level.children
        if not isinstance(row[key], list):
            raise DocumentError(_message(at, key, f"must be a list, not {_kind(row[key])}."))
        clean[key] = [
            _clean_row(child, item, f"{at}, {child.label(index, item)}")
            for index, item in enumerate(row[key])
        ]
    return clean


def validate_document(document: Any, where: str = "") -> dict:
    """A clean copy of a canvas document, or DocumentError saying which canvas and field is wrong.

    ``where`` names the canvas when it has no title (say ``"canvas 3"`` of a file). The copy has
    every key of the document: Decimals as ``Decimal`` with the field's decimal places, whole
    numbers as ``int``, texts as plain ``str``, dates as aware datetimes, goals in their
    canonical order, ids as they were. Makes no database query; raises nothing but
    DocumentError, whatever ``document`` is.
    """
    title = document.get("title") if isinstance(document, dict) else None
    at = (where or "canvas") + _name(title)
    at = at[:1].upper() + at[1:]
    try:
        with translation.override("en"):  # the models' messages, for operators
            return _clean_row(SCHEMA, document, at)
    except DocumentError:
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError) as error:  # a safety net
        raise DocumentError(f"{at}: cannot be read ({type(error).__name__}).") from None


@transaction.atomic
def create_canvas_from_document(owner, document: dict) -> Canvas:
    """Save a new canvas (new ids) for ``owner`` from a document.

    The document is validated first (``validate_document``): a bad one raises DocumentError
    before anything is written. The document's dates are not copied (the canvas is new);
    ``import_canvases`` sets them itself. An INSERT per row (and a query for each first child).
    """
    clean = validate_document(document)
    settings = {name: clean.get(name, default) for name, default in CANVAS_SETTINGS.items()}
    canvas = Canvas.objects.create(owner=owner, **{k: clean[k] for k in CANVAS_FIELDS}, **settings)
    for s, seg in enumerate(clean["segments"]):
        segment = Segment(
            canvas=canvas,
            position=s,
            **{k: seg[k] for k in SEGMENT_FIELDS},
            **{k: seg.get(k, default) for k, default in SEGMENT_OPTIONAL.items()},
        )
        segment.save()
        for r, rel in enumerate(seg["relationships"]):
            relationship = Relationship(
                segment=segment, position=r, **{k: rel[k] for k in RELATIONSHIP_FIELDS}
            )
            relationship.goals = rel["goals"]
            relationship.save()
            CostItem.objects.bulk_create(
                CostItem(relationship=relationship, position=c, **{k: cost[k] for k in COST_FIELDS})
                for c, cost in enumerate(rel["costs"])
            )
    return canvas
