"""The PDF is tagged and accessible (PDF/UA-1): structure tree, language, title, embedded fonts.

Both layouts and both sizes, in Spanish and English. The report is stitched from two WeasyPrint
documents (``render_pdf``), so its structure tree must still cover every page.
"""

import io
import logging
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, IndirectObject, NameObject

from relationships.block import Block
from relationships.models import Relationship
from relationships.pdf.render import PdfOptions, render_pdf
from relationships.sample import create_sample_canvas
from tests.factories import make_canvas, make_relationship, make_segment

pytestmark = pytest.mark.django_db

TITLE = "Panadería La Espiga"
SUFFIX = {"en": "Customer Relationships", "es": "Relaciones con los clientes"}
needs_poppler = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="needs poppler-utils (.ci/run has it)",
)


@pytest.fixture
def block(user):
    return Block.load(create_sample_canvas(user).pk)


def render(block, layout: str, size: str = "a4") -> bytes:
    """The PDF in English, the language of the tests (``tests/conftest.py``)."""
    return render_pdf(block, PdfOptions(layout=layout, size=size))


def reader_of(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def fonts_of(reader: PdfReader) -> dict[str, bool]:
    """Each font of the pages (and of their form XObjects): is its font file in the PDF?"""
    fonts, seen = {}, set()

    def look_in(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if font["/Subtype"] == "/Type3":  # glyphs drawn by the file itself
                fonts[str(font.get("/Name", "Type3"))] = True
                continue
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described.get("/FontDescriptor")
            descriptor = {} if descriptor is None else descriptor.get_object()
            files = ("/FontFile", "/FontFile2", "/FontFile3")
            fonts[str(font["/BaseFont"])] = any(name in descriptor for name in files)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            number = xobject.indirect_reference.idnum if xobject.indirect_reference else None
            if "/Resources" in xobject and number not in seen:
                seen.add(number)
                look_in(xobject["/Resources"])

    for page in reader.pages:
        look_in(page.get("/Resources"))
    return fonts


def struct_pages(reader: PdfReader) -> set[int]:
    """The pages (0-based) that structure elements reachable from the StructTreeRoot are on."""
    numbers = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    pages, stack = set(), [reader.trailer["/Root"]["/StructTreeRoot"].raw_get("/K")]
    while stack:
        kid = stack.pop()
        if isinstance(kid, IndirectObject):
            kid = kid.get_object()
        if isinstance(kid, list):
            stack.extend(kid)
        elif isinstance(kid, DictionaryObject):
            if "/Pg" in kid:
                pages.add(numbers[kid.raw_get("/Pg").idnum])
            if "/K" in kid:
                stack.append(kid.raw_get("/K"))
    return pages


# --- tagged, with language, title and fonts -----------------------------------------------


@pytest.mark.parametrize("size", ["a4", "wide"])
@pytest.mark.parametrize("layout", ["pitch", "report"])
def test_every_pdf_is_tagged_pdf_ua_with_language_title_and_embedded_fonts(block, layout, size):
    reader = reader_of(render(block, layout, size))
    catalog = reader.trailer["/Root"]

    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/StructTreeRoot"]["/K"]
    assert catalog["/Lang"] == "en"
    assert reader.metadata.title == f"{TITLE} · {SUFFIX['en']}"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True  # title, not file name
    assert 'pdfuaid:part="1"' in reader.xmp_metadata.stream.get_data().decode()
    fonts = fonts_of(reader)
    assert fonts
    assert all(fonts.values()), fonts


@pytest.mark.parametrize("layout", ["pitch", "report"])
def test_the_language_of_the_request_is_the_language_of_the_pdf(client, user, locmem_cache, layout):
    canvas = create_sample_canvas(user)
    client.force_login(user)
    client.cookies["django_language"] = "es"
    response = client.get(reverse("canvas_pdf", args=[canvas.pk]), {"layout": layout})
    reader = reader_of(response.content)
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert reader.metadata.title == f"{TITLE} · {SUFFIX['es']}"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"].value is True
    fonts = fonts_of(reader)
    assert fonts
    assert all(fonts.values()), fonts


def test_a_font_without_its_file_is_found():
    """The check of the test above does see a font that is not embedded."""
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    helvetica = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(helvetica)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    pdf = io.BytesIO()
    writer.write(pdf)
    assert fonts_of(reader_of(pdf.getvalue())) == {"/Helvetica": False}


# --- the stitched report is one structure ---------------------------------------------------


def test_the_structure_tree_of_a_report_covers_every_page(block):
    reader = reader_of(render(block, "report"))
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    parents = tree["/ParentTree"]["/Nums"]
    parents = dict(zip(parents[::2], parents[1::2], strict=True))

    assert len(reader.pages) > 2  # the pitch page, then pages of the report's own document
    assert struct_pages(reader) == set(range(len(reader.pages)))
    for page in reader.pages:  # every piece of marked content has its structure element
        marked = re.findall(rb"/MCID (\d+)", page.get_contents().get_data())
        assert marked
        assert len(parents[page["/StructParents"]]) == len(marked)


@needs_poppler
def test_the_structure_and_the_text_read_in_order(block, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(render(block, "report"))
    structure = subprocess.run(
        ["pdfinfo", "-struct-text", path], capture_output=True, text=True, check=True
    ).stdout
    text = subprocess.run(
        ["pdftotext", path, "-"], capture_output=True, text=True, check=True
    ).stdout
    in_order = [
        "Customer Relationships · Business Model Canvas".upper(),  # the pitch page's heading
        TITLE,
        "Familias del barrio",  # the segments, as on the canvas
        "Oficinas del centro",
        "The venture and its value proposition",  # then the report
        "What effect do we want on the market?",
        "Hogares a menos de 1 km",  # the first segment's answers
        "What the relationships cost",
        "Horas de mostrador",
    ]
    for extracted in (structure, text):
        places = [extracted.find(words) for words in in_order]
        assert -1 not in places, [w for w, p in zip(in_order, places, strict=True) if p < 0]
        assert places == sorted(places)
    assert "H1" in structure
    assert "Figure" in structure  # the charts


# --- the type icons are backgrounds: decoration, not figures without alt text ----------------


def test_a_tagged_render_logs_no_weasyprint_error(block, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render(block, "pitch")  # a type icon on each relationship's tile
        render(block, "report")
    assert [r.getMessage() for r in caplog.records if r.name == "weasyprint"] == []


def images_of(reader: PdfReader) -> set[int]:
    """The image objects the pages draw, directly or through forms and patterns."""
    images, seen = set(), set()

    def look_in(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for kind in ("/XObject", "/Pattern"):
            for reference in (resources.get(kind) or {}).values():
                number = reference.idnum
                if number in seen:
                    continue
                seen.add(number)
                thing = reference.get_object()
                if thing.get("/Subtype") == "/Image":
                    images.add(number)
                elif "/Resources" in thing:
                    look_in(thing["/Resources"])

    for page in reader.pages:
        look_in(page.get("/Resources"))
    return images


def test_each_type_icon_is_one_image_in_the_file_however_many_show_it(user, caplog):
    """The icons are PNGs (scripts/pdf_icons.py): the file holds each once, or once for the pitch
    page and once for the report, whatever the number of relationships; an SVG was drawn at each
    use."""
    canvas = make_canvas(user, title="Icons")
    for number in range(3):
        segment = make_segment(canvas, name=f"Segment {number}")
        for kind in Relationship.Type.values:
            make_relationship(segment, type=kind)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render(Block.load(canvas.pk), "report")
    assert [r.getMessage() for r in caplog.records if r.name == "weasyprint"] == []
    types = len(Relationship.Type.values)
    assert types <= len(images_of(reader_of(pdf))) <= 2 * types  # not 42 uses on each part
