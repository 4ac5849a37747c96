"""One PDF of one version of a block: its cache key, ETag, file name and bytes.

A live canvas's PDF is kept per revision (``relationships.writes`` bumps it on every change);
a submission never changes, so its PDF is kept per submission. Both per layout, page size and
language. The block is read only when the PDF is not in the cache yet.

Each export also knows its ``source`` (what it is the PDF of, by primary key), so that a worker
of the job queue (``relationships.pdf.jobs``) can build the same export again in its own process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import cache as django_cache
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, pgettext

from relationships.block import Block
from relationships.pdf.render import PdfOptions, render_pdf

# Bump when the templates or the stylesheet change, so no cached PDF outlives a deploy.
RENDER_VERSION = 8
CACHE_SECONDS = 60 * 60 * 24 * 7


class PdfExport:
    """The PDF of the block ``load()`` gives, known in the cache as ``what``.

    ``what`` names the version of the block (it must change whenever the block does);
    ``title`` and ``changed`` give the file name and Last-Modified; a submission's PDF says
    when it was ``handed_in``.
    """

    def __init__(
        self,
        what: str,
        title: str,
        changed: datetime,
        load: Callable[[], Block],
        options: PdfOptions,
        language: str | None = None,
        handed_in: datetime | None = None,
        source: tuple[str, int] | None = None,
    ) -> None:
        self.title, self.changed, self.load, self.options = title, changed, load, options
        self.handed_in, self.source = handed_in, source
        self.language = language or get_language() or settings.LANGUAGE_CODE
        self.key = f"pdf:{RENDER_VERSION}:{what}:{options.layout}:{options.size}:{self.language}"

    @classmethod
    def of_canvas(cls, canvas, options: PdfOptions, language: str | None = None) -> PdfExport:
        """The PDF of a live canvas at its revision (from the canvas row, without its block)."""
        return cls(
            f"canvas:{canvas.pk}:{canvas.revision}",
            canvas.title,
            canvas.updated_at,
            lambda: Block.load(canvas.pk),
            options,
            language,
            source=("canvas", canvas.pk),
        )

    @classmethod
    def of_submission(cls, submission, options: PdfOptions, language: str | None = None):
        """The PDF of a submission: the block as it was handed in, whatever the canvas is now."""
        return cls(
            f"submission:{submission.pk}",
            submission.block.title,
            submission.submitted_at,
            lambda: submission.block,
            options,
            language,
            handed_in=submission.submitted_at,
            source=("submission", submission.pk),
        )

    @classmethod
    def of_link(cls, link, options: PdfOptions, language: str | None = None) -> PdfExport:
        """The PDF behind a read-only link: its frozen copy, or the live canvas it follows."""
        if not link.is_frozen:
            return cls.of_canvas(link.canvas, options, language)
        block = Block.from_document(link.document)
        return cls(
            f"link:{link.pk}",
            block.title,
            link.created_at,
            lambda: block,
            options,
            language,
            source=("link", link.pk),
        )

    @classmethod
    def from_source(cls, source: tuple[str, int], options: PdfOptions, language: str):
        """The export ``source`` names, read again from the database (by a queue's worker).

        Raises ``ObjectDoesNotExist`` if what it names is gone by now.
        """
        kind, pk = source
        if kind == "canvas":
            canvas = apps.get_model("relationships", "Canvas").objects.get(pk=pk)
            return cls.of_canvas(canvas, options, language)
        if kind == "submission":
            submission = apps.get_model("classrooms", "Submission").objects.get(pk=pk)
            return cls.of_submission(submission, options, language)
        if kind == "link":
            link = apps.get_model("teams", "ShareLink").objects.select_related("canvas").get(pk=pk)
            return cls.of_link(link, options, language)
        raise LookupError(f"no PDF source of kind {kind!r}")

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.key.encode()).hexdigest()[:32] + '"'

    @property
    def last_modified(self) -> float:
        return self.changed.timestamp()

    @property
    def filename(self) -> str:
        """E.g. ``panaderia-la-espiga-relaciones-con-clientes-a4-2026-03-12.pdf``: size and day."""
        what = slugify(pgettext("PDF file name", "customer-relationships"))
        if self.options.layout == "report":
            what += "-" + slugify(pgettext("PDF file name", "report"))
        size = "a4" if self.options.size == "a4" else "16x9"
        day = timezone.localtime(self.changed).date().isoformat()
        return f"{slugify(self.title)[:60] or 'canvas'}-{what}-{size}-{day}.pdf"

    def cached(self) -> bytes | None:
        """The PDF of this version if it was rendered before (and is still in the cache)."""
        return django_cache.get(self.key)

    def render(self) -> bytes:
        """Render the PDF in the active language and keep it in the cache."""
        pdf = render_pdf(self.load(), self.options, self.handed_in)
        django_cache.set(self.key, pdf, CACHE_SECONDS)
        return pdf
