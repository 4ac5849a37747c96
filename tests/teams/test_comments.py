"""Members comment on the canvas, a segment or a relationship, and resolve what is dealt with."""

import pytest
from django.test import Client
from django.urls import reverse

from teams.models import CanvasComment, CanvasMember, ShareLink
from tests.factories import make_canvas, make_relationship, make_segment, make_user
from tests.helpers import HTMX, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    olga = make_user("olga")
    canvas = make_canvas(owner=olga, title="Academia Sol")
    relationship = make_relationship(make_segment(canvas, name="Adultos"))
    people = {"olga": olga}
    for name, role in (("carlos", "commenter"), ("vera", "viewer")):
        people[name] = make_user(name)
        CanvasMember.objects.create(canvas=canvas, user=people[name], role=role)
    return canvas, relationship, people


def test_a_commenter_points_at_a_relationship(team):
    canvas, relationship, people = team
    response = client_for(people["carlos"]).post(
        reverse("canvas_comment_create", args=[canvas.pk]),
        {"anchor": relationship.anchor, "body": "¿Cuánto cuesta el tutor?"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "¿Cuánto cuesta el tutor?" in response.text
    assert f'href="#{relationship.anchor}"' in response.text
    assert "Personal assistance · Adultos" in response.text
    owner_page = client_for(people["olga"]).get(reverse("canvas_detail", args=[canvas.pk])).text
    assert "¿Cuánto cuesta el tutor?" in owner_page


def test_an_empty_comment_is_refused_next_to_the_field_and_the_place_kept(team):
    canvas, relationship, people = team
    response = client_for(people["carlos"]).post(
        reverse("canvas_comment_create", args=[canvas.pk]),
        {"anchor": relationship.anchor, "body": ""},
        headers=HTMX,
    )
    assert response.status_code == 200  # htmx swaps only a 2xx: the form with its message
    assert "Write the comment first." in response.text
    assert f'value="{relationship.anchor}" selected' in response.text
    assert not CanvasComment.objects.exists()


def test_a_place_not_in_the_block_is_refused(team):
    canvas, _relationship, people = team
    response = client_for(people["carlos"]).post(
        reverse("canvas_comment_create", args=[canvas.pk]),
        {"anchor": "relationship-999999", "body": "Hola"},
    )
    assert response.status_code == 422
    assert not CanvasComment.objects.exists()


def test_a_viewer_reads_the_comments_but_cannot_write(team):
    canvas, _relationship, people = team
    CanvasComment.objects.create(canvas=canvas, author=people["olga"], body="Revisad costes")
    vera = client_for(people["vera"])
    page = vera.get(reverse("canvas_detail", args=[canvas.pk])).text
    assert "Revisad costes" in page
    assert "Add comment" not in page
    response = vera.post(reverse("canvas_comment_create", args=[canvas.pk]), {"body": "x"})
    assert response.status_code == 404


def test_resolving_and_opening_again(team):
    canvas, _relationship, people = team
    comment = CanvasComment.objects.create(canvas=canvas, author=people["olga"], body="Costes")
    carlos = client_for(people["carlos"])
    carlos.post(reverse("canvas_comment_resolve", args=[comment.pk]), headers=HTMX)
    comment.refresh_from_db()
    assert comment.resolved_by == people["carlos"]
    html = carlos.post(reverse("canvas_comment_resolve", args=[comment.pk]), headers=HTMX).text
    comment.refresh_from_db()
    assert comment.resolved_at is None
    assert "Mark resolved" in html


def test_comments_stay_among_members(team):
    canvas, _relationship, people = team
    CanvasComment.objects.create(canvas=canvas, author=people["olga"], body="Solo del equipo")
    link = ShareLink.objects.create(canvas=canvas, created_by=people["olga"])
    assert "Solo del equipo" not in Client().get(reverse("shared", args=[link.token])).text
    solo = make_canvas(owner=people["olga"], title="Solo")
    page = client_for(people["olga"]).get(reverse("canvas_detail", args=[solo.pk])).text
    assert "Comments from the team" not in page  # nobody to talk to


def test_a_long_comment_folds_to_its_first_lines_and_a_short_one_does_not(team):
    canvas, _relationship, people = team
    long_text = "El coste del tutor " + "sube cada trimestre y hay que revisarlo. " * 40 + "FIN"
    CanvasComment.objects.create(canvas=canvas, author=people["carlos"], body=long_text)
    CanvasComment.objects.create(canvas=canvas, author=people["carlos"], body="Breve y claro.")
    page = client_for(people["olga"]).get(reverse("canvas_detail", args=[canvas.pk])).text
    folded = page[page.index('<details class="comment-long">') :]
    folded = folded[: folded.index("</details>")]
    summary = folded[: folded.index("</summary>")]
    assert "El coste del tutor" in summary
    assert "FIN" not in summary  # only its first lines, until it is opened
    assert "Show the whole comment" in summary
    assert "FIN" in folded  # the whole of it, once opened
    assert page.count('<details class="comment-long">') == 1
    assert '<p class="prose">Breve y claro.</p>' in page


@pytest.mark.parametrize(
    ("language", "shown"), [("es", "· 2 dic 2026, 16:50"), ("en", "· 2 Dec 2026, 4:50 p.m.")]
)
def test_a_comment_says_when_it_was_written_as_the_cards_do(team, language, shown):
    import datetime

    canvas, _relationship, people = team
    comment = CanvasComment.objects.create(canvas=canvas, author=people["carlos"], body="Hola")
    at = datetime.datetime(2026, 12, 2, 15, 50, tzinfo=datetime.UTC)  # 16:50 in Madrid
    CanvasComment.objects.filter(pk=comment.pk).update(created_at=at)
    reader = client_for(people["olga"])
    reader.cookies["django_language"] = language
    assert shown in reader.get(reverse("canvas_detail", args=[canvas.pk])).text
