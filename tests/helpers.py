"""What many tests need: a browser of one's own, and the header htmx sends with each request."""

from django.test import Client

HTMX = {"HX-Request": "true"}
"""The header of a request htmx makes: ``client.post(url, data, headers=HTMX)``."""


def client_for(user=None, **kwargs) -> Client:
    """A browser of its own, reading English, logged in as ``user`` (anonymous without one).

    Each call is a new ``Client``: logging one in never changes another. ``kwargs`` go to
    ``Client`` (``enforce_csrf_checks=True``, ``raise_request_exception=False``...).
    """
    client = Client(**kwargs)
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client
