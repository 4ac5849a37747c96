"""Password recovery by e-mail: Django's views, our pages, a budget of requests and of mails."""

import logging
import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.pages import link
from tests.factories import make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    user = make_user("ana", password="old-password-of-ana-42")
    user.email = "ana@example.com"
    user.save()
    return user


@pytest.fixture(autouse=True)
def _fresh_budgets(locmem_cache, still_throttle_clock):
    """Each test starts with the whole budget of requests and mails, in a window that holds."""


def ask_for_a_link(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body)[1]


def test_the_log_in_page_links_to_password_recovery(client):
    page = client.get(reverse("login"))

    recovery = client.get(link(page, "Forgot your password?"))

    assert recovery.status_code == 200
    assert "Type the e-mail of your account" in recovery.text
    assert 'type="email" name="email"' in recovery.text


def test_a_forgotten_password_is_replaced_through_the_mailed_link(client, ana):
    response = ask_for_a_link(client, "ANA@example.com", follow=True)

    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Check your e-mail" in response.text
    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == "A new password for your Relationship canvas account"
    assert "Hello, ana:" in message.body
    assert "Your username is ana." in message.body

    form_page = client.get(link_in(message), follow=True)
    assert "Choose a new password" in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "new-password-of-ana-42", "new_password2": "new-password-of-ana-42"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Your new password is saved" in done.text

    old = client_for().post(
        reverse("login"), {"username": "ana", "password": "old-password-of-ana-42"}
    )
    assert "That username and password do not match." in old.text
    new = client_for().post(
        reverse("login"), {"username": "ana", "password": "new-password-of-ana-42"}
    )
    assert new["Location"] == reverse("canvas_list")


def test_a_used_link_no_longer_works(client, ana):
    ask_for_a_link(client, "ana@example.com")
    url = link_in(mail.outbox[0])
    form_url = client.get(url, follow=True).redirect_chain[-1][0]
    new = "new-password-of-ana-42"
    client.post(form_url, {"new_password1": new, "new_password2": new})

    again = client_for().get(url, follow=True)

    assert "This link no longer works" in again.text
    assert link(again, "Send me a new link") == reverse("password_reset")
    assert "new_password1" not in again.text


def test_an_address_without_an_account_gets_the_same_answer_and_no_mail(client, ana):
    known = ask_for_a_link(client_for(), "ana@example.com", follow=True)
    unknown = ask_for_a_link(client_for(), "nobody@example.com", follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert _without_token(unknown) == _without_token(known)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def _without_token(response) -> str:
    return response.text.replace(str(response.context["csrf_token"]), "")


def test_a_mistyped_address_is_refused_beside_the_field(client):
    response = ask_for_a_link(client, "ana at example")

    assert response.status_code == 200
    assert "Type a whole e-mail address, such as ana@example.com." in response.text
    assert mail.outbox == []


def test_asking_too_often_from_one_place_is_paused(client, ana):
    for _ in range(5):
        assert ask_for_a_link(client, "someone@example.com").status_code == 302

    paused = ask_for_a_link(client, "ana@example.com")

    assert paused.status_code == 429
    assert int(paused["Retry-After"]) > 0
    assert mail.outbox == []
    # Someone else, elsewhere, is not held up.
    assert (
        ask_for_a_link(client_for(), "ana@example.com", REMOTE_ADDR="10.0.0.7").status_code == 302
    )


def test_one_inbox_gets_at_most_five_mails_an_hour_from_anywhere(ana):
    for n in range(7):
        response = ask_for_a_link(client_for(), "ana@example.com", REMOTE_ADDR=f"10.0.0.{n}")
        # The page never tells: it would say whether the address has an account.
        assert response["Location"] == reverse("password_reset_done")

    assert len(mail.outbox) == 5


def test_without_mail_the_page_says_whom_to_ask_and_sends_nothing(client, ana, settings):
    settings.EMAIL_ENABLED = False

    page = client.get(reverse("password_reset"))
    posted = ask_for_a_link(client, "ana@example.com")

    assert "This site sends no e-mail" in page.text
    assert 'name="email"' not in page.text
    assert posted.status_code == 200
    assert "Ask your teacher" in posted.text
    assert mail.outbox == []


def test_the_mail_and_pages_speak_spanish_with_tu(ana):
    client = client_for()
    client.cookies["django_language"] = "es"

    page = client.get(reverse("password_reset"))
    ask_for_a_link(client, "ana@example.com")

    assert "¿Has olvidado tu contraseña?" in page.text
    [message] = mail.outbox
    assert message.subject == "Una nueva contraseña para tu cuenta del Lienzo de relaciones"
    assert "Hola, ana:" in message.body
    assert "tu contraseña" in message.body
    assert not re.search(r"\b(su|usted|introduzca)\b", message.body, re.IGNORECASE)


def test_a_recovery_links_token_stays_out_of_the_logs(client, ana, caplog):
    ask_for_a_link(client, "ana@example.com")
    url = link_in(mail.outbox[0])
    token = url.rstrip("/").rsplit("/", 1)[1]
    caplog.set_level(logging.INFO, logger="canvas.request")
    caplog.clear()

    form_url = client.get(url, follow=True).redirect_chain[-1][0]

    paths = [record.path for record in caplog.records if hasattr(record, "path")]
    assert paths == [url.replace(token, "<token>"), form_url]
    assert form_url.endswith("/set-password/")
    assert token not in caplog.text
