"""Request logging: one structured line per request, with its timing and a request id."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from canvas_site.client_ip import client_ip
from canvas_site.logging import loaded_user_id, loggable_path, request_id_var

logger = logging.getLogger("canvas.request")

# An id handed over by the proxy is kept only if it looks like one: it goes into the logs.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLogMiddleware:
    """Log method, path, status, duration, user and address of every request; first in line.

    The request id comes from ``X-Request-ID`` when a proxy sets a sane one, else is made here;
    it is echoed in the response and stamped on every log line written during the request.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response["X-Request-ID"] = request_id
            status = response.status_code
            path = loggable_path(request)
            logger.log(
                logging.ERROR if status >= 500 else logging.INFO,
                "%s %s %s %.1fms",
                request.method,
                path,
                status,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "user_id": loaded_user_id(request),
                    "client_ip": client_ip(request),
                    "htmx": request.headers.get("HX-Request") == "true",
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class PrivatePagesMiddleware:
    """What a logged-in user sees is theirs: no shared cache may keep it, nor the browser's
    back-forward store once they log out (``Cache-Control: private, no-store``), unless the
    view said otherwise (a PDF is ``private, no-cache`` so that its ETag can answer 304).

    Every page may answer an htmx request with a fragment and a plain one with the whole page,
    so every answer varies on ``HX-Request``: no cache may serve one for the other.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        patch_vary_headers(response, ["HX-Request"])
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
