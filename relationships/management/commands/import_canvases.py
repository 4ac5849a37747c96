"""Read a file written by ``export_canvases`` and create its canvases for a user.

    python manage.py import_canvases --user ana ana-canvases.json

Everything is checked before anything is kept: one bad canvas and nothing is written, and the
message says which canvas and which field. Imported canvases get new ids; their content, order
and dates are those of the file.
"""

from __future__ import annotations

import json
import sys
from decimal import InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils.dateparse import parse_datetime

from relationships.document import DOCUMENT_VERSION, DocumentError, create_canvas_from_document
from relationships.management.commands.export_canvases import EXPORT_FORMAT, EXPORT_VERSION
from relationships.models import Canvas


def _check_shape(document, where: str) -> None:
    """The nesting a canvas document must have; values are checked by the models later."""
    if not isinstance(document, dict):
        raise DocumentError(f"{where} is not an object")
    if document.get("version") != DOCUMENT_VERSION:
        raise DocumentError(f"{where} is not a canvas document of version {DOCUMENT_VERSION}")
    for name in ("created_at", "updated_at"):
        value = document.get(name)
        if value is not None and (not isinstance(value, str) or parse_datetime(value) is None):
            raise DocumentError(f"{where}.{name} is not a date and time")
    segments = document.get("segments")
    if not isinstance(segments, list):
        raise DocumentError(f"{where}.segments is not a list")
    for s, segment in enumerate(segments):
        if not isinstance(segment, dict) or not isinstance(segment.get("relationships"), list):
            raise DocumentError(f"{where}.segments[{s}] has no list of relationships")
        for r, relationship in enumerate(segment["relationships"]):
            at = f"{where}.segments[{s}].relationships[{r}]"
            if not isinstance(relationship, dict) or not isinstance(
                relationship.get("costs"), list
            ):
                raise DocumentError(f"{at} has no list of costs")
            goals = relationship.get("goals")
            if not isinstance(goals, list) or not all(isinstance(g, str) for g in goals):
                raise DocumentError(f"{at}.goals is not a list of goal names")
            for c, cost in enumerate(relationship["costs"]):
                if not isinstance(cost, dict):
                    raise DocumentError(f"{at}.costs[{c}] is not an object")


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    return str(error) or type(error).__name__


def load_export(text: str) -> list[dict]:
    """The canvas documents of an export file's text; CommandError if it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"The file is not valid JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise CommandError(f"The file is not a canvas export (its format is not {EXPORT_FORMAT}).")
    if data.get("version") != EXPORT_VERSION:
        raise CommandError(
            f"The file is a canvas export of version {data.get('version')!r}; "
            f"this version of the product reads version {EXPORT_VERSION}."
        )
    canvases = data.get("canvases")
    if not isinstance(canvases, list):
        raise CommandError("The file has no list of canvases.")
    for index, document in enumerate(canvases):
        try:
            _check_shape(document, f"canvases[{index}]")
        except DocumentError as error:
            raise CommandError(f"The file is not a valid canvas export: {error}.") from None
    return canvases


@transaction.atomic
def import_documents(owner, documents: list[dict]) -> list[Canvas]:
    """Create every canvas for ``owner``, or none: the first invalid one raises CommandError."""
    created = []
    for index, document in enumerate(documents):
        try:
            canvas = create_canvas_from_document(owner, document)
        except (
            DocumentError,
            ValidationError,
            KeyError,
            TypeError,
            ValueError,
            InvalidOperation,
            DatabaseError,
        ) as error:
            title = document.get("title")
            raise CommandError(
                f"Canvas {index + 1} ({title!r}) cannot be imported: {_describe(error)}. "
                "Nothing was imported."
            ) from None
        dates = {
            name: parse_datetime(document[name])
            for name in ("created_at", "updated_at")
            if document.get(name)
        }
        if dates:
            Canvas.objects.filter(pk=canvas.pk).update(**dates)
        created.append(canvas)
    return created


class Command(BaseCommand):
    help = "Import canvases from a file written by export_canvases; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username who will own the canvases")
        parser.add_argument("file", help="export file to read, or - for stdin")

    def handle(self, *args, user: str, file: str, **options):
        User = get_user_model()
        try:
            owner = User._default_manager.get_by_natural_key(user)
        except User.DoesNotExist:
            raise CommandError(f"There is no user named {user!r}.") from None
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file!r}: {error}") from None
        created = import_documents(owner, load_export(text))
        self.stdout.write(f"Imported {len(created)} canvas(es) for {user}.")
