"""Every logged-in request reads its session and its user with plain queries, one for both once
the process has seen the session (canvas_site.middleware); who is logged in is exactly who
Django's own code says."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from canvas_site import middleware
from canvas_site.middleware import SessionStore
from tests.factories import make_canvas, make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(user):
    return reverse("canvas_detail", args=[make_canvas(user).pk])


def is_logged_in(client, page) -> bool:
    response = client.get(page)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_session_of_djangos_own_store_reads_the_same(user):
    client = client_for(user)
    key = client.cookies["sessionid"].value
    assert SessionStore(key).load() == DjangoSessionStore(key).load() != {}


def test_a_session_and_its_user_are_one_query_once_seen(
    owner_client, page, django_assert_num_queries
):
    owner_client.get(page)
    middleware._session_users.clear()  # as in a process that has not seen it yet
    with django_assert_num_queries(3):  # the session, the user, the page's own
        assert owner_client.get(page).status_code == 200
    with django_assert_num_queries(2):  # the session with its user, the page's own
        assert owner_client.get(page).status_code == 200


def test_a_session_that_now_names_another_user_is_that_users(owner_client, user, page):
    assert is_logged_in(owner_client, page)  # this process has seen whose session it is
    other = make_user("other")
    session = owner_client.session
    session[SESSION_KEY] = str(other.pk)
    session[HASH_SESSION_KEY] = other.get_session_auth_hash()
    session.save()
    response = owner_client.get(page)
    assert response.status_code == 404  # the other user may not see the owner's canvas
    assert owner_client.get(reverse("canvas_list")).context["user"] == other


def test_a_deleted_account_is_logged_out(owner_client, user, page):
    assert is_logged_in(owner_client, page)
    user.delete()
    response = owner_client.get(reverse("canvas_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_new_password_ends_the_other_sessions(owner_client, user, page):
    assert is_logged_in(owner_client, page)
    user.set_password("another-long-password")
    user.save()
    assert not is_logged_in(owner_client, page)


def test_a_deactivated_account_is_logged_out(owner_client, user, page):
    assert is_logged_in(owner_client, page)
    user.is_active = False
    user.save()
    assert not is_logged_in(owner_client, page)


def test_an_expired_or_deleted_session_is_logged_out(owner_client, user, page):
    key = owner_client.cookies["sessionid"].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert not is_logged_in(owner_client, page)
    other = client_for(user)
    Session.objects.filter(pk=other.cookies["sessionid"].value).delete()
    assert not is_logged_in(other, page)


def test_a_secret_moved_to_the_fallbacks_keeps_the_session(owner_client, page, settings):
    assert is_logged_in(owner_client, page)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-for-tests-only-0123456789abcdefghijklmnop"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert is_logged_in(owner_client, page)  # Django's own code renews the session's hash
    assert is_logged_in(owner_client, page)


def test_a_new_secret_without_the_old_one_in_the_fallbacks_ends_the_session(
    owner_client, page, settings
):
    assert is_logged_in(owner_client, page)  # this process has read the session's data
    key = owner_client.cookies["sessionid"].value
    assert SessionStore(key).load() != {}
    settings.SECRET_KEY = "another-secret-key-for-tests-only-0123456789abcdefghijklmnop"
    assert SessionStore(key).load() == {}  # its signature is not one of these secrets
    assert not is_logged_in(owner_client, page)


def test_a_session_read_again_is_its_own_to_change(user):
    key = client_for(user).cookies["sessionid"].value
    first = SessionStore(key)
    first["note"] = "only in the first"
    second = SessionStore(key)
    assert "note" not in second.load()
    assert second.load() == DjangoSessionStore(key).load()


def test_changed_session_data_is_checked_again(owner_client, page):
    assert is_logged_in(owner_client, page)
    key = owner_client.cookies["sessionid"].value
    session = Session.objects.get(pk=key)
    data = session.session_data
    Session.objects.filter(pk=key).update(
        session_data=data[:-3] + ("AAA" if data[-3:] != "AAA" else "BBB")
    )
    assert not is_logged_in(owner_client, page)  # the signature no longer matches


def test_a_session_of_another_backend_is_djangos_to_decide(owner_client, page):
    session = owner_client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.RemoteUserBackend"
    session.save()
    assert not is_logged_in(owner_client, page)  # not in AUTHENTICATION_BACKENDS


def test_the_deploy_checks_still_see_djangos_session_middleware(settings):
    from django.core.checks.security.sessions import _session_middleware

    assert _session_middleware()
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
