"""The editor's smaller promises, in a browser: focus after a move, a rename seen at once,
forms that open and cancel without a script error, and a print that gives the block."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from relationships.sample import create_sample_canvas
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sample(page):
    """The sample canvas, its owner logged in in the browser, the editor open."""
    owner = make_user("ines")
    canvas = create_sample_canvas(owner)
    client = Client()
    client.force_login(owner)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
            },
            {"name": "django_language", "value": "en", "url": page.base_url},
        ]
    )
    page.goto(f"{page.base_url}/canvases/{canvas.pk}/")
    return canvas


def test_a_keyboard_user_keeps_the_focus_on_the_arrow_after_a_move(page, sample):
    first = page.locator("section.segment").first
    name = first.locator("h2").inner_text()
    right = first.locator("button[id$='-right']")
    right.focus()
    page.keyboard.press("Enter")
    expect(page.locator("section.segment").nth(1).locator("h2")).to_have_text(name)
    moved = page.locator("section.segment").nth(1)
    # Now last: its right arrow is disabled, so the left one has the focus.
    expect(moved.locator("button[id$='-left']")).to_be_focused()


def test_renaming_the_venture_shows_the_new_name_everywhere_at_once(page, sample):
    page.get_by_role("button", name="Edit venture and questions").click()
    form = page.locator("form.canvas-header")
    expect(form.get_by_label("Venture", exact=True)).to_be_focused()
    form.get_by_label("Venture", exact=True).fill("La Espiga de Oro")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#canvas-header h1")).to_have_text("La Espiga de Oro")
    expect(page.locator("#breadcrumb-title")).to_have_text("La Espiga de Oro")
    expect(page).to_have_title("La Espiga de Oro · Relationship canvas")
    # The export and its warnings were never taken off the page.
    expect(page.locator("#canvas-export form.pdf-export")).to_be_visible()


def test_every_form_opens_and_cancels_without_a_script_error(page, sample):
    page.get_by_role("button", name="Edit venture and questions").click()
    page.locator("form.canvas-header").get_by_role("button", name="Cancel").click()
    expect(page.locator("section#canvas-header")).to_be_visible()
    card = page.locator("article.relationship-card").first
    card.get_by_role("link", name="Edit").click()
    page.locator("form.relationship-form").get_by_role("button", name="Cancel").click()
    expect(page.locator("form.relationship-form")).to_have_count(0)
    page.get_by_role("button", name="+ Add a segment").click()
    page.locator("form.segment-form").get_by_role("button", name="Cancel").click()
    expect(page.locator("form.segment-form")).to_have_count(0)
    # The page fixture fails the test on any console error (an oob target missing, a
    # selector of hx-disabled-elt that finds nothing).


def test_printing_the_editor_gives_the_block_without_menus_or_buttons(page, sample):
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.locator("#canvas-export")).to_be_hidden()
    expect(page.locator(".item-actions").first).to_be_hidden()
    expect(page.locator("article.relationship-card").first).to_be_visible()
    board = page.locator("#board").bounding_box()
    assert board["width"] <= page.viewport_size["width"]  # no column cut off to the right
