"""A per-user request budget for expensive views, kept in the shared cache.

Usage::

    from canvas_site.throttle import throttle

    @throttle(key="pdf", rate="10/m")
    def canvas_pdf(request, pk): ...

Each user (or, logged out, each client address) may call the views sharing ``key`` ``rate``
times per window; the next call gets a 429 page saying how long to wait, with ``Retry-After``.
``settings.THROTTLE_RATES = {"pdf": "30/h"}`` overrides a rate without touching code.
"""

from __future__ import annotations

import functools
import math
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render

from canvas_site.client_ip import client_ip

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
clock = time.time  # the tests stop it, so that no window ends halfway through one
_RATE = re.compile(r"(\d+)/(\d*)([smhd])")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/m"`` -> (10 requests, 60 seconds); ``"100/5m"`` -> (100, 300). Raises ValueError."""
    match = _RATE.fullmatch(rate.strip())
    if not match or int(match[1]) < 1:
        raise ValueError(f"a rate looks like '10/m' or '100/5m' (s, m, h, d); got {rate!r}")
    return int(match[1]), int(match[2] or 1) * _UNITS[match[3]]


def requester(request) -> str:
    """Whom a budget counts: the logged-in user, else (logged out) the client's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def hit(key: str, who: str, rate: str) -> int:
    """Count one request of ``who`` against ``key``; return the seconds to wait, 0 if allowed.

    A fixed window per ``rate`` period: cheap (one or two cache operations) and shared by
    every app server using the same cache. At a window's edge a burst of up to twice the
    rate can pass, which is fine for protecting the server.
    """
    limit, period = parse_rate(rate)
    now = clock()
    window = int(now // period)
    cache_key = f"throttle:{key}:{who}:{window}"
    # add() is atomic: only the first request of a window creates the counter.
    if cache.add(cache_key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=period + 1)
            count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * period - now))


def waiting(key: str, who: str, rate: str) -> int:
    """The seconds ``who`` must wait if ``key``'s budget of this window is spent; else 0.

    Counts nothing (``hit`` counts): for budgets of failures, checked before each try.
    """
    limit, period = parse_rate(getattr(settings, "THROTTLE_RATES", {}).get(key, rate))
    now = clock()
    window = int(now // period)
    count = cache.get(f"throttle:{key}:{who}:{window}") or 0
    return max(1, math.ceil((window + 1) * period - now)) if count >= limit else 0


def too_many(request, wait: int) -> HttpResponse:
    """The 429 page saying how long to wait, with ``Retry-After``."""
    response = render(request, "429.html", {"retry_after": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def refused(request, key: str, rate: str) -> HttpResponse | None:
    """Count this request against ``key``; the 429 page if the budget is spent, else None.

    For views that are only expensive on some paths (the PDF export renders only on a cache
    miss): call it on that path alone.
    """
    effective = getattr(settings, "THROTTLE_RATES", {}).get(key, rate)
    wait = hit(key, requester(request), effective)
    return too_many(request, wait) if wait else None


def throttle(key: str, rate: str = "10/m"):
    """Decorate a view so each user may call it ``rate`` times per window (see module doc)."""
    parse_rate(rate)  # a typo fails at import, not at the first request

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            return refused(request, key, rate) or view(request, *args, **kwargs)

        return wrapped

    return decorator


def login_lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out log-in: a 429 page saying how long to wait."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
