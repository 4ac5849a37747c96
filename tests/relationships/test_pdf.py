"""The PDF export: what the pages say, their size and count, safety, access and the cache."""

import io
import subprocess
import sys
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from relationships.block import Block
from relationships.pdf import cache as pdf_cache
from relationships.pdf import fetcher, jobs
from relationships.pdf import render as pdf_render
from relationships.sample import create_sample_canvas
from relationships.writes import change_block
from tests.factories import make_block, make_canvas, make_cost, make_relationship, make_segment
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(locmem_cache):
    """Every test here starts with no PDF in the cache."""


@pytest.fixture
def sample(user):
    return create_sample_canvas(user)


@pytest.fixture
def renders(monkeypatch):
    """Count the calls to WeasyPrint's rendering."""
    calls = []
    render = pdf_cache.render_pdf

    def counted(canvas, options, *args):
        calls.append(options)
        return render(canvas, options, *args)

    monkeypatch.setattr(pdf_cache, "render_pdf", counted)
    return calls


def export(client, canvas, **params):
    return client.get(reverse("canvas_pdf", args=[canvas.pk]), params)


def read(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def page_size(reader: PdfReader, index: int = 0) -> tuple[int, int]:
    box = reader.pages[index].mediabox
    return round(float(box.width)), round(float(box.height))


# --- what the pages say -------------------------------------------------------------------


def test_pitch_page_shows_the_block_in_english(owner_client, sample):
    reader = read(export(owner_client, sample))
    text = text_of(reader)
    assert len(reader.pages) == 1
    for words in [
        "Panadería La Espiga",
        "Familias del barrio",
        "Oficinas del centro",
        "Personal assistance",
        "Dedicated personal assistance",
        "Automated services",
        "Communities",
        "Retention",
        "Planned",
        "Established",
        "€550.00",  # set-up, canvas
        "€26,400.00",  # running cost per year, canvas
        "€479,000.00",  # value of the segments per year
        "€15,120.00",  # per year, first segment
        "€14,400.00",  # per year, one relationship
        "Strategyzer",
        "CC BY-SA",
    ]:
        assert words in text, words


def test_pitch_page_in_spanish_formats_money_the_spanish_way(client, user, sample):
    client.force_login(user)
    client.cookies["django_language"] = "es"
    text = text_of(read(export(client, sample)))
    assert "Familias del barrio" in text
    assert "Oficinas del centro" in text
    assert "26.400,00\xa0€" in text or "26.400,00 €" in text
    assert "15.120,00" in text


def test_full_report_has_every_answer_and_the_cost_table(owner_client, sample):
    reader = read(export(owner_client, sample, layout="report"))
    text = text_of(reader)
    assert len(reader.pages) > 1
    assert "La suscripción y el reparto usan la misma ruta" in text  # business fit
    assert "la panadería que se sabe tu nombre" in text  # market effect
    assert "Hogares a menos de 1 km" in text  # a segment's description
    assert "Que les atiendan por su nombre" in text  # its expectation
    assert "Marta conoce a los habituales" in text  # how we interact
    assert "Horas de mostrador" in text  # a cost item
    assert "€2,160.00" in text  # total per month: 1200 + 60 + 900
    assert "€26,400.00" in text  # total per year
    assert f"of {len(reader.pages)}" in text  # page numbers


def test_the_cost_table_names_each_relationship_once_and_lists_every_cost(owner_client, user):
    canvas = make_canvas(user, title="Costs", currency="EUR")
    cafes = make_segment(canvas, name="Corner cafés")
    personal = make_relationship(cafes, type="personal", interaction="We visit.")
    make_cost(personal, amount="1200", frequency="monthly", label="Barista hours")
    make_cost(personal, amount="500", frequency="one_off", label="Training day")
    make_cost(personal, amount="90", frequency="yearly", label="Loyalty cards")
    communities = make_relationship(cafes, type="communities", interaction="We meet.")
    make_cost(communities, amount="60", frequency="monthly", label="Meetup room")
    make_relationship(make_segment(canvas, name="Offices"), type="automated")  # no cost

    text = text_of(read(export(owner_client, canvas, layout="report")))
    table = text[text.index("What the relationships cost") : text.index("The numbers of the block")]

    for once in ("Corner cafés", "Personal assistance", "Communities"):
        assert table.count(once) == 1, once
    assert "Offices" not in table  # no cost, no row
    for line in (
        "Barista hours: €1,200.00 a month",
        "Training day: €500.00 to set up",
        "Loyalty cards: €90.00 a year",
        "Meetup room: €60.00 a month",
    ):
        assert line in table
    assert "€500.00 €1,200.00 €14,490.00" in table  # the relationship's set-up, month and year
    assert "€500.00 €1,260.00 €15,210.00" in table  # the totals


def test_latvian_letters_are_real_text_in_an_embedded_font(owner_client, user):
    canvas = make_canvas(user, title="Kafejnīca ā ē ī ū š ž ņ ļ ķ ģ č")
    reader = read(export(owner_client, canvas))
    assert "ā ē ī ū š ž ņ ļ ķ ģ č" in text_of(reader)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [font.get_object()["/DescendantFonts"][0].get_object() for font in fonts.values()]
    # Only the shipped fonts, loaded by @font-face under our family names: no system fallback.
    assert all(d["/BaseFont"].split("+")[1].startswith("Canvas-") for d in descriptors)
    assert all("/FontFile2" in d["/FontDescriptor"] for d in descriptors)


# --- page size and count ------------------------------------------------------------------


@pytest.mark.parametrize(("size", "expected"), [("a4", (842, 595)), ("wide", (960, 540))])
@pytest.mark.parametrize("layout", ["pitch", "report"])
def test_page_size(owner_client, sample, layout, size, expected):
    reader = read(export(owner_client, sample, layout=layout, size=size))
    assert {page_size(reader, i) for i in range(len(reader.pages))} == {expected}


def test_unknown_options_fall_back_to_the_one_page_a4_pitch(owner_client, sample):
    reader = read(export(owner_client, sample, layout="poster", size="A0"))
    assert len(reader.pages) == 1
    assert page_size(reader) == (842, 595)


@pytest.mark.parametrize("size", ["a4", "wide"])
def test_twelve_segments_fit_one_readable_page(owner_client, user, size):
    canvas = make_block(user, segments=12, relationships=4, costs=1)
    text = text_of(read(export(owner_client, canvas, size=size)))
    assert len(read(export(owner_client, canvas, size=size)).pages) == 1
    assert all(f"Segment {s}" in text for s in range(12))
    assert "more relationship" not in text  # 48 relationships, all shown


@pytest.mark.parametrize("size", ["a4", "wide"])
def test_forty_relationships_of_one_segment_fit_one_page(owner_client, user, size):
    canvas = make_block(user, segments=1, relationships=40, costs=1)
    reader = read(export(owner_client, canvas, size=size))
    assert len(reader.pages) == 1
    assert text_of(reader).count("Personal assistance") >= 40


def test_what_cannot_fit_one_page_is_counted_not_cut_silently(owner_client, user):
    canvas = make_block(user, segments=2, relationships=60, costs=0)
    reader = read(export(owner_client, canvas))
    assert len(reader.pages) == 1
    assert "more relationships (see the full report)" in text_of(reader)


def test_long_texts_flow_over_report_pages(owner_client, user):
    canvas = make_block(user, segments=3, relationships=3, costs=2)
    canvas.business_fit = "Una frase larga sobre el modelo. " * 60
    canvas.title = "T" * 120  # no space to break at
    canvas.save()
    for segment in canvas.segments.all():
        long_name = "Un segmento con un nombre realmente largo, mucho más de lo normal " * 2
        segment.name = long_name[:120]
        segment.description = "Palabras. " * 190
        segment.save()
    pitch = read(export(owner_client, canvas))
    assert len(pitch.pages) == 1
    assert "…" in text_of(pitch)
    report = read(export(owner_client, canvas, layout="report"))
    assert len(report.pages) >= 5


def test_a_pitch_page_that_runs_over_is_laid_out_again_alone(owner_client, user, monkeypatch):
    import dataclasses

    canvas = make_block(user, segments=3, relationships=3, costs=2)
    real_plan, plans = pdf_render.plan_pitch, []

    def first_too_tall(*args, **kwargs):  # the first plan leaves far more room than the page has
        plan = real_plan(*args, **kwargs)
        plans.append(plan)
        return dataclasses.replace(plan, body_height=2000) if len(plans) == 1 else plan

    real_lay_out, parts = pdf_render.lay_out, []

    def recorded(html):
        parts.append("report" if 'class="pitch-page"' in html else "pitch")
        return real_lay_out(html)

    monkeypatch.setattr(pdf_render, "plan_pitch", first_too_tall)
    monkeypatch.setattr(pdf_render, "lay_out", recorded)
    reader = read(export(owner_client, canvas, layout="report"))
    assert parts == ["pitch", "pitch", "report"]  # the retry did not lay out the report again
    text = text_of(reader)
    assert f"Page 2 of {len(reader.pages)}" in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    assert "Segment 2" in reader.pages[0].extract_text()  # the pitch page, then the report
    assert "What the relationships cost" in text


def test_a_pitch_page_that_never_fits_comes_in_one_document_with_the_report(
    owner_client, user, monkeypatch
):
    import dataclasses

    canvas = make_block(user, segments=2, relationships=2, costs=1)
    real_plan = pdf_render.plan_pitch
    monkeypatch.setattr(
        pdf_render,
        "plan_pitch",
        lambda *a, **k: dataclasses.replace(real_plan(*a, **k), body_height=2000),
    )
    reader = read(export(owner_client, canvas, layout="report"))
    text = text_of(reader)
    assert f"of {len(reader.pages)}" in text  # the report's page numbers count every pitch page
    assert "What the relationships cost" in text


# --- the editor warns before export -------------------------------------------------------


def test_pitch_overflow_names_what_the_one_page_layout_shortens(user):
    canvas = make_canvas(user, title="V" * 100)
    segment = make_segment(canvas, name="S" * 60)
    make_segment(canvas, name="Short")
    for _ in range(70):
        make_relationship(segment)
    warnings = Block.load(canvas.pk).pitch_warnings
    anchors = [w.anchor for w in warnings]
    assert anchors.count("canvas-header") == 1
    assert anchors.count(segment.anchor) == 2  # its name, and relationships left out
    assert all("Short" not in w.text for w in warnings)


def test_what_the_pitch_page_leaves_out_follows_every_change_of_shape_and_language(user):
    """It is planned once per shape of the block and language, and never served for another."""
    canvas = make_canvas(user)
    segment = make_segment(canvas, name="Regulars")
    relationships = [make_relationship(segment) for _ in range(70)]

    def left_out() -> list[str]:
        return [w.text for w in Block.load(canvas.pk).pitch_warnings if "fit" in w.text]

    first = left_out()
    assert len(first) == 1
    assert "Regulars" in first[0]
    with translation.override("es"):
        spanish = [w.text for w in Block.load(canvas.pk).pitch_warnings]
    assert spanish
    assert all("fit" not in text for text in spanish)
    relationships.pop().delete()
    assert left_out() != first  # one relationship fewer left out
    segment.name = "Neighbours"
    segment.save()
    assert "Neighbours" in left_out()[0]
    for relationship in relationships[10:]:
        relationship.delete()
    assert left_out() == []


def test_canvas_page_offers_the_export_and_lists_what_is_too_long(owner_client, user):
    canvas = make_canvas(user, title="V" * 100)
    response = owner_client.get(reverse("canvas_detail", args=[canvas.pk]))
    assert reverse("canvas_pdf", args=[canvas.pk]) in response.text
    assert 'name="layout" value="report"' in response.text
    assert "too long for the one-page PDF" in response.text
    assert "The venture&#x27;s name is cut after 80 characters." in response.text


def test_canvas_page_has_no_warning_when_everything_fits(owner_client, sample):
    response = owner_client.get(reverse("canvas_detail", args=[sample.pk]))
    assert "too long for the one-page PDF" not in response.text


def test_the_warnings_follow_each_edit_without_a_reload(owner_client, canvas):
    segment = make_segment(canvas, name="Short")
    url = reverse("segment_edit", args=[segment.pk])
    long = owner_client.post(url, {"name": "N" * 70, "version": 1}, headers=HTMX)
    assert 'id="pitch-warnings" hx-swap-oob="true"' in long.text
    assert "1 item is too long for the one-page PDF" in long.text
    short = owner_client.post(url, {"name": "Short again", "version": 2}, headers=HTMX)
    assert 'id="pitch-warnings" hx-swap-oob="true"' in short.text
    assert "too long for the one-page PDF" not in short.text


# --- safety -------------------------------------------------------------------------------

TRICKS = [
    '<img src="http://example.com/tracker.png">',
    "url(file:///etc/passwd)",
    '<link rel="stylesheet" href="https://example.com/evil.css">',
    '<style>@import "file:///etc/passwd";</style>',
    '<object data="file:///etc/passwd"></object>',
]


@pytest.mark.parametrize("layout", ["pitch", "report"])
def test_user_text_is_text_and_never_fetched(owner_client, user, monkeypatch, layout):
    canvas = make_canvas(user, title=TRICKS[0], description=TRICKS[1], business_fit=TRICKS[3])
    segment = make_segment(canvas, name=TRICKS[2], description=TRICKS[4])
    make_cost(make_relationship(segment, interaction=" ".join(TRICKS)), label=TRICKS[1])
    fetchers = []
    real = fetcher.static_fetcher

    def recorded():
        fetchers.append(real())
        return fetchers[-1]

    monkeypatch.setattr(fetcher, "static_fetcher", recorded)
    text = text_of(read(export(owner_client, canvas, layout=layout)))
    requested = [url for fetcher in fetchers for url in fetcher.requested]
    assert requested  # the stylesheet, fonts and icons did go through the fetcher
    assert all(url.startswith(fetcher.static_base_url()) for url in requested), requested
    assert "example.com" not in " ".join(requested)
    assert "passwd" not in " ".join(requested)
    assert "http://example.com/tracker.png" in text
    if layout == "report":
        for trick in TRICKS:
            assert trick in text.replace("\n", ""), trick


def test_weasyprint_is_not_imported_with_the_app():
    code = (
        "import django, sys; django.setup();"
        "import relationships.pdf, relationships.views, relationships.urls;"
        "sys.exit('weasyprint' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- access -------------------------------------------------------------------------------


def test_another_user_gets_a_404(client, other_user, sample, renders):
    client.force_login(other_user)
    assert export(client, sample).status_code == 404
    assert renders == []


def test_anonymous_is_sent_to_log_in(client, sample):
    response = export(client, sample)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_get(owner_client, sample):
    assert owner_client.post(reverse("canvas_pdf", args=[sample.pk])).status_code == 405


def test_file_name_and_inline_disposition(owner_client, sample):
    response = export(owner_client, sample, layout="report")
    day = sample.updated_at.astimezone().date()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename=")
    assert "panaderia-la-espiga-customer-relationships-report-a4-" in disposition
    assert day.isoformat()[:4] in disposition
    assert disposition.endswith('.pdf"')
    wide = export(owner_client, sample, size="wide")["Content-Disposition"]
    assert "panaderia-la-espiga-customer-relationships-16x9-" in wide


def test_the_heading_copies_as_words_and_the_currency_reads_as_said(owner_client, sample):
    text = " ".join(text_of(read(export(owner_client, sample))).split())
    assert "CUSTOMER RELATIONSHIPS" in text  # not "C U S T O M E R"
    assert "Amounts in euros" in text


def test_a_large_total_gets_a_smaller_figure_in_its_box(owner_client, user):
    from relationships.templatetags.canvas_tags import figure_size

    assert figure_size("€26,400.00") == ""
    assert figure_size("€1,250,000,000.00") == "longer"
    canvas = make_canvas(user)
    make_cost(make_relationship(make_segment(canvas)), amount="99999999.99", frequency="monthly")
    html = pdf_render.pdf_html(
        Block.load(canvas.pk), pdf_render.PdfOptions(), pdf_render.plan_pitch(Block.load(canvas.pk))
    )
    assert '<p class="kpi-amount longer">€1,199,999,999.88</p>' in html


# --- cache and conditional GET ------------------------------------------------------------


def test_an_unchanged_canvas_is_rendered_once(owner_client, sample, renders):
    first = export(owner_client, sample)
    second = export(owner_client, sample)
    assert len(renders) == 1
    assert second.content == first.content
    export(owner_client, sample, layout="report")
    export(owner_client, sample, size="wide")
    assert len(renders) == 3


def test_each_language_has_its_own_pdf(client, user, sample, renders):
    client.force_login(user)
    for language in ["en", "es", "en"]:
        client.cookies["django_language"] = language
        export(client, sample)
    assert len(renders) == 2


def test_an_edit_renders_again(owner_client, sample, renders):
    first = export(owner_client, sample)
    segment = sample.segments.first()
    segment.customer_count = 999
    change_block(sample.pk, segment.save)
    sample.refresh_from_db()
    second = export(owner_client, sample)
    assert len(renders) == 2
    assert second["ETag"] != first["ETag"]
    assert "999 customers" in text_of(read(second))


def test_an_edit_through_the_editor_renders_again(owner_client, sample, renders):
    export(owner_client, sample)
    relationship = sample.segments.first().relationships.first()
    owner_client.post(
        reverse("cost_create", args=[relationship.pk]),
        {"label": "Nuevo", "amount": "1000", "frequency": "one_off", "version": 1},
    )
    text = text_of(read(export(owner_client, sample)))
    assert len(renders) == 2
    assert "€1,550.00" in text  # set-up: 550 + 1000


def test_if_none_match_gives_304(owner_client, sample, renders):
    first = export(owner_client, sample)
    url = reverse("canvas_pdf", args=[sample.pk])
    again = owner_client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again.content == b""
    other_layout = owner_client.get(
        url, {"layout": "report"}, headers={"If-None-Match": first["ETag"]}
    )
    assert other_layout.status_code == 200
    assert first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]
    assert "private" in first["Cache-Control"]


@pytest.mark.usefixtures("still_throttle_clock")
def test_render_time_is_rationed_but_cached_copies_are_not(
    owner_client, sample, renders, settings, monkeypatch
):
    settings.PDF_RENDER_BUDGET = "1/m"  # one second of rendering a minute
    pace = iter(range(0, 100, 3))  # each render takes 0.6 s (two readings of the stopwatch)
    monkeypatch.setattr(jobs, "stopwatch", lambda: next(pace) / 5)
    for _ in range(5):  # the same version again and again: served from the cache, for free
        assert export(owner_client, sample).status_code == 200
    assert export(owner_client, sample, layout="report").status_code == 200  # 1.2 s spent
    refused = export(owner_client, sample, size="wide")
    assert refused.status_code == 429
    assert "Please wait" in refused.text
    assert int(refused["Retry-After"]) >= 1
    assert len(renders) == 2
    assert export(owner_client, sample).status_code == 200  # the cached one still comes


def test_decimal_amounts_are_not_floats():
    block = Block.load(make_block(segments=1, relationships=1, costs=3).pk)
    totals = (block.setup_cost, block.monthly_cost, block.yearly_cost)
    assert all(isinstance(v, Decimal) for v in totals)
    assert block.yearly_cost == sum(c.yearly for _s, _r, c in block.cost_lines if c.yearly)


# --- the stylesheet kept between renders --------------------------------------------------


def test_the_stylesheet_is_parsed_once_per_thread_and_again_when_it_changes(
    settings, tmp_path, monkeypatch
):
    import os
    import shutil
    import threading

    for folder in ("css", "fonts"):
        shutil.copytree(fetcher.static_root() / folder, tmp_path / "static" / folder)
    settings.BASE_DIR = tmp_path
    fetchers = []
    real = fetcher.static_fetcher

    def recorded():
        fetchers.append(real())
        return fetchers[-1]

    monkeypatch.setattr(fetcher, "static_fetcher", recorded)
    fetcher._forget_stylesheet()
    font_config, stylesheet = fetcher.pdf_stylesheet()
    requested = [url for fetcher in fetchers for url in fetcher.requested]
    assert fetcher.static_base_url() + "css/pdf.css" in requested
    assert sum(url.endswith(".ttf") for url in requested) == 4
    assert all(url.startswith(fetcher.static_base_url()) for url in requested), requested

    again = fetcher.pdf_stylesheet()
    assert again[0] is font_config
    assert again[1] is stylesheet

    other_thread = []
    thread = threading.Thread(target=lambda: other_thread.extend(fetcher.pdf_stylesheet()))
    thread.start()
    thread.join()
    assert other_thread[0] is not font_config
    assert other_thread[1] is not stylesheet

    css = tmp_path / "static" / "css" / "pdf.css"
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 1_000_000_000))
    assert fetcher.pdf_stylesheet()[1] is not stylesheet
    fetcher._forget_stylesheet()


# --- every canvas the editor accepts exports ------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 200), (20, 3)], ids=["1x200", "20x3"])
def test_a_canvas_too_big_for_one_page_gets_the_densest_page_and_the_overflow(
    owner_client, user, shape, renders
):
    canvas = make_block(user, segments=shape[0], relationships=shape[1], costs=1)
    for size in ("a4", "wide"):
        pitch = read(export(owner_client, canvas, size=size))
        assert len(pitch.pages) == 1, size
        words = " ".join(text_of(pitch).split())
        assert "more relationships (see the full report)" in words
        report = read(export(owner_client, canvas, layout="report", size=size))
        text = text_of(report)
        assert f"Page {len(report.pages)} of {len(report.pages)}" in text
        assert f"Segment {shape[0] - 1}" in text  # the report has every segment
        assert text.count("Weekly call") == shape[0] * shape[1]  # and every relationship
    page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).text
    assert "do not fit on the page" in page  # the editor said so before export
