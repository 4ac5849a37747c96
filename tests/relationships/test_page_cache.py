"""The canvas page and the htmx save are drawn from kept pieces (relationships/cards.py): a
kept piece is never out of date, and never one person's shown to another."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from canvas_site.queries import CompiledQuery
from classrooms.models import Comment, Submission
from relationships import cards, projections
from relationships.block import Block
from relationships.document import canvas_document
from relationships.models import Canvas
from relationships.sample import create_sample_canvas
from teams.models import CanvasComment, CanvasMember
from tests.classrooms.factories import make_assignment, make_classroom
from tests.factories import make_block, make_cost, make_relationship, make_segment, make_user
from tests.helpers import HTMX, client_for
from tests.relationships.test_concurrency import relationship_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def without_token(html: str) -> str:
    """The page with its CSRF token (one per page, in every form) taken out."""
    return html.replace(HEADER_TOKEN.search(html)[1], "")


def page(client, canvas) -> str:
    response = client.get(reverse("canvas_detail", args=[canvas.pk]))
    assert response.status_code == 200
    return response.text


@pytest.fixture
def team():
    """A canvas of Olga's shared with an editor, a commenter and a viewer."""
    people = {name: make_user(name) for name in ("olga", "eva", "carl", "vera")}
    canvas = make_canvas_with_card(people["olga"])
    for name, role in [("eva", "editor"), ("carl", "commenter"), ("vera", "viewer")]:
        CanvasMember.objects.create(canvas=canvas, user=people[name], role=role)
    return canvas, people


def make_canvas_with_card(owner):
    canvas = make_block(owner, segments=1, relationships=1, costs=1)
    return canvas


def edit_url(canvas) -> str:
    relationship = canvas.segments.get().relationships.get()
    return reverse("relationship_edit", args=[relationship.pk])


def save(client, canvas, interaction: str):
    relationship = canvas.segments.get().relationships.get()
    relationship.refresh_from_db()
    url = reverse("relationship_edit", args=[relationship.pk])
    response = client.post(url, relationship_data(relationship.version, interaction), headers=HTMX)
    assert response.status_code == 200
    return response


# --- the page -----------------------------------------------------------------------------------


def test_a_second_visit_is_the_kept_page_in_two_queries(owner_client, user, canvas):
    make_relationship(make_segment(canvas, name="Regulars"), interaction="Chat at the counter")
    first = page(owner_client, canvas)
    with CaptureQueriesContext(connection) as queries:
        second = page(owner_client, canvas)
    # the session with its user, and the canvas's revision with the user's role: nothing of the
    # block
    assert len(queries) == 2
    assert without_token(second) == without_token(first)
    assert "Chat at the counter" in second


def test_an_edit_shows_on_the_next_visit(owner_client, user):
    canvas = make_canvas_with_card(user)
    assert "Weekly call 0" in page(owner_client, canvas)
    save(owner_client, canvas, "Greet by name")
    html = page(owner_client, canvas)
    assert "Greet by name" in html
    assert "Weekly call 0" not in html


def test_a_change_of_title_shows_in_the_frame_and_the_block(owner_client, user):
    canvas = make_canvas_with_card(user)
    page(owner_client, canvas)
    owner_client.post(
        reverse("canvas_rename", args=[canvas.pk]),
        {"title": "Bakery of the square", "version": Canvas.objects.get(pk=canvas.pk).version},
    )
    html = page(owner_client, canvas)
    assert "<title>Bakery of the square ·" in html
    assert '<li id="breadcrumb-title" >Bakery of the square</li>' in html


def test_each_language_gets_its_own_page(owner_client, user):
    canvas = make_canvas_with_card(user)
    assert "Personal assistance" in page(owner_client, canvas)
    owner_client.cookies["django_language"] = "es"
    html = page(owner_client, canvas)
    assert "Asistencia personal" in html
    assert "Personal assistance" not in html
    assert '<html lang="es"' in html
    owner_client.cookies["django_language"] = "en"
    assert "Asistencia personal" not in page(owner_client, canvas)


@pytest.mark.parametrize("first", ["olga", "vera"])
def test_a_reader_never_gets_the_editors_page_nor_the_other_way(team, first):
    canvas, people = team
    clients = {name: client_for(person) for name, person in people.items()}
    order = [first, *(name for name in ("olga", "eva", "carl", "vera") if name != first)]
    pages = {name: page(clients[name], canvas) for name in order}
    for name in ("olga", "eva"):
        assert edit_url(canvas) in pages[name]
        assert "Add a segment" in pages[name]
    for name in ("carl", "vera"):
        assert edit_url(canvas) not in pages[name]
        assert "Add a segment" not in pages[name]
        assert "you cannot change it" in pages[name]
    assert "read and export" in pages["vera"]
    assert "read and comment" in pages["carl"]


def test_each_member_sees_their_own_name_and_token(team):
    canvas, people = team
    segment = canvas.segments.get()
    make_segment(canvas, name="Second")  # so that the first has a move form (a lone one has none)
    olga, eva = (client_for(people[name], enforce_csrf_checks=True) for name in ("olga", "eva"))
    olga_page, eva_page = page(olga, canvas), page(eva, canvas)
    assert "Log out olga" in olga_page
    assert "Log out eva" not in olga_page
    assert "Log out eva" in eva_page
    assert "Log out olga" not in eva_page
    # The kept block's forms carry this response's token, the one htmx sends.
    olga_token, eva_token = HEADER_TOKEN.search(olga_page)[1], HEADER_TOKEN.search(eva_page)[1]
    assert olga_token in TOKEN.findall(olga_page)
    assert eva_token in TOKEN.findall(eva_page)
    assert olga_token != eva_token
    # Each token works for its own session, in the forms of the kept block.
    move = reverse("segment_move", args=[segment.pk])
    for client, html in [(olga, olga_page), (eva, eva_page)]:
        token = TOKEN.search(html[html.index(move) :])[1]
        answer = client.post(move, {"direction": "down", "csrfmiddlewaretoken": token})
        assert answer.status_code == 302
    # and not for the other one's
    token = TOKEN.search(olga_page[olga_page.index(move) :])[1]
    assert eva.post(move, {"direction": "down", "csrfmiddlewaretoken": token}).status_code == 403


def test_a_new_token_each_visit(owner_client, user):
    canvas = make_canvas_with_card(user)
    first, second = page(owner_client, canvas), page(owner_client, canvas)
    assert TOKEN.findall(first)[0] != TOKEN.findall(second)[0]  # masked anew (BREACH)


def test_the_card_says_who_changed_it_last(team):
    canvas, people = team
    people["eva"].first_name, people["eva"].last_name = "Eva", "Ruiz"
    people["eva"].save()
    olga, eva = client_for(people["olga"]), client_for(people["eva"])
    save(olga, canvas, "First")
    assert "Changed by olga" in page(eva, canvas)
    save(eva, canvas, "Second")
    html = page(olga, canvas)
    assert "Changed by Eva Ruiz" in html
    assert "Changed by olga" not in html


def test_who_else_is_here_is_never_kept_from_another_visit(team):
    canvas, people = team
    olga, eva = client_for(people["olga"]), client_for(people["eva"])
    assert "Also here now" not in page(olga, canvas)
    assert "Also here now: olga" in page(eva, canvas)
    html = page(olga, canvas)
    assert "Also here now: eva" in html
    assert "Also here now: olga" not in html


def test_the_teams_comments_are_drawn_at_each_visit(team):
    canvas, people = team
    carl = client_for(people["carl"])
    assert "Ask the baker" not in page(carl, canvas)
    CanvasComment.objects.create(canvas=canvas, author=people["eva"], body="Ask the baker")
    assert "Ask the baker" in page(carl, canvas)  # no new revision: comments are not kept
    assert "Ask the baker" in page(client_for(people["olga"]), canvas)


def test_a_flash_message_shows_once_on_the_kept_page(owner_client, user):
    canvas = make_canvas_with_card(user)
    page(owner_client, canvas)  # the frame is kept
    owner_client.post(reverse("canvas_duplicate", args=[canvas.pk]))
    html = page(owner_client, canvas)
    assert "was created" in html
    assert "was created" not in page(owner_client, canvas)


def test_the_teachers_comments_are_the_students_own(team):
    canvas, people = team
    teacher = make_user("tina")
    assignment = make_assignment(make_classroom(teacher))
    assignment.classroom.join(people["olga"])
    submission = assignment.submit(people["olga"], canvas)
    Comment.objects.create(submission=submission, author=teacher, anchor="", body="Well argued")
    submission.set_verdict(Submission.Status.CHANGES_REQUESTED, "More", teacher)
    eva = client_for(people["eva"])
    assert "Well argued" not in page(eva, canvas)  # kept for Eva, without feedback
    olga = client_for(people["olga"])
    assert "Well argued" in page(olga, canvas)
    assert "Well argued" not in page(eva, canvas)
    comment = Comment.objects.get()
    comment.body = "Well argued, now the costs"
    comment.save()
    assert "Well argued, now the costs" in page(olga, canvas)


def test_the_badge_counts_unread_feedback_as_the_header_does(owner_client, user):
    canvas = create_sample_canvas(user)
    teacher = make_user("tina")
    assignment = make_assignment(make_classroom(teacher))
    assignment.classroom.join(user)
    submission = assignment.submit(user, canvas)
    assert '<span class="badge new">' not in page(owner_client, canvas)
    submission.set_verdict(Submission.Status.APPROVED, "Good", teacher)
    html = page(owner_client, canvas)
    assert '<span class="badge new">1<span class="visually-hidden"> new</span></span>' in html
    list_page = owner_client.get(reverse("canvas_list")).text  # the context processor's count
    assert '<span class="badge new">1<span class="visually-hidden"> new</span></span>' in list_page


def test_another_page_address_gets_its_own_frame(owner_client, user):
    canvas = make_canvas_with_card(user)
    other = make_canvas_with_card(user)  # the same title
    page(owner_client, canvas)
    html = page(owner_client, other)
    path = reverse("canvas_detail", args=[other.pk])
    assert f'name="next" type="hidden" value="{path}"' in html


def test_a_query_string_is_never_kept(owner_client, user):
    canvas = make_canvas_with_card(user)
    url = reverse("canvas_detail", args=[canvas.pk])
    html = owner_client.get(url + "?from=list").text
    assert f'value="{url}?from=list"' in html
    assert f'value="{url}"' in page(owner_client, canvas)


def test_a_restored_database_at_the_same_revision_is_another_page(owner_client, user):
    canvas = make_canvas_with_card(user)
    page(owner_client, canvas)
    # Same revision, another moment of last change: what a backup restored under a kept
    # page looks like. The text changed without the write path.
    relationship = canvas.segments.get().relationships.get()
    relationship.interaction = "Restored text"
    relationship.save()
    Canvas.objects.filter(pk=canvas.pk).update(updated_at="2030-01-01T00:00:00Z")
    assert "Restored text" in page(owner_client, canvas)


# --- the save -----------------------------------------------------------------------------------


def kept_renders(monkeypatch) -> list[str]:
    """The pieces rendered to be kept from now on (not taken from the cache), by name."""
    rendered = []
    original = cards.render_to_string

    def counted(template, context, request=None):
        rendered.append(template.split("#")[-1])
        return original(template, context, request=request)

    monkeypatch.setattr(cards, "render_to_string", counted)
    return rendered


def test_the_page_after_a_save_draws_again_only_the_column_of_its_segment(
    owner_client, user, monkeypatch
):
    """Each segment's column is kept by all it shows: after a text edit in one segment the
    page draws that column again and takes the others as they were drawn."""
    canvas = make_block(user, segments=3, relationships=1, costs=1)
    first, *others = canvas.segments.order_by("position")
    relationship = first.relationships.get()
    before = page(owner_client, canvas)
    rendered = kept_renders(monkeypatch)
    url = reverse("relationship_edit", args=[relationship.pk])
    owner_client.post(url, relationship_data(1, "Fresh words"), headers=HTMX)
    html = page(owner_client, canvas)
    assert rendered.count("segment-column") == 1
    assert "Fresh words" in html

    def column(page_html: str, segment) -> str:
        start = page_html.index(f'<section class="segment" id="segment-{segment.pk}"')
        return page_html[start : page_html.index("</section>", start)]

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    for segment in others:  # as drawn before, but the request's own CSRF token
        assert token.sub("", column(html, segment)) == token.sub("", column(before, segment))


def test_a_save_renders_again_only_what_shows_what_changed(owner_client, user, monkeypatch):
    canvas = make_canvas_with_card(user)
    page(owner_client, canvas)
    save(owner_client, canvas, "Second wording")  # keeps the pieces of this block's numbers
    rendered = kept_renders(monkeypatch)
    response = save(owner_client, canvas, "Third wording")
    assert "Third wording" in response.text
    # only the card changed, and only in its text: the save before kept its shell (cards.py),
    # which takes the new text; totals, completeness, numbers and the segment's totals as kept
    assert rendered == []
    assert 'id="economics"' in response.text
    assert 'id="completeness"' in response.text


def test_the_page_after_a_save_of_a_text_draws_only_the_block_around_kept_pieces(
    owner_client, user, monkeypatch
):
    canvas = make_canvas_with_card(user)
    page(owner_client, canvas)  # keeps the numbers as a page shows them
    save(owner_client, canvas, "Second wording")  # ... and as a save sends them
    rendered = kept_renders(monkeypatch)
    save(owner_client, canvas, "Fresh words")
    html = page(owner_client, canvas)
    # the save put the new text into the card's shell kept by the save before (cards.py); the
    # page drew its segment's column and the block around it (and who is here, at the new
    # revision), with the card, totals, completeness and numbers it kept
    assert rendered == ["segment-column", "editor-content", "teams/live.html"]
    assert "Fresh words" in html
    assert html.count('id="economics"') == 1
    assert 'hx-swap-oob="true"' not in html[html.index('id="economics"') - 60 :][:200]


def test_a_save_that_changes_the_numbers_shows_them(owner_client, user):
    canvas = make_canvas_with_card(user)
    save(owner_client, canvas, "Once")
    cost = canvas.segments.get().relationships.get().cost_items.get()
    response = owner_client.post(
        reverse("cost_edit", args=[cost.pk]),
        {"label": "Tutor", "amount": "25", "frequency": "monthly", "version": cost.version},
        headers=HTMX,
    )
    assert "€300.00" in response.text  # in the card, the totals and the numbers
    assert response.text.count("€300.00") >= 3


def test_a_text_filled_in_changes_the_completeness(owner_client, user):
    canvas = make_canvas_with_card(user)
    before = save(owner_client, canvas, "Talk").text
    after = save(owner_client, canvas, "").text
    score = re.compile(r"Block (\d+)% complete")
    assert int(score.search(after)[1]) < int(score.search(before)[1])


# --- what the kept pieces of a save read ------------------------------------------------------


def _changed(document: dict, name: str, value) -> dict:
    """The document with every ``name`` in it set to ``value``."""
    if isinstance(document, dict):
        return {k: value if k == name else _changed(v, name, value) for k, v in document.items()}
    if isinstance(document, list):
        return [_changed(item, name, value) for item in document]
    return document


def _render(block, name, **extra) -> str:
    from django.template.loader import render_to_string

    context = {"canvas": block, "oob": True, **extra}
    return render_to_string(f"{cards.PAGE}#{name}", context)


@pytest.mark.parametrize("name", [*projections.TEXTS, *projections.UNREAD])
def test_the_numbers_never_read_a_text_nor_who_changed_what(user, name):
    document = Block.load(create_sample_canvas(user).pk).document
    unread = name in projections.UNREAD
    value = "2031-05-05T10:00:00+00:00" if unread else "Another text, much longer"
    block, changed = Block(document), Block(_changed(document, name, value))
    assert projections.figures(block) == projections.figures(changed)
    for piece in ("canvas-totals", "economics"):
        assert _render(block, piece) == _render(changed, piece)
    for segment, other in zip(block.segments, changed.segments, strict=True):
        assert _render(block, "segment-totals", segment=segment) == _render(
            changed, "segment-totals", segment=other
        )
    if name in projections.TEXTS:  # filled in either way: completeness stays the same
        assert projections.completeness_inputs(block) == projections.completeness_inputs(changed)
        assert _render(block, "completeness") == _render(changed, "completeness")


def test_completeness_reads_whether_a_text_is_filled_in(user):
    document = Block.load(create_sample_canvas(user).pk).document
    emptied = Block(_changed(document, "interaction", "  "))
    filled = projections.completeness_inputs(Block(document))
    assert filled != projections.completeness_inputs(emptied)


# --- the block as loaded, and the queries compiled once ------------------------------------------


def test_the_loaded_block_is_the_canvas_document_with_names_and_amounts(user):
    eva = make_user("eva")
    eva.first_name, eva.last_name = "Eva", "Ruiz"
    eva.save()
    canvas = make_block(user, segments=2, relationships=2, costs=2)
    segment = canvas.segments.first()
    relationship = segment.relationships.first()
    make_cost(relationship, amount="1234.56", frequency="yearly", label="Fair stand")
    type(segment).objects.filter(pk=segment.pk).update(
        changed_by=eva, changed_at="2026-03-01T10:00:00Z", purchases_per_year=Decimal("2.50")
    )
    type(relationship).objects.filter(pk=relationship.pk).update(
        changed_by=user, changed_at="2026-03-02T10:00:00Z", goal_boosting_sales=True
    )
    expected = canvas_document(Canvas.objects.with_block().get(pk=canvas.pk))
    block = Block.load(canvas.pk)
    assert block.document == expected
    assert block.segments[0].changed_by == "Eva Ruiz"
    assert block.revision == Canvas.objects.get(pk=canvas.pk).revision


def test_a_compiled_query_refuses_an_id_it_cannot_swap():
    with pytest.raises(ValueError, match="does not reach it as a parameter"):
        CompiledQuery(lambda pk: Canvas.objects.filter(pk=1).values_list("pk")).rows(5)


def test_a_compiled_query_runs_again_with_other_ids(user):
    first, second = make_block(user, segments=1), make_block(user, segments=3)
    query = CompiledQuery(lambda pk: Canvas.objects.filter(pk=pk).values_list("title", "revision"))
    assert query.rows(first.pk) == [("Venture", 1)]
    assert query.rows(second.pk) == [("Venture", 1)]
    assert query.rows(-1) == []
    assert query.rows(2**63) == []  # no column holds it: the ORM answers without the database


def test_kept_pieces_are_one_per_revision_not_one_per_visit(owner_client, user, monkeypatch):
    canvas = make_canvas_with_card(user)
    rendered = kept_renders(monkeypatch)
    for _ in range(3):
        page(owner_client, canvas)
    assert rendered.count("editor-content") == 1
    cards.forget_recent()  # another process: the shared cache has it
    page(owner_client, canvas)
    assert rendered.count("editor-content") == 1


# --- the numbers ---------------------------------------------------------------------------------


@pytest.fixture
def number_renders(monkeypatch) -> list[str]:
    """The numbers pieces drawn (not taken as kept): "economics", "segment-totals" and so on."""
    drawn, original = [], cards.render_kept

    def counted(template, context, request=None, token=None):
        name = template.rpartition("#")[2]
        if name in ("canvas-totals", "completeness", "pitch-warnings", "economics"):
            drawn.append(name)
        elif name == "segment-totals":
            drawn.append(f"segment-totals {context['segment'].name}")
        return original(template, context, request, token)

    monkeypatch.setattr(cards, "render_kept", counted)
    return drawn


@pytest.fixture
def two_segments(canvas):
    regulars = make_segment(canvas, name="Regulars", customer_count=100)
    offices = make_segment(canvas, name="Offices", customer_count=20)
    first = make_relationship(regulars)
    make_cost(first, label="Cards", amount=Decimal("10.00"))
    make_cost(make_relationship(offices), label="Visits", amount=Decimal("30.00"))
    return canvas, first


def test_a_cost_changed_in_one_segment_draws_only_that_segments_totals_again(
    owner_client, two_segments, number_renders
):
    canvas, first = two_segments
    page(owner_client, canvas)
    cost = first.cost_items.get()
    data = {"label": "Cards", "amount": "12.50", "frequency": "monthly", "version": cost.version}
    response = owner_client.post(reverse("cost_edit", args=[cost.pk]), data, headers=HTMX)
    assert response.status_code == 200
    number_renders.clear()
    again = page(owner_client, canvas)
    assert "segment-totals Regulars" not in number_renders  # drawn once, for the save's answer
    assert "segment-totals Offices" not in number_renders  # nothing of it changed
    assert "€150.00" in again  # the new cost of the first segment, a year


def test_each_number_is_drawn_once_for_the_saves_answer_and_the_page_after_it(
    owner_client, two_segments, number_renders
):
    canvas, first = two_segments
    page(owner_client, canvas)
    number_renders.clear()
    data = {**relationship_data(first.version, "Chat"), "type": "communities"}
    answer = owner_client.post(
        reverse("relationship_edit", args=[first.pk]), data, headers=HTMX
    ).text
    assert number_renders.count("economics") == 1  # the cost by type changed
    again = page(owner_client, canvas)
    assert number_renders.count("economics") == 1  # the page's copy is the same piece
    economics = re.compile(r'<section id="economics"[^>]*>')
    assert 'hx-swap-oob="true"' in economics.search(answer)[0]
    assert "hx-swap-oob" not in economics.search(again)[0]


def test_a_new_type_draws_again_only_the_chart_by_type(owner_client, two_segments, monkeypatch):
    canvas, first = two_segments
    page(owner_client, canvas)
    drawn, original = [], cards.render_kept

    def counted(template, context, request=None, token=None):
        if template == "relationships/_chart.html":
            drawn.append(context["chart"].id.rsplit("-", 1)[0])
        return original(template, context, request, token)

    monkeypatch.setattr(cards, "render_kept", counted)
    data = {**relationship_data(first.version, "Chat"), "type": "communities"}
    answer = owner_client.post(reverse("relationship_edit", args=[first.pk]), data, headers=HTMX)
    assert drawn == ["chart-type"]  # the value per segment and the cost by goal are as they were
    assert answer.text.count('<figure class="chart"') == 3
    assert "Communities" in re.search(r'id="chart-type-\d+".*?</figure>', answer.text, re.S)[0]


@pytest.fixture
def valued_segment(canvas):
    """Ten customers buying twice a year at 5: 100 a year, 10 a customer; one relationship
    of 10 a month, 120 a year: it costs more than the segment brings."""
    segment = make_segment(
        canvas, name="Regulars", customer_count=10, purchases_per_year=2, average_spend="5.00"
    )
    relationship = make_relationship(segment, type="personal")
    make_cost(relationship, label="Calls", amount=Decimal("10.00"))
    return canvas, relationship


def _retyped(client, relationship, kind: str, version: int):
    data = {**relationship_data(version, "Chat"), "type": kind}
    url = reverse("relationship_edit", args=[relationship.pk])
    response = client.post(url, data, headers=HTMX)
    assert 'class="errorlist' not in response.text
    return response.text


def test_a_new_type_leaves_the_segments_totals_as_drawn(
    owner_client, valued_segment, number_renders
):
    canvas, relationship = valued_segment
    page(owner_client, canvas)
    number_renders.clear()
    _retyped(owner_client, relationship, "communities", version=1)
    # the cost by type changed (its chart, the numbers around it), not what the totals show
    assert "segment-totals Regulars" not in number_renders
    assert "economics" in number_renders
    again = page(owner_client, canvas)
    assert "€120.00" in again  # the totals as they were, on the page after the save


def test_a_type_that_breaks_a_rule_draws_the_segments_totals_again(
    owner_client, valued_segment, number_renders
):
    canvas, relationship = valued_segment
    page(owner_client, canvas)
    number_renders.clear()
    answer = _retyped(owner_client, relationship, "dedicated", version=1)
    # dedicated assistance at 12 a customer against the 10 each brings: one more rule broken
    assert "segment-totals Regulars" in number_renders
    totals = re.search(r'id="segment-\d+-totals".*?</details>', answer, re.S)[0]
    assert "Dedicated assistance costs more per customer than each customer brings." in totals


def test_the_segments_totals_never_show_the_cost_by_type(user):
    import dataclasses

    block = Block.load(create_sample_canvas(user).pk)
    segment = next(s for s in block.segments if block.viabilities[s.pk].has_relationships)
    viability = block.viabilities[segment.pk]
    split = dataclasses.replace(viability.figures.split, by_type=(("automated", Decimal("1")),))
    other = dataclasses.replace(
        viability, figures=dataclasses.replace(viability.figures, split=split)
    )
    before = _render(block, "segment-totals", segment=segment)
    block.viabilities[segment.pk] = other  # what the totals' key leaves out
    assert _render(block, "segment-totals", segment=segment) == before
