"""A newcomer fills in the block in Chromium, through the htmx forms."""

import re

import pytest
from playwright.sync_api import expect

from relationships.models import Canvas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_up(page, username="ana"):
    page.goto(f"{page.base_url}/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("pan-de-masa-madre-42")
    page.get_by_label("Password confirmation").fill("pan-de-masa-madre-42")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="My canvases")).to_be_visible()


def opened_form(page, selector):
    """The form htmx just opened, once the page has put the cursor in it.

    The page focuses a new form's first field a moment after it arrives; typing before that
    would send the rest of the text into that first field.
    """
    form = page.locator(selector)
    expect(form.locator("input:not([type=hidden]), textarea, select").first).to_be_focused()
    return form


def add_segment(page, name):
    page.get_by_role("button", name="+ Add a segment").click()
    form = opened_form(page, "form.segment-form")
    form.get_by_label("Segment", exact=True).fill(name)
    form.get_by_label("Estimated customers").fill("40")
    form.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def test_sign_up_and_fill_in_the_block(page, screenshot):
    sign_up(page)
    screenshot("01-empty-list")
    page.get_by_placeholder("e.g. Corner bakery").fill("Bike repairs")
    page.get_by_role("button", name="Create canvas").click()
    expect(page.get_by_role("heading", name="Start with a customer segment")).to_be_visible()
    screenshot("02-empty-canvas")

    add_segment(page, "Commuters")

    page.get_by_role("button", name="+ Add a relationship").click()
    form = opened_form(page, "form.relationship-form")
    form.get_by_label("Communities").check()
    form.get_by_label("Retention").check()
    form.get_by_label("Planned").check()
    form.get_by_label("Remote (e-mail, messaging, online)").check()
    form.get_by_label("Collective (groups)").check()
    form.get_by_label("Long-term").check()
    form.get_by_label("How we interact").fill("A repair workshop every month")
    form.get_by_role("button", name="Save relationship").click()
    card = page.locator("article.relationship-card")
    expect(card).to_contain_text("Communities")
    expect(card).to_have_class(re.compile("state-planned"))

    card.get_by_text("0 costs").click()
    card.get_by_role("link", name="+ Add a cost").click()
    cost_form = opened_form(page, "form.cost-form")
    cost_form.get_by_label("What it is").fill("Workshop tools")
    cost_form.get_by_label("Amount").fill("25")
    cost_form.get_by_label("Per month").check()
    cost_form.get_by_role("button", name="Save cost").click()

    # Totals change out of band, without a reload.
    expect(page.locator('#canvas-totals [data-total="yearly"]')).to_have_text("€300.00")
    expect(page.locator("article.relationship-card")).to_contain_text("Workshop tools")
    screenshot("03-filled-canvas", full_page=True)

    page.reload()
    expect(page.locator('#canvas-totals [data-total="yearly"]')).to_have_text("€300.00")
    expect(page.locator("article.relationship-card")).to_contain_text("A repair workshop")
    canvas = Canvas.objects.get(title="Bike repairs")
    assert canvas.segments.get().relationships.get().cost_items.get().label == "Workshop tools"


def test_a_validation_error_on_the_way_keeps_the_input(page, screenshot):
    sign_up(page, "ben")
    page.get_by_placeholder("e.g. Corner bakery").fill("Tea shop")
    page.get_by_role("button", name="Create canvas").click()
    add_segment(page, "Students")

    page.get_by_role("button", name="+ Add a relationship").click()
    form = opened_form(page, "form.relationship-form")
    form.get_by_label("Self-service").check()
    form.get_by_label("Established").check()
    form.get_by_label("Direct (face to face, phone)").check()
    form.get_by_label("Individual").check()
    form.get_by_label("Transactional").check()
    form.get_by_label("How we interact").fill("Order at the counter screen")
    form.get_by_role("button", name="Save relationship").click()  # no goal picked

    form = page.locator("form.relationship-form")
    expect(form.get_by_text("Pick at least one goal.")).to_be_visible()
    expect(form.get_by_label("How we interact")).to_have_value("Order at the counter screen")
    screenshot("04-validation-error")
    form.get_by_label("Acquisition").check()
    form.get_by_role("button", name="Save relationship").click()
    expect(page.locator("article.relationship-card")).to_contain_text("Self-service")
    expect(page.locator("#completeness")).to_contain_text("Put a cost on “Self-service”")


def test_a_failed_save_says_so_and_keeps_the_form(page, live_server):
    sign_up(page, "cai")
    page.get_by_placeholder("e.g. Corner bakery").fill("Yoga studio")
    page.get_by_role("button", name="Create canvas").click()
    page.get_by_role("button", name="+ Add a segment").click()
    form = opened_form(page, "form.segment-form")
    form.get_by_label("Segment", exact=True).fill("Beginners")
    page.route("**/segments/new/", lambda route: route.abort())
    form.get_by_role("button", name="Save segment").click()
    expect(page.locator("#flash")).to_contain_text("could not be reached")
    expect(form.get_by_label("Segment", exact=True)).to_have_value("Beginners")
    # The browser logs the aborted request itself; that, and only that, is expected here.
    assert all("ERR_FAILED" in e or "htmx:" in e for e in page.console_errors)
    page.console_errors.clear()
    # The typing was not saved: Cancel asks first (and keeps it), and so does leaving.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    form.get_by_role("button", name="Cancel").click()
    expect(form.get_by_label("Segment", exact=True)).to_have_value("Beginners")
    assert dialogs == ["confirm"]
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["confirm", "beforeunload"]


def test_a_narrow_phone_screen_stacks_the_segments(browser, live_server, django_user_model):
    from relationships.sample import create_sample_canvas
    from tests.browser.conftest import SCREENSHOTS

    user = django_user_model.objects.create_user("dora", password="pan-de-masa-madre-42")
    canvas = create_sample_canvas(user)
    context = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("dora")
    page.locator("#id_password").fill("pan-de-masa-madre-42")
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server.url}/canvases/{canvas.pk}/")
    segments = page.locator("section.segment")
    expect(segments).to_have_count(2)
    first, second = segments.nth(0).bounding_box(), segments.nth(1).bounding_box()
    assert second["y"] > first["y"] + first["height"] - 1  # stacked, not side by side
    assert first["width"] <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "05-phone-sample.png"), full_page=True)
    context.close()


def test_keyboard_user_lands_in_the_form_and_is_warned_before_losing_typing(page):
    sign_up(page, "kim")
    page.get_by_placeholder("e.g. Corner bakery").fill("Kiosk")
    page.get_by_role("button", name="Create canvas").click()
    add_link = page.get_by_role("button", name="+ Add a segment")
    add_link.focus()
    page.keyboard.press("Enter")
    name = page.locator("form.segment-form").get_by_label("Segment", exact=True)
    expect(name).to_be_focused()
    page.keyboard.type("Night owls")

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
