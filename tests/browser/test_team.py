"""Two members with one canvas open, each in their own browser: each sees the other's change
without a reload, and what they are typing stays."""

import pytest
from playwright.sync_api import expect

from teams.models import CanvasMember
from tests.browser.conftest import PASSWORD
from tests.factories import make_canvas, make_cost, make_relationship, make_segment, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_monthly_cost(page, relationship, label: str, amount: str):
    """Add a cost a month to the card of ``relationship`` as its editor does; the card."""
    card = page.locator(f"#relationship-{relationship.pk}")
    card.locator("summary").click()
    card.get_by_role("link", name="+ Add a cost").click()
    form = page.locator(f"#relationship-{relationship.pk} form.cost-form")
    form.get_by_label("What it is").fill(label)
    form.get_by_label("Amount").fill(amount)
    form.get_by_label("Per month").check()
    form.get_by_role("button", name="Save cost").click()
    return card


def test_each_member_sees_the_others_change(open_as, screenshot_dir):
    olga, eva = make_user("olga", PASSWORD), make_user("eva", PASSWORD)
    canvas = make_canvas(owner=olga, title="Academia Sol")
    CanvasMember.objects.create(canvas=canvas, user=eva, role="editor")
    segment = make_segment(canvas, name="Adultos")
    first = make_relationship(segment, type="personal")
    second = make_relationship(segment, type="self_service")
    make_cost(first, amount="100", frequency="monthly")
    url = f"/canvases/{canvas.pk}/"
    olga_page, olga_errors = open_as("olga", url)
    eva_page, eva_errors = open_as("eva", url)
    expect(olga_page.locator("#live-people")).to_contain_text("eva", timeout=8_000)

    # Olga starts editing the second card and types; Eva changes the first card.
    olga_page.locator(f"#relationship-{second.pk}").get_by_role("link", name="Edit").click()
    interaction = olga_page.locator(f"form#relationship-{second.pk}").get_by_label(
        "How we interact"
    )
    interaction.fill("Typing while Eva works")
    first_card = add_monthly_cost(eva_page, first, "Tutor", "250")
    expect(first_card).to_contain_text("€4,200.00")  # (100 + 250) x 12

    notes = olga_page.locator("#live-notes")
    expect(notes).to_contain_text("eva changed Personal assistance · Adultos.", timeout=8_000)
    expect(olga_page.locator(f"#board article#relationship-{first.pk}")).to_contain_text(
        "€4,200.00"
    )
    expect(interaction).to_have_value("Typing while Eva works")  # nothing typed is lost
    olga_page.screenshot(path=str(screenshot_dir / "live-notice-en-1366.png"))

    # And the other way round.
    olga_page.locator(f"form#relationship-{second.pk}").get_by_role(
        "button", name="Save relationship"
    ).click()
    expect(eva_page.locator("#live-notes")).to_contain_text(
        "olga changed Self-service · Adultos.", timeout=8_000
    )
    expect(eva_page.locator(f"#board article#relationship-{second.pk}")).to_contain_text(
        "Typing while Eva works"
    )
    assert olga_errors == []
    assert eva_errors == []


def test_an_invitation_link_is_accepted_in_the_browser(open_as):
    """A walk found the Accept button refused by CSRF in Chromium (Origin: null)."""
    from teams.models import Invitation

    olga, ana = make_user("olga", PASSWORD), make_user("ana", PASSWORD)
    canvas = make_canvas(owner=olga, title="Academia Sol")
    link = Invitation.objects.create(canvas=canvas, invited_by=olga, role="commenter")
    page, errors = open_as("ana", f"/invitations/{link.token}/")
    expect(page.get_by_role("heading", name="olga invites you to “Academia Sol”")).to_be_visible()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Shared with you to read and comment")).to_be_visible()
    assert CanvasMember.objects.get(canvas=canvas, user=ana).role == "commenter"
    assert errors == []


def test_a_failed_save_still_says_so_after_the_live_view_has_polled(open_as):
    olga, eva = make_user("olga", PASSWORD), make_user("eva", PASSWORD)
    canvas = make_canvas(owner=olga, title="Academia Sol")
    CanvasMember.objects.create(canvas=canvas, user=eva, role="editor")
    segment = make_segment(canvas, name="Adultos")
    card = make_relationship(segment, type="personal")
    page, errors = open_as("eva", f"/canvases/{canvas.pk}/")
    page.locator(f"#relationship-{card.pk}").get_by_role("link", name="Edit").click()
    form = page.locator(f"form#relationship-{card.pk}")
    form.get_by_label("How we interact").fill("Clases de prueba")
    page.route("**/relationships/**", lambda route: route.abort())
    form.get_by_role("button", name="Save relationship").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("could not be reached")
    with page.expect_response(lambda r: "/live/" in r.url, timeout=8_000):
        pass  # the live view asks the server again (every 5 s)
    expect(flash).to_contain_text("could not be reached")
    expect(form.get_by_label("How we interact")).to_have_value("Clases de prueba")
    assert all("ERR_FAILED" in e or "htmx:" in e for e in errors)


def test_removing_a_member_asks_first(open_as):
    olga, eva = make_user("olga", PASSWORD), make_user("eva", PASSWORD)
    canvas = make_canvas(owner=olga, title="Academia Sol")
    CanvasMember.objects.create(canvas=canvas, user=eva, role="editor")
    page, errors = open_as("olga", f"/canvases/{canvas.pk}/members/")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Remove eva").click()
    expect(page.get_by_role("button", name="Remove eva")).to_be_visible()
    assert questions == [
        "Remove eva from this canvas? They will no longer see it, unless you invite them again."
    ]
    assert CanvasMember.objects.filter(canvas=canvas, user=eva).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove eva").click()
    expect(page.get_by_role("button", name="Remove eva")).to_have_count(0)
    assert not CanvasMember.objects.filter(canvas=canvas, user=eva).exists()
    assert errors == []


def test_a_member_removed_meanwhile_is_told_and_the_live_view_stops_asking(open_as):
    olga, eva = make_user("olga", PASSWORD), make_user("eva", PASSWORD)
    canvas = make_canvas(owner=olga, title="Panadería Trigo")
    membership = CanvasMember.objects.create(canvas=canvas, user=eva, role="editor")
    segment = make_segment(canvas, name="Vecinos")
    for _ in range(3):
        make_cost(make_relationship(segment, type="personal"))
    page, errors = open_as("eva", f"/canvases/{canvas.pk}/")
    page.set_viewport_size({"width": 390, "height": 700})  # a phone, scrolled down the block
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/live/" in request.url else 0)
    membership.delete()  # the owner takes the canvas back
    with page.expect_response(lambda r: "/live/" in r.url and r.status == 404, timeout=8_000):
        pass
    expect(page.locator("#flash")).to_contain_text("your access to this canvas may have")
    expect(page.locator("#flash")).to_be_in_viewport()  # seen where the user is
    expect(page.locator("#live-poll")).to_have_count(0)
    polls = len(asked)
    page.wait_for_timeout(6_000)  # more than the 5 s between two polls
    assert len(asked) == polls
    assert all("404" in e for e in errors)  # the browser's note of the 404, nothing else


def test_the_other_members_segment_figures_and_name_follow_without_a_reload(open_as):
    """Found on a walk: the canvas totals followed another member's new cost, the segment's
    own figures did not; nor did its header after they renamed it."""
    olga, eva = make_user("olga", PASSWORD), make_user("eva", PASSWORD)
    canvas = make_canvas(owner=olga, title="Academia Sol")
    CanvasMember.objects.create(canvas=canvas, user=eva, role="editor")
    segment = make_segment(canvas, name="Adultos")
    first = make_relationship(segment, type="personal")
    url = f"/canvases/{canvas.pk}/"
    olga_page, olga_errors = open_as("olga", url)
    eva_page, eva_errors = open_as("eva", url)
    first_card = add_monthly_cost(eva_page, first, "Tutor", "250")
    expect(first_card).to_contain_text("€3,000.00")
    figures = olga_page.locator(f"#board #segment-{segment.pk}-totals")
    expect(figures).to_contain_text("€3,000.00", timeout=8_000)

    header = eva_page.locator(f"#segment-{segment.pk}-header")
    header.get_by_role("link", name="Edit").click()
    eva_page.locator(f"form#segment-{segment.pk}-header").get_by_label("Segment", exact=True).fill(
        "Adultos de tarde"
    )
    eva_page.get_by_role("button", name="Save segment").click()
    expect(eva_page.locator(f"header#segment-{segment.pk}-header")).to_contain_text(
        "Adultos de tarde"
    )
    expect(olga_page.locator(f"#board header#segment-{segment.pk}-header")).to_contain_text(
        "Adultos de tarde", timeout=8_000
    )
    expect(olga_page.locator(f"#board #segment-{segment.pk}-totals")).to_contain_text("€3,000.00")
    assert olga_errors == []
    assert eva_errors == []
