"""What makes the PDF quicker to lay out changes nothing on its pages.

``lay_out`` styles the document with a lighter copy of WeasyPrint's own stylesheet for HTML, and
``pdf_html`` leaves one space where the templates' indentation was: WeasyPrint lays the result
out box for box as it lays out the templates' own HTML with its own stylesheet.
"""

import re

import pytest
from django.utils import translation

from relationships.block import Block
from relationships.pdf import fetcher
from relationships.pdf import render as pdf_render
from relationships.pdf.planner import plan_pitch
from relationships.sample import create_sample_canvas
from tests.factories import make_canvas, make_cost, make_relationship, make_segment

pytestmark = pytest.mark.django_db


def boxes(document) -> list[list[tuple]]:
    """Each page's boxes: kind, place, size and text, in the order they are drawn."""

    def walk(box):
        yield (
            type(box).__name__,
            *(round(getattr(box, name), 3) for name in ("position_x", "position_y", "width")),
            round(box.height, 3),
            getattr(box, "text", None),
        )
        for child in getattr(box, "children", ()):
            yield from walk(child)

    return [list(walk(page._page_box)) for page in document.pages]


def stock_lay_out(html: str):
    """WeasyPrint as it comes: its own stylesheet for HTML, ``pdf.css``, the same fetcher."""
    from weasyprint import HTML

    font_config, stylesheet = fetcher.pdf_stylesheet()
    document = HTML(
        string=html, base_url=fetcher.static_base_url(), url_fetcher=fetcher.static_fetcher()
    )
    return document.render(font_config=font_config, stylesheets=[stylesheet])


@pytest.mark.parametrize("size", ["a4", "wide"])
def test_the_report_lays_out_as_weasyprint_lays_out_the_templates(user, monkeypatch, size):
    block = Block.load(create_sample_canvas(user).pk)
    options = pdf_render.PdfOptions(layout="report", size=size)
    plan = plan_pitch(block, size)
    html = pdf_render.pdf_html(block, options, plan)
    monkeypatch.setattr(pdf_render, "BETWEEN_TAGS", re.compile("(?!)"))  # matches nothing
    as_written = pdf_render.pdf_html(block, options, plan)
    assert len(html) < 0.9 * len(as_written)  # the indentation is gone

    ours, stock = fetcher.lay_out(html), stock_lay_out(as_written)
    assert len(ours.pages) == len(stock.pages) > 3
    assert boxes(ours) == boxes(stock)


def test_the_lighter_stylesheet_is_ours_alone_and_keeps_the_markers_of_list_items():
    from weasyprint import HTML

    ours = fetcher.ua_stylesheet()
    assert fetcher._html_class()(string="<p>")._ua_stylesheets() == [ours]
    stock = HTML(string="<p>")._ua_stylesheets()
    assert stock != [ours]  # WeasyPrint's own documents keep WeasyPrint's own stylesheet
    assert len(ours.page_rules) == len(stock[0].page_rules)
    document = fetcher.lay_out(
        '<html lang="en"><body><ul style="list-style: disc"><li>One</li></ul></body></html>'
    )
    markers = [
        box for box in document.pages[0]._page_box.descendants() if box.element_tag == "li::marker"
    ]
    assert markers


def test_a_relationship_head_keeps_its_cost_clear_of_its_type_and_state(user):
    """The cost is placed at the right end of the head's line: the longest type, state and
    costs the editor accepts still leave room between them, in the narrower page size."""
    canvas = make_canvas(user, title="Costs", currency="UYU")
    segment = make_segment(canvas, name="Segment")
    relationship = make_relationship(segment, type="dedicated", state="established")
    for _ in range(40):
        make_cost(relationship, amount="99999999.99", frequency="monthly")
        make_cost(relationship, amount="99999999.99", frequency="one_off")
    block = Block.load(canvas.pk)
    for language in ("es", "en"):
        with translation.override(language):
            html = pdf_render.pdf_html(
                block, pdf_render.PdfOptions(layout="report"), plan_pitch(block), "report"
            )
            heads = [
                box
                for page in fetcher.lay_out(html).pages
                for box in page._page_box.descendants()
                if type(box).__name__ == "BlockBox"
                and "report-relationship-head" in (box.element.get("class") or "")
            ]
        assert len(heads) == 1
        line = heads[0].children[0]
        *left, cost = line.children
        assert "report-cost" in cost.element.get("class")
        assert "99" in "".join(getattr(b, "text", "") for b in cost.descendants())
        written = max(box.position_x + box.margin_width() for box in left)
        assert written + 20 < cost.position_x, language
        right = heads[0].content_box_x() + heads[0].width  # inside the padding, after the icon
        assert cost.position_x + cost.margin_width() <= right + 0.01


@pytest.mark.parametrize("size", ["a4", "wide"])
def test_the_table_of_costs_keeps_its_largest_figures_and_long_words_inside_their_cells(user, size):
    """The table of costs has fixed column widths: the columns of amounts widen to fit the
    largest totals the editor allows, the headings fit on one line, and a long word in a name
    breaks inside its cell."""
    canvas = make_canvas(user, title="Costs", currency="UYU")
    segment = make_segment(canvas, name="Supercalifragilisticexpialidociousandsomemore" * 2)
    relationship = make_relationship(segment, type="dedicated", state="established")
    for _ in range(40):
        make_cost(relationship, amount="99999999.99", frequency="monthly")
        make_cost(relationship, amount="99999999.99", frequency="one_off")
    block = Block.load(canvas.pk)
    for language in ("es", "en"):
        with translation.override(language):
            html = pdf_render.pdf_html(
                block,
                pdf_render.PdfOptions(layout="report", size=size),
                plan_pitch(block),
                "report",
            )
            pages = fetcher.lay_out(html).pages
        tables = [
            box
            for page in pages
            for box in page._page_box.descendants()
            if type(box).__name__ == "TableBox"
            and "costs-table" in (box.element.get("class") or "")
        ]
        cells = [
            box
            for table in tables
            for box in table.descendants()
            if type(box).__name__ == "TableCellBox"
        ]
        assert any("UYU" in _text(cell) or "$U" in _text(cell) for cell in cells)
        for cell in cells:
            for text in (box for box in cell.descendants() if type(box).__name__ == "TextBox"):
                right = text.position_x + text.margin_width()
                assert cell.content_box_x() - 0.01 <= text.position_x, (language, text.text)
                assert right <= cell.content_box_x() + cell.width + 0.01, (language, text.text)
        headings = [
            cell
            for table in tables
            for group in table.children
            if group.element_tag == "thead"
            for row in group.children
            for cell in row.children
        ]
        assert len(headings) >= 5
        assert all(len(cell.children) == 1 for cell in headings)  # one line each


def _text(box) -> str:
    return "".join(getattr(b, "text", "") for b in box.descendants())


@pytest.mark.parametrize("size", ["a4", "wide"])
def test_the_pitch_figures_labels_stay_clear_of_their_amounts(user, size):
    """A label of the pitch page's three figures takes three lines in Spanish ("Coste de
    funcionamiento al año"): its box holds them, above the amount, which it never overlaps."""
    block = Block.load(create_sample_canvas(user).pk)
    for language in ("es", "en"):
        with translation.override(language):
            options = pdf_render.PdfOptions(layout="pitch", size=size)
            html = pdf_render.pdf_html(block, options, plan_pitch(block, size))
            labels = [
                box
                for box in fetcher.lay_out(html).pages[0]._page_box.descendants()
                if type(box).__name__ == "BlockBox"
                and "kpi-label" in (box.element.get("class") or "")
            ]
        assert len(labels) == 3, language
        for label in labels:
            text_bottom = max(line.position_y + line.height for line in label.children)
            box_bottom = label.position_y + label.padding_top + label.height
            assert text_bottom <= box_bottom + 0.01, (language, label.element.text)
