"""Two members edit one relationship at once, each in their own browser: a save never undoes
the other's change, and where both changed the same field the second sees what is saved."""

import pytest
from playwright.sync_api import expect

from relationships.models import Relationship
from teams.models import CanvasMember
from tests.browser.conftest import PASSWORD
from tests.factories import make_canvas, make_relationship, make_segment, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def both_editing(open_as):
    """Marta (the owner) and Jorge (an editor), each with the same relationship's form open."""
    marta, jorge = make_user("marta", PASSWORD), make_user("jorge", PASSWORD)
    jorge.first_name, jorge.last_name = "Jorge", "Ruiz"
    jorge.save()
    canvas = make_canvas(owner=marta, title="Academia Sol")
    CanvasMember.objects.create(canvas=canvas, user=jorge, role="editor")
    card = make_relationship(
        make_segment(canvas, name="Adultos"), contact="direct", interaction="Llamadas"
    )
    url = f"/canvases/{canvas.pk}/"
    opened = []
    for username in ("marta", "jorge"):
        page, errors = open_as(username, url)
        page.locator(f"#relationship-{card.pk}").get_by_role("link", name="Edit").click()
        opened.append((page, errors, page.locator(f"form#relationship-{card.pk}")))
    yield card, opened
    for _page, errors, _form in opened:
        assert errors == []


def test_two_members_change_different_fields_and_both_changes_stay(both_editing, screenshot_dir):
    card, [(marta_page, _e, marta_form), (_jorge_page, _e2, jorge_form)] = both_editing

    jorge_form.get_by_label("Remote (e-mail, messaging, online)").check()
    jorge_form.get_by_role("button", name="Save relationship").click()
    expect(jorge_form).to_have_count(0)  # saved: his card is back

    marta_form.get_by_label("How we interact").fill("Clases de prueba los sábados")
    marta_form.get_by_role("button", name="Save relationship").click()

    saved = marta_page.locator(f"#board article#relationship-{card.pk}")
    expect(saved).to_contain_text("Remote (e-mail, messaging, online)")
    expect(saved).to_contain_text("Clases de prueba los sábados")
    expect(marta_page.locator("#flash")).to_contain_text("someone else: Contact.")
    marta_page.screenshot(path=str(screenshot_dir / "conflict-merged-en-1366.png"))
    card.refresh_from_db()
    assert (card.contact, card.interaction) == ("remote", "Clases de prueba los sábados")


def test_the_same_field_changed_by_both_shows_the_saved_value_beside_it(
    both_editing, screenshot_dir
):
    card, [(marta_page, _e, marta_form), (_jorge_page, _e2, jorge_form)] = both_editing

    jorge_form.get_by_label("Collective (groups)").check()
    jorge_form.get_by_label("How we interact").fill("Talleres en grupo")
    jorge_form.get_by_role("button", name="Save relationship").click()
    expect(jorge_form).to_have_count(0)

    marta_form.get_by_label("How we interact").fill("Una llamada al mes")
    marta_form.get_by_role("button", name="Save relationship").click()

    expect(marta_form.locator(".form-errors")).to_contain_text("changed in another tab")
    note = marta_form.locator(".field-interaction .saved-meanwhile")
    expect(note).to_contain_text("Saved meanwhile by Jorge Ruiz: Talleres en grupo")
    expect(marta_form.get_by_label("How we interact")).to_have_value("Una llamada al mes")
    expect(marta_form.get_by_label("Collective (groups)")).to_be_checked()  # his other change
    marta_form.screenshot(path=str(screenshot_dir / "conflict-same-field-en-1366.png"))
    assert Relationship.objects.get(pk=card.pk).interaction == "Talleres en grupo"

    # Saving again on purpose: her text replaces his, his other change stays.
    marta_form.get_by_role("button", name="Save relationship").click()
    saved = marta_page.locator(f"#board article#relationship-{card.pk}")
    expect(saved).to_contain_text("Una llamada al mes")
    card.refresh_from_db()
    assert (card.interaction, card.reach) == ("Una llamada al mes", "collective")
