"""Write every canvas of one user to a versioned JSON file: a backup, or a move to another server.

    python manage.py export_canvases --user ana --output ana-canvases.json

The file is ``{"format": "relationship-canvas-export", "version": 1, "canvases": [...]}``, each
canvas being its canonical document (``relationships/document.py``) plus its ``created_at``.
``import_canvases`` reads it back.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from relationships.document import canvas_document
from relationships.models import Canvas

EXPORT_FORMAT = "relationship-canvas-export"
EXPORT_VERSION = 1


def export_document(user) -> dict:
    """Every canvas of ``user``, oldest first, as one JSON-ready dict. Four queries."""
    canvases = Canvas.objects.for_user(user).with_block().order_by("created_at", "pk")
    documents = []
    for canvas in canvases:
        document = canvas_document(canvas)
        document["created_at"] = canvas.created_at.isoformat()
        documents.append(document)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "user": user.get_username(),
        "canvases": documents,
    }


class Command(BaseCommand):
    help = "Export a user's canvases to a versioned JSON file (import_canvases reads it back)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username whose canvases to export")
        parser.add_argument("--output", required=True, help="file to write, or - for stdout")

    def handle(self, *args, user: str, output: str, **options):
        User = get_user_model()
        try:
            owner = User._default_manager.get_by_natural_key(user)
        except User.DoesNotExist:
            raise CommandError(f"There is no user named {user!r}.") from None
        document = export_document(owner)
        count = len(document["canvases"])
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output == "-":
            sys.stdout.write(text)
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"The folder {str(target.parent)!r} does not exist.")
        # Write beside the target, then rename: a crash never leaves half a backup.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stdout.write(f"Exported {count} canvas(es) of {user} to {target}.")
