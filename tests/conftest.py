import pytest
from django.utils import translation

from tests.factories import make_canvas, make_user
from tests.helpers import client_for


@pytest.fixture(autouse=True)
def _english_by_default():
    """Tests read English unless they ask for Spanish; the product itself defaults to Spanish."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """An anonymous browser reading English, like the rest of the tests.

    Each client fixture (``client``, ``owner_client``, ``teacher_client``) is its own browser:
    logging one in leaves the others as they were.
    """
    return client_for()


@pytest.fixture(autouse=True)
def _no_card_from_another_test():
    """Rendered cards, who has a canvas open and the blocks served last live in memory per
    process; a test starts without any."""
    from django.core.cache import caches

    from relationships import kept_blocks

    caches["cards"].clear()
    caches["presence"].clear()
    kept_blocks.forget()


@pytest.fixture
def user(db):
    return make_user("owner")


@pytest.fixture
def other_user(db):
    return make_user("stranger")


@pytest.fixture
def owner_client(user):
    """The owner's own browser, logged in, reading English."""
    return client_for(user)


@pytest.fixture
def canvas(user):
    return make_canvas(user, title="Bakery", currency="EUR")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def still_throttle_clock(monkeypatch):
    """The throttle's clock stopped at the start of a day: no window ends during the test."""
    from canvas_site import throttle

    monkeypatch.setattr(throttle, "clock", lambda: 1_800_000_000.0 - 1_800_000_000.0 % 86400)


@pytest.fixture
def locmem_cache(settings):
    """An empty in-memory default cache (PDFs, throttles), whatever the settings say."""
    from django.core.cache import cache

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    cache.clear()
