"""Read a file written by ``export_canvases`` and create its canvases for a user.

    python manage.py import_canvases --user ana ana-canvases.json

Everything is checked before anything is kept: one bad canvas and nothing is written, and the
message says which canvas and which field. Imported canvases get new ids; their content, order
and dates are those of the file.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from relationships.document import DocumentError, create_canvas_from_document, validate_document
from relationships.management.commands.export_canvases import EXPORT_FORMAT, EXPORT_VERSION
from relationships.models import Canvas


def _number(digits: str) -> int | Decimal:
    """A JSON integer; past Python's limit on int(), a Decimal, which the document refuses with
    the canvas and field it is in (instead of a ValueError for the whole file)."""
    limit = sys.get_int_max_str_digits()  # 0: no limit
    return int(digits) if not limit or len(digits) <= limit else Decimal(digits)


def _read_json(text: str):
    try:
        return json.loads(text, parse_int=_number, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise CommandError(f"The file is not valid JSON: {error}") from None
    except RecursionError:
        raise CommandError(
            "The file is nested too deeply to be a canvas export (lists or objects inside "
            "each other thousands of times). Nothing was imported."
        ) from None


def load_export(text: str) -> list[dict]:
    """The clean canvas documents of an export file's text; CommandError if it is not one.

    Every canvas is validated (``validate_document``) before anything is written; the error
    names the canvas and the field.
    """
    data = _read_json(text)
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise CommandError(f"The file is not a canvas export (its format is not {EXPORT_FORMAT}).")
    version = data.get("version")
    if type(version) is not int or version != EXPORT_VERSION:
        small = type(version) is int and abs(version) < 10**9  # a huge int cannot even be printed
        which = f"version {version}" if small else "another version"
        raise CommandError(
            f"The file is a canvas export of {which}; "
            f"this version of the product reads version {EXPORT_VERSION}."
        )
    canvases = data.get("canvases")
    if not isinstance(canvases, list):
        raise CommandError("The file has no list of canvases.")
    documents = []
    for index, document in enumerate(canvases):
        try:
            documents.append(validate_document(document, where=f"canvas {index + 1}"))
        except DocumentError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
    return documents


@transaction.atomic
def import_documents(owner, documents: list[dict]) -> list[Canvas]:
    """Create every canvas for ``owner``, or none: the first that fails raises CommandError.

    ``documents`` are clean (``load_export``); their dates are kept.
    """
    created = []
    for index, document in enumerate(documents):
        try:
            canvas = create_canvas_from_document(owner, document)
        except (DocumentError, DatabaseError) as error:
            raise CommandError(
                f"Canvas {index + 1} cannot be imported: {error} Nothing was imported."
            ) from None
        dates = {
            name: document[name] for name in ("created_at", "updated_at") if document.get(name)
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
