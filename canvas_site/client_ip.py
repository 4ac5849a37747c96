"""The client's address, taken from a proxy header only when the operator says proxies are there."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent ``request``.

    With ``TRUSTED_PROXY_COUNT = 0`` (the default) this is the socket's ``REMOTE_ADDR``, and
    ``X-Forwarded-For`` is ignored: any client can write it. With N trusted proxies in front,
    each appends the address it received the request from, so the client is the N-th entry
    from the right; entries further left were written by the client and are not believed.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < hops:
        return remote  # the request did not come through every proxy we expect
    return chain[-hops]
