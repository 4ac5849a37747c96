"""The numbers of the block: costs by goal and type, cost per new and kept customer, the whole
block's figures, the verdicts among the things left to do, and the charts that draw them.

Every figure is worked out by hand in the comments.
"""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from relationships.block import Block
from relationships.charts import cost_by_goal, cost_by_type, value_and_cost
from relationships.document import canvas_document, validate_document
from relationships.models import Segment
from tests.factories import make_canvas, make_cost, make_relationship, make_segment
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def school(canvas, **fields):
    """A language school: 100 students, 10 payments a year of 95.50: 95,500 a year."""
    fields = {
        "name": "Adult learners",
        "customer_count": 100,
        "purchases_per_year": Decimal("10"),
        "average_spend": Decimal("95.50"),
        **fields,
    }
    return make_segment(canvas, **fields)


def two_relationships(segment):
    """A personal relationship winning and keeping students: 100 a month and 300 once, so
    1,200 + 300 / 3 = 1,300 a year, half acquisition and half retention; and a self-service
    one boosting sales for 120 a year."""
    personal = make_relationship(segment, goals=("acquisition", "retention"), type="personal")
    make_cost(personal, amount="100", frequency="monthly")
    make_cost(personal, amount="300", frequency="one_off")
    service = make_relationship(segment, goals=("boosting_sales",), type="self_service")
    make_cost(service, amount="120", frequency="yearly")
    return personal, service


def viability_of(canvas):
    block = Block.load(canvas.pk)
    return block.viabilities[block.segments[0].pk]


class TestCostSplit:
    def test_a_relationship_with_two_goals_counts_half_its_cost_under_each(self):
        canvas = make_canvas(horizon_years=3)
        two_relationships(school(canvas))
        split = viability_of(canvas).figures.split
        assert split.by_goal == (
            ("acquisition", Decimal("650.00")),
            ("retention", Decimal("650.00")),
            ("boosting_sales", Decimal("120.00")),
        )
        assert sum(cost for _goal, cost in split.by_goal) == Decimal("1420.00")  # the whole

    def test_types_keep_the_order_of_the_types_and_leave_out_those_not_used(self):
        canvas = make_canvas(horizon_years=3)
        two_relationships(school(canvas))
        split = viability_of(canvas).figures.split
        assert split.by_type == (
            ("personal", Decimal("1300.00")),
            ("self_service", Decimal("120.00")),
        )
        assert [label for label, _cost in split.types] == ["Personal assistance", "Self-service"]

    def test_a_third_of_a_cent_is_rounded_and_the_block_adds_up_its_segments(self):
        canvas = make_canvas(horizon_years=3)
        for name in ("A", "B"):
            relationship = make_relationship(make_segment(canvas, name=name), goals=("retention",))
            make_cost(relationship, amount="100", frequency="one_off")  # 33.333... a year
        economics = Block.load(canvas.pk).economics
        assert economics.split.by_goal == (("retention", Decimal("66.67")),)
        assert economics.cost_per_year == Decimal("66.67")


class TestPerCustomer:
    def test_acquisition_cost_per_new_customer(self):
        canvas = make_canvas(horizon_years=3)
        two_relationships(school(canvas, new_customers_per_year=13))
        assert viability_of(canvas).figures.acquisition_per_new_customer == Decimal("50.00")

    def test_retention_cost_per_customer_is_over_the_estimated_customers(self):
        canvas = make_canvas(horizon_years=3)
        two_relationships(school(canvas))
        assert viability_of(canvas).figures.retention_per_customer == Decimal("6.50")  # 650/100

    def test_without_new_customers_the_acquisition_cost_per_customer_is_unknown_not_zero(self):
        canvas = make_canvas()
        two_relationships(school(canvas, new_customers_per_year=None))
        viability = viability_of(canvas)
        assert viability.figures.acquisition_per_new_customer is None
        assert viability.serves_acquisition

    def test_zero_customers_give_no_figure_per_customer(self):
        canvas = make_canvas()
        two_relationships(school(canvas, customer_count=0, new_customers_per_year=0))
        figures = viability_of(canvas).figures
        assert figures.retention_per_customer is None
        assert figures.acquisition_per_new_customer is None
        assert figures.cost_per_customer is None

    def test_no_relationship_with_the_goal_is_told_apart_from_a_missing_input(
        self, owner_client, user
    ):
        canvas = make_canvas(owner=user)
        segment = school(canvas, new_customers_per_year=10)
        make_cost(make_relationship(segment, goals=("boosting_sales",)), amount="10")
        viability = viability_of(canvas)
        assert not viability.serves_acquisition
        assert not viability.serves_retention
        page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).content.decode()
        assert "no relationship works at acquisition" in page
        assert "no relationship works at retention" in page

    def test_the_editor_asks_for_the_new_customers_when_acquisition_has_a_cost(
        self, owner_client, user
    ):
        canvas = make_canvas(owner=user)
        two_relationships(school(canvas))
        page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).content.decode()
        assert "give the new customers you expect a year" in page

    def test_huge_amounts_stay_exact(self):
        canvas = make_canvas(horizon_years=1)
        segment = school(canvas, customer_count=1_000_000_000, new_customers_per_year=3)
        relationship = make_relationship(segment, goals=("acquisition",))
        make_cost(relationship, amount="99999999.99", frequency="monthly")
        figures = viability_of(canvas).figures
        assert figures.split.by_goal == (("acquisition", Decimal("1199999999.88")),)
        assert figures.acquisition_per_new_customer == Decimal("399999999.96")


class TestWholeBlock:
    def test_the_share_waits_until_every_segment_has_a_value(self):
        canvas = make_canvas(horizon_years=3)
        two_relationships(school(canvas))
        make_cost(make_relationship(make_segment(canvas, name="Companies")), amount="10")
        economics = Block.load(canvas.pk).economics
        assert economics.value_per_year == Decimal("95500.00")
        assert (economics.valued_segments, economics.segments) == (1, 2)
        assert economics.cost_share is None
        assert economics.cost_per_year == Decimal("1540.00")  # 1,420 + 120

    def test_the_share_of_a_fully_valued_block(self):
        canvas = make_canvas(horizon_years=3)
        two_relationships(school(canvas))
        share = Block.load(canvas.pk).economics.cost_share
        assert round(share, 2) == Decimal("1.49")  # 1,420 / 95,500

    @pytest.mark.parametrize(
        ("language", "shown", "said"),
        [
            ("es", "< 1 %", "Sus relaciones se llevan menos del 1 % de lo que aporta."),
            ("en", "< 1%", "Its relationships take less than 1% of what it brings."),
        ],
    )
    def test_a_share_under_half_a_percent_is_shown_as_under_one_not_zero(
        self, owner_client, user, language, shown, said
    ):
        canvas = make_canvas(owner=user, horizon_years=3)
        segment = school(canvas)  # 95,500 a year
        make_cost(make_relationship(segment), amount="120", frequency="yearly")  # 0.13 %
        owner_client.cookies["django_language"] = language
        page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).content.decode()
        page = html.unescape(page).replace("\u00a0", " ")
        assert f"<dd>{shown}</dd>" in page  # the figure alone, in its place
        assert said in page  # and in words, in the verdict
        assert f"take {shown}" not in page
        assert f"el {shown}" not in page
        assert not re.search(r"\b0 ?%", page)

    def test_a_block_without_segments_has_no_value_and_no_cost(self):
        economics = Block.load(make_canvas().pk).economics
        assert economics.value_per_year is None
        assert economics.cost_per_year == Decimal("0.00")
        assert economics.cost_share is None


class TestVerdictsAmongTheThingsLeftToDo:
    def costly(self, canvas):
        """Brings 100 a year; a long-term dedicated assistant costs 12,000: two rules broken."""
        segment = make_segment(
            canvas,
            name="Tiny",
            customer_count=1,
            purchases_per_year=Decimal(1),
            average_spend=Decimal(100),
        )
        relationship = make_relationship(
            segment, type="dedicated", bond="long_term", goals=("acquisition",)
        )
        make_cost(relationship, amount="1000", frequency="monthly")
        return segment

    def test_each_broken_rule_is_a_hint_at_its_segment(self):
        canvas = make_canvas()
        segment = self.costly(canvas)
        block = Block.load(canvas.pk)
        hints = [gap for gap in block.completeness.missing if gap.rule in _codes(block)]
        assert [gap.rule for gap in hints] == [
            "costs_more_than_value",
            "long_term_without_retention",
            "dedicated_costs_more_than_customer",
        ]
        assert all(gap.anchor == segment.anchor for gap in hints)
        assert hints[0].text.startswith("“Tiny”: ")

    def test_a_sound_segment_adds_to_the_score_and_a_failing_one_takes_from_it(self):
        sound, failing = make_canvas(), make_canvas()
        two_relationships(school(sound))
        self.costly(failing)
        sound_score = Block.load(sound.pk).completeness.score
        failing_score = Block.load(failing.pk).completeness.score
        assert not any(g.rule == "costs_more_than_value" for g in _missing(sound))
        assert failing_score < sound_score

    def test_the_class_gaps_count_a_viability_rule_once(self):
        from classrooms.review import class_gaps

        canvas = make_canvas()
        self.costly(canvas)
        gaps = {gap.rule: gap.count for gap in class_gaps([Block.load(canvas.pk)])}
        assert gaps["costs_more_than_value"] == 1


def _codes(block):
    return {rule.code for v in block.viabilities.values() for rule in v.broken}


def _missing(canvas):
    return Block.load(canvas.pk).completeness.missing


class TestCharts:
    def test_value_against_cost_says_every_figure_in_its_text_alternative(self):
        canvas = make_canvas(horizon_years=3, currency="EUR")
        two_relationships(school(canvas))
        chart = value_and_cost(Block.load(canvas.pk))
        assert chart.title == "Value and total cost a year, per segment"
        assert chart.summary == (
            "Adult learners: brings €95,500.00, its relationships cost €1,420.00."
        )
        assert chart.table == (("Adult learners", "€95,500.00", "€1,420.00", "1%"),)

    def test_bars_are_drawn_to_one_scale(self):
        canvas = make_canvas(horizon_years=3)
        two_relationships(school(canvas))
        value, cost = value_and_cost(Block.load(canvas.pk)).rows[0].bars
        assert float(value.width) == 230  # the longest bar fills the room: 340 - 110
        assert float(cost.width) == pytest.approx(230 * 1420 / 95500, abs=0.1)

    def test_an_unknown_value_is_said_not_drawn_as_zero(self):
        canvas = make_canvas()
        make_cost(make_relationship(make_segment(canvas, name="New")), amount="10")
        value, _cost = value_and_cost(Block.load(canvas.pk)).rows[0].bars
        assert value.missing
        assert value.shown == "value not known yet"

    def test_a_cost_above_the_value_is_drawn_in_the_warning_colour(self):
        canvas = make_canvas()
        TestVerdictsAmongTheThingsLeftToDo().costly(canvas)
        _value, cost = value_and_cost(Block.load(canvas.pk)).rows[0].bars
        assert cost.colour == "#b42318"

    def test_cost_by_goal_and_type_carry_their_shares(self):
        canvas = make_canvas(horizon_years=3)
        two_relationships(school(canvas))
        block = Block.load(canvas.pk)
        assert cost_by_goal(block).table[0] == ("Acquisition", "€650.00", "46%")  # 650/1,420
        assert (
            cost_by_type(block).summary == "Personal assistance: €1,300.00; Self-service: €120.00."
        )

    def test_no_relationship_no_chart(self):
        block = Block.load(make_canvas().pk)
        assert block.charts == []

    def test_the_svg_on_the_page_is_labelled_escaped_and_its_numbers_are_not_localised(
        self, owner_client, user
    ):
        canvas = make_canvas(owner=user)
        two_relationships(school(canvas, name="<b>Adults</b> & co"))
        owner_client.cookies["django_language"] = "es"
        page = owner_client.get(reverse("canvas_detail", args=[canvas.pk])).content.decode()
        svg = re.search(r'<svg[^>]*aria-labelledby="chart-value-\d+-title".*?</svg>', page, re.S)
        assert svg, "the value chart is labelled by its title"
        markup = svg.group(0)
        title = re.search(r"<title[^>]*>(.*?)</title>", markup, re.S).group(1)
        assert "aporta 95.500,00" in title  # the text alternative says every figure
        assert "<b>Adults" not in markup
        assert "&lt;b&gt;Adults&lt;/b&gt; &amp; co" in markup
        assert "95.500,00" in markup  # the amounts the Spanish way...
        for width in re.findall(r'width="([^"]+)"', markup):
            assert "," not in width  # ...the geometry never
        assert '<div class="chart-figures"><table>' in page


class TestOnThePage:
    def test_a_save_refreshes_the_numbers_out_of_band(self, owner_client, user):
        canvas = make_canvas(owner=user)
        segment = school(canvas)
        relationship = make_relationship(segment, goals=("retention",))
        response = owner_client.post(
            reverse("cost_create", args=[relationship.pk]),
            {"label": "Tutor", "amount": "1200", "frequency": "yearly"},
            headers=HTMX,
        )
        html = response.content.decode()
        economics = re.search(
            r'<section id="economics"[^>]*hx-swap-oob="true".*?</section>', html, re.S
        )
        assert economics, "the numbers of the block come with the saved cost"
        assert "Total cost a year, by goal" in economics.group(0)
        assert "€1,200.00" in economics.group(0)

    def test_the_new_customers_are_typed_the_spanish_way(self, owner_client, user):
        canvas = make_canvas(owner=user)
        segment = school(canvas)
        owner_client.cookies["django_language"] = "es"
        owner_client.post(
            reverse("segment_edit", args=[segment.pk]),
            {
                "version": segment.version,
                "name": segment.name,
                "customer_count": "1.200",
                "purchases_per_year": "10",
                "average_spend": "95,50",
                "new_customers_per_year": "1.200",
            },
        )
        segment.refresh_from_db()
        assert segment.new_customers_per_year == 1200

    def test_the_help_page_explains_every_figure(self, owner_client):
        page = owner_client.get(reverse("help")).content.decode()
        assert 'id="figure-acquisition_per_new_customer"' in page
        assert "an equal part of its cost under each" in page


class TestDocument:
    def test_the_new_customers_travel_with_the_document(self):
        canvas = make_canvas()
        school(canvas, new_customers_per_year=40)
        document = canvas_document(canvas.__class__.objects.with_block().get(pk=canvas.pk))
        assert document["segments"][0]["new_customers_per_year"] == 40
        assert validate_document(document)["segments"][0]["new_customers_per_year"] == 40

    def test_a_document_from_before_has_no_new_customers_and_still_reads(self):
        canvas = make_canvas()
        school(canvas)
        document = canvas_document(canvas.__class__.objects.with_block().get(pk=canvas.pk))
        del document["segments"][0]["new_customers_per_year"]
        block = Block.from_document(validate_document(document))
        assert block.segments[0].new_customers_per_year is None

    def test_a_negative_number_of_new_customers_is_refused(self):
        canvas = make_canvas()
        school(canvas)
        document = canvas_document(canvas.__class__.objects.with_block().get(pk=canvas.pk))
        document["segments"][0]["new_customers_per_year"] = -1
        with pytest.raises(ValueError, match="segment 1"):
            validate_document(document)

    def test_the_diff_shows_a_new_estimate(self):
        from classrooms.review import diff_documents

        canvas = make_canvas()
        segment = school(canvas)
        read = canvas.__class__.objects.with_block()
        before = canvas_document(read.get(pk=canvas.pk))
        Segment.objects.filter(pk=segment.pk).update(new_customers_per_year=1200)
        after = canvas_document(read.get(pk=canvas.pk))
        with translation.override("es"):
            changes = diff_documents(before, after)
        fields = [f for change in changes for f in change.fields]
        assert [(f.before, f.after) for f in fields] == [("—", "1.200")]


class TestReport:
    @pytest.mark.parametrize(
        ("language", "words"),
        [
            (
                "en",
                [
                    "The numbers of the block",
                    "Verdict per segment",
                    "Its relationships take 6% of what it brings.",
                    "Total cost a year, by goal",
                    "How the figures are worked out",
                    "€675.00",  # the offices' acquisition per new customer: 5,400 / 8
                ],
            ),
            (
                "es",
                [
                    "Las cifras del bloque",
                    "Valoración por segmento",
                    "Sus relaciones se llevan el 6 % de lo que aporta.",
                    "Coste total al año, por objetivo",
                    "Cómo se calculan las cifras",
                    "675,00 €",
                ],
            ),
        ],
    )
    def test_the_report_has_an_economics_page(self, user, language, words):
        import io

        from pypdf import PdfReader

        from relationships.pdf.render import PdfOptions, render_pdf
        from relationships.sample import create_sample_canvas

        canvas = create_sample_canvas(user)
        with translation.override(language):
            pdf = render_pdf(Block.load(canvas.pk), PdfOptions(layout="report"))
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        economics = next(i for i, text in enumerate(pages) if words[0] in text)
        text = " ".join(" ".join(pages[economics:]).split())
        for phrase in words:
            assert phrase in text
        assert words[0] not in " ".join(pages[:economics])  # a page of its own, after the rest
