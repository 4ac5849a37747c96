"""Print how long the PDF export takes, against WeasyPrint alone and from the cache."""

import statistics
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import RequestFactory
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from relationships.block import Block
from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.pdf.fetcher import lay_out
from relationships.pdf.planner import plan_pitch
from relationships.pdf.render import (
    LAYOUTS,
    PDF_OPTIONS,
    PdfOptions,
    font_subsetter,
    gc_paused,
    pdf_html,
)
from relationships.sample import create_sample_canvas
from relationships.views.export import canvas_pdf


def _large_canvas(owner, segments: int = 10, relationships: int = 7, costs: int = 3) -> Canvas:
    types = Relationship.Type.values
    canvas = Canvas.objects.create(owner=owner, title="Large canvas", description="A bench")
    for s in range(segments):
        segment = Segment.objects.create(
            canvas=canvas, name=f"Segment {s}", customer_count=100, average_spend=Decimal(5)
        )
        for r in range(relationships):
            relationship = Relationship(
                segment=segment,
                type=types[(s + r) % len(types)],
                contact="direct",
                reach="individual",
                bond="long_term",
                state="planned" if r % 2 else "established",
                interaction="A weekly call with each customer. " * 5,
            )
            relationship.goals = ["acquisition", "retention"]
            relationship.save()
            CostItem.objects.bulk_create(
                CostItem(
                    relationship=relationship,
                    label=f"Cost {c}",
                    amount=Decimal(40 + c),
                    frequency=CostItem.Frequency.values[c % 3],
                    position=c,
                )
                for c in range(costs)
            )
    return canvas


# What --canvas names: the label printed and how the canvas is made.
CANVASES = {
    "sample": ("sample", create_sample_canvas),
    "large": ("large 10x7x3", _large_canvas),
}


class Command(BaseCommand):
    help = "Benchmark the PDF export of the sample and of a large canvas (nothing is kept)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument("--layout", choices=LAYOUTS, default="pitch")
        parser.add_argument(
            "--canvas",
            choices=("all", *CANVASES),
            default="all",
            help="one canvas only (the large report alone: --layout report --canvas large)",
        )

    def handle(self, *args, runs: int, layout: str, canvas: str, **options) -> None:
        subsetter = font_subsetter()
        hint = "" if subsetter == "HarfBuzz" else " (apt-get install libharfbuzz-subset0: faster)"
        self.stdout.write(f"Fonts subset by {subsetter}{hint}")
        with transaction.atomic(), translation.override("es"):
            owner = get_user_model().objects.create_user("bench-pdf-owner")
            for name, (label, make) in CANVASES.items():
                if canvas in ("all", name):
                    self._bench(label, make(owner), owner, runs, layout)
            transaction.set_rollback(True)  # leave the database as it was

    def _bench(self, name: str, canvas: Canvas, owner, runs: int, layout: str) -> None:
        factory = RequestFactory()
        options = PdfOptions(layout=layout)

        def export():
            request = factory.get(f"/canvases/{canvas.pk}/export.pdf?layout={layout}")
            request.user = owner
            request.htmx = HtmxDetails(request)  # what django-htmx's middleware adds
            response = canvas_pdf(request, canvas.pk)
            assert response.status_code == 200
            return response

        def weasyprint_alone():
            # The same HTML, stylesheet and fonts: what is left is WeasyPrint's own work, with
            # the garbage collector held off as the export holds it off (render_pdf).
            with gc_paused():
                lay_out(html).write_pdf(**PDF_OPTIONS)  # tagged, like the export

        block = Block.load(canvas.pk)
        html = pdf_html(block, options, plan_pitch(block, options.size))
        weasyprint_alone()  # warm up: imports, fonts
        exports, alone, cached = [], [], []
        for _ in range(runs):
            cache.clear()
            exports.append(_timed(export))
            alone.append(_timed(weasyprint_alone))
        for _ in range(runs * 3):
            cached.append(_timed(export))
        median_export, median_alone = statistics.median(exports), statistics.median(alone)
        self.stdout.write(
            f"{name} ({layout}): export median {median_export:.0f} ms,"
            f" WeasyPrint alone {median_alone:.0f} ms,"
            f" ratio {median_export / median_alone:.2f}"
            f" (overhead {100 * (median_export / median_alone - 1):+.0f}%),"
            f" cached export {statistics.median(cached):.1f} ms"
        )


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000
