"""What load balancers poll, and what users see when the database is down.

- ``/healthz/`` (readiness): can this app server serve pages? It asks the database
  (``SELECT 1``) and the cache. 503 when the database does not answer; 200 with
  ``"status": "degraded"`` when only Redis is down (pages still work without it,
  ``canvas_site.cache``).
- ``/healthz/live/`` (liveness): the process answers at all; touches nothing.
- ``server_error``: a request that failed because the database is unreachable gets a "back
  soon" 503 page (with ``Retry-After``), not the 500 of a bug.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)
RETRY_SECONDS = 30


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return "unavailable"
    return "ok"


def _cache() -> str:
    """ "ok" or "unavailable" for Redis; "not used" when the site runs without it."""
    if not settings.REDIS_URL:
        return "not used"
    cache.set("healthz", "1", 10)
    return "ok" if cache.get("healthz") == "1" else "unavailable"


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    database, cached = _database(), _cache()
    if database != "ok":
        status, code = "error", 503
    else:
        status, code = ("degraded" if cached == "unavailable" else "ok"), 200
    return JsonResponse({"status": status, "database": database, "cache": cached}, status=code)


@login_not_required
@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database that does not answer is a 503 "back soon" page."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        # The middleware on the way out must not ask the database for the session's user
        # again: against a database that takes connections and never answers, that would be
        # a second wait of DB_CONNECT_TIMEOUT before the user sees this page.
        request.user = AnonymousUser()
        html = loader.get_template("503.html").render({"retry_after": RETRY_SECONDS})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_SECONDS)
        return response
    return django_server_error(request)
