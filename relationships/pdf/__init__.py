"""The block as a designed PDF: a one-page pitch layout, or the pitch page and a full report.

The rooms:

- ``fetcher``: what WeasyPrint may read (our ``static/`` folder only) and the stylesheet;
- ``planner``: how the pitch page fits the block on one page, and what it must shorten;
- ``render``: the HTML of a ``Block`` and WeasyPrint's layout of it;
- ``cache``: one PDF of one revision of a canvas, or of a submission, kept in the cache.

Every part reads a ``relationships.block.Block``: a live canvas and a submission print alike.
"""

from relationships.pdf.cache import PdfExport
from relationships.pdf.render import PdfOptions, render_pdf

__all__ = ["PdfExport", "PdfOptions", "render_pdf"]
