"""The canvas page keeps rendered relationship cards; what it shows is never out of date."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from relationships import cards
from relationships.block import Block
from tests.factories import make_cost, make_relationship, make_segment
from tests.helpers import HTMX
from tests.relationships.test_concurrency import relationship_data


@pytest.fixture
def card_renders(monkeypatch):
    """The relationships whose card was rendered (its shell: not taken from the cache)."""
    rendered = []

    def counting(original):
        def counted(relationship, *args):
            rendered.append(relationship.pk)
            return original(relationship, *args)

        return counted

    monkeypatch.setattr(cards, "_render_shell", counting(cards._render_shell))
    return rendered


@pytest.fixture
def block(canvas):
    segment = make_segment(canvas, name="Regulars")
    first = make_relationship(segment, interaction="Chat at the counter")
    second = make_relationship(segment, type="communities", interaction="Monthly tasting")
    make_cost(first, label="Loyalty cards", amount="40")
    return canvas, first, second


def page(client, canvas):
    return client.get(reverse("canvas_detail", args=[canvas.pk])).text


def test_a_second_visit_reuses_the_rendered_cards(owner_client, block, card_renders):
    canvas, first, second = block
    page(owner_client, canvas)
    assert sorted(card_renders) == sorted([first.pk, second.pk])
    html = page(owner_client, canvas)
    assert len(card_renders) == 2
    assert "Chat at the counter" in html
    assert "Monthly tasting" in html


def test_an_edited_card_is_rendered_again_and_only_that_one(owner_client, block, card_renders):
    canvas, first, second = block
    page(owner_client, canvas)
    url = reverse("relationship_edit", args=[first.pk])
    saved = owner_client.post(url, relationship_data(1, "Greet by name"), headers=HTMX)
    assert "Greet by name" in saved.text
    html = page(owner_client, canvas)
    assert "Greet by name" in html
    assert "Chat at the counter" not in html
    assert card_renders.count(first.pk) == 2  # once before, once for the save
    assert card_renders.count(second.pk) == 1


@pytest.fixture
def part_renders(monkeypatch):
    """The parts of cards rendered (not taken from the cache): "costs" or "actions"."""
    rendered = []
    original = cards.render_kept

    def counted(template, context, request=None, token=None):
        for part in ("costs", "actions"):
            if template.endswith(f"#relationship-{part}"):
                rendered.append(part)
        return original(template, context, request, token)

    monkeypatch.setattr(cards, "render_kept", counted)
    return rendered


def without_tokens(html):
    """The HTML without what differs from one response to the next: the masked CSRF token, and
    the minute of the last change."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'<p class="last-change[^"]*">[^<]*</p>', "", html)


def test_a_saved_text_renders_the_card_again_but_not_its_costs_and_actions(
    owner_client, block, part_renders
):
    canvas, first, _ = block
    page(owner_client, canvas)  # each card put together from its parts, and they are kept
    assert sorted(part_renders) == ["actions", "actions", "costs", "costs"]
    url = reverse("relationship_edit", args=[first.pk])
    first_save = owner_client.post(url, relationship_data(1, "Greet by name"), headers=HTMX)
    second_save = owner_client.post(url, relationship_data(2, "Greet and ask"), headers=HTMX)
    assert len(part_renders) == 4  # both parts came from the cache, after the page too
    assert "Greet and ask" in second_save.text
    assert "Loyalty cards" in second_save.text  # the kept costs are in the card
    assert f'hx-post="{reverse("relationship_move", args=[first.pk])}"' in second_save.text
    assert "Greet by name" in first_save.text


def card_in(html, relationship):
    """The card of ``relationship`` in ``html``, the masked CSRF tokens left out."""
    found = re.search(rf'<article id="relationship-{relationship.pk}".*?</article>', html, re.S)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", found[0])


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_card_filled_in_from_its_shell_is_the_card_rendered_whole(
    owner_client, block, card_renders, language
):
    canvas, first, _ = block
    owner_client.cookies["django_language"] = language
    url = reverse("relationship_edit", args=[first.pk])
    text = 'Fish & "chips" <b>hot</b>, ¿sí? {{ x }}'
    owner_client.post(url, relationship_data(1, "Greet by name"), headers=HTMX)
    renders = len(card_renders)
    saved = owner_client.post(url, relationship_data(2, text), headers=HTMX)
    assert len(card_renders) == renders  # the shell of the first save, filled in
    assert "Fish &amp; &quot;chips&quot; &lt;b&gt;hot&lt;/b&gt;, ¿sí? {{ x }}" in saved.text
    assert "<b>hot" not in saved.text
    relationship = next(r for r in Block.load(canvas.pk).relationships if r.pk == first.pk)
    context = {"relationship": relationship, "costs_open": False, "csrf_token": "a token"}
    whole = render_to_string(f"{cards.PAGE}#relationship-card", context)  # not put together
    assert card_in(saved.text, first) == card_in(whole, first)
    # The time of the change is filled in too, the reader's way: "2 dic 2026, 16:50" in Spanish,
    # "2 Dec 2026, 4:50 p.m." in English.
    when = r"\d \w{3} \d{4}, (?:\d\d:\d\d|\d{1,2}(?::\d\d)? [ap]\.m\.|noon|midnight)<"
    assert re.search(r'class="last-change[^>]*>[^<]*' + when, whole)


def test_a_card_without_a_text_has_no_text_to_fill_in(owner_client, block):
    canvas, first, _ = block
    url = reverse("relationship_edit", args=[first.pk])
    saved = owner_client.post(url, relationship_data(1, ""), headers=HTMX)
    assert 'class="interaction' not in card_in(saved.text, first)
    again = owner_client.post(url, relationship_data(2, "Now a text"), headers=HTMX)
    assert '<p class="interaction prose small">Now a text</p>' in card_in(again.text, first)
    cards.forget_recent()
    cards.caches["cards"].clear()
    assert card_in(again.text, first) == card_in(page(owner_client, canvas), first)


def test_a_cost_change_shows_on_the_card(owner_client, block):
    canvas, first, _ = block
    assert "€480.00" in page(owner_client, canvas)  # 40 a month
    cost = first.cost_items.get()
    owner_client.post(
        reverse("cost_edit", args=[cost.pk]),
        {"label": "Loyalty cards", "amount": "50", "frequency": "monthly", "version": 1},
    )
    html = page(owner_client, canvas)
    assert "€600.00" in html
    assert "€480.00" not in html


def test_each_language_gets_its_own_cards(owner_client, block):
    canvas, *_ = block
    assert "Personal assistance" in page(owner_client, canvas)
    owner_client.cookies["django_language"] = "es"
    html = page(owner_client, canvas)
    assert "Asistencia personal" in html
    assert "Personal assistance" not in html


def test_forms_in_kept_cards_carry_a_token_valid_after_logging_in_again(user, block):
    canvas, first, _ = block
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"

    def log_in():
        login_page = client.get(reverse("login")).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)[1]
        response = client.post(
            reverse("login"),
            {
                "username": user.username,
                "password": "a-long-test-password",
                "csrfmiddlewaretoken": token,
            },
        )
        assert response.status_code == 302

    log_in()
    page(client, canvas)  # the cards are kept, with this session's token
    client.post(reverse("logout"), {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    log_in()  # a new session rotates the CSRF secret
    html = page(client, canvas)
    move_form = html[html.index(reverse("relationship_move", args=[first.pk])) :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', move_form)[1]
    moved = client.post(
        reverse("relationship_move", args=[first.pk]),
        {"direction": "down", "csrfmiddlewaretoken": token},
    )
    assert moved.status_code == 302


def test_the_arrows_that_would_do_nothing_are_disabled_and_follow_a_move(owner_client, block):
    canvas, first, second = block

    def disabled(html, relationship, direction) -> bool:
        button = re.search(
            rf'<button[^>]*id="relationship-{relationship.pk}-{direction}"[^>]*>', html
        )
        return " disabled" in button[0]

    def arrows(html) -> list[bool]:
        return [disabled(html, r, d) for r in (first, second) for d in ("up", "down")]

    assert arrows(page(owner_client, canvas)) == [True, False, False, True]
    owner_client.post(reverse("relationship_move", args=[first.pk]), {"direction": "down"})
    assert arrows(page(owner_client, canvas)) == [False, True, True, False]


def test_a_relationship_left_alone_in_its_segment_has_no_arrows(owner_client, block):
    canvas, first, second = block
    html = page(owner_client, canvas)
    assert f'id="relationship-{first.pk}-up"' in html  # disabled, at the top of two
    owner_client.post(reverse("relationship_delete", args=[second.pk]), headers=HTMX)
    html = page(owner_client, canvas)
    assert f'id="relationship-{first.pk}-up"' not in html
    assert f'id="relationship-{first.pk}-down"' not in html
    assert reverse("relationship_move", args=[first.pk]) not in html
    assert reverse("relationship_edit", args=[first.pk]) in html  # its other actions stay
