"""Request logging: one structured line per request, with its timing and a request id; and the
session and the logged-in user, each read with one plain query instead of a queryset compiled
anew for every request (what a page costs beyond a health check is mostly Python, little SQL)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from functools import partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.middleware import auser
from django.contrib.sessions.backends import db as db_sessions
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from canvas_site.client_ip import client_ip
from canvas_site.logging import loaded_user_id, loggable_path, request_id_var
from canvas_site.queries import CompiledQuery
from canvas_site.recent import Recent

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


class SessionStore(db_sessions.SessionStore):
    """Django's database session store, reading a session with one plain SELECT of its data.

    The same table, rows, signing and expiry as ``django.contrib.sessions.backends.db``: only
    the read that every logged-in request makes skips building and compiling a queryset, which
    costs several times what the database takes to answer it.
    """

    @property
    def key_salt(self) -> str:
        """Django's own store's salt (it is made of the class name): the same signed data."""
        return "django.contrib.sessions." + db_sessions.SessionStore.__qualname__

    # The user whose row was read in the same statement as the session: (id, row or None).
    user_read_with_it: tuple[int, tuple | None] | None = None

    def decode(self, session_data: str) -> dict:
        """Django's decoding (the signature checked, the data read), once per process for the
        same signed data of a session of plain values, as a login leaves it: every request of
        a logged-in user reads it again, and its signature and JSON were a thirtieth of a
        save."""
        key = (session_data, settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
        found = _decoded.get(key)
        if found is None:
            found = super().decode(session_data)
            if not found or not all(type(v) in _PLAIN for v in found.values()):
                return found  # an empty one (a bad signature) or one with lists or dicts
            _decoded.put(key, found)
        return dict(found)  # the session's to change

    def _get_session_from_db(self):
        model = self.model
        if self.session_key is None:  # no cookie, or not a key Django would make
            return None
        using = router.db_for_read(model)
        connection = connections[using]
        expire_date = model._meta.get_field("expire_date")
        quote = connection.ops.quote_name
        table, data = quote(model._meta.db_table), quote("session_data")
        where = f"WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s"
        params = [self.session_key, expire_date.get_db_prep_value(timezone.now(), connection)]
        user_pk = _session_users.get(self.session_key)
        if user_pk is not None and router.db_for_read(auth.get_user_model()) == using:
            # Whose session this was last time: their row comes with it, in one round trip
            # (``_valid_model_backend_user`` takes it only if the session still says so).
            user_sql, user_params = _USER_ROW.sql(user_pk, using=using)
            sql = f"SELECT s.{data}, u.* FROM {table} s LEFT JOIN ({user_sql}) u ON 1 = 1 {where}"
            params = [*user_params, *params]
        else:
            sql = f"SELECT s.{data} FROM {table} s {where}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        if len(row) > 1:
            user = _USER_ROW.converted(row[1:], using) if row[1] is not None else None
            self.user_read_with_it = (user_pk, user)
        return model(session_key=self.session_key, session_data=row[0])


# Signed session data as it was decoded (``SessionStore.decode``), by the data and the secrets
# it was checked with: the same string always decodes the same with the same secrets.
_decoded = Recent(20_000)
_PLAIN = {str, int, float, bool, type(None)}


class SessionReadMiddleware:
    """Right after Django's ``SessionMiddleware``: a database session is read by
    ``SessionStore`` above. Settings and deploy checks keep Django's own engine and middleware
    by name; nothing has read the session yet, so nothing is lost in the swap."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if type(getattr(request, "session", None)) is db_sessions.SessionStore:
            request.session = SessionStore(request.session.session_key)
        return self.get_response(request)


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _user_query(pk: int):
    model = auth.get_user_model()
    return model._default_manager.filter(pk=pk).values_list(*_user_fields())


def _user_fields() -> list[str]:
    return [f.attname for f in auth.get_user_model()._meta.concrete_fields]


_USER_ROW = CompiledQuery(_user_query)
# Whose each session was when this process last read it: a hint for ``SessionStore`` to read
# that user's row in the same statement as the session. Nothing is taken on trust from it:
# both rows are read fresh, and the session's own signed data must name the same user.
_session_users = Recent(20_000)


def _valid_model_backend_user(request: HttpRequest):
    """The user of a session that ``django.contrib.auth.get_user`` would accept as it is (logged
    in through ``ModelBackend``, active, its session hash made with today's secret), read with
    one compiled query; None for anything else, which Django's own ``get_user`` then decides
    (anonymous, a flushed session, a hash moved to a new secret)."""
    session = request.session
    if session.get(BACKEND_SESSION_KEY) != MODEL_BACKEND:
        return None
    if MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return None
    model = auth.get_user_model()
    try:
        pk = model._meta.pk.to_python(session[SESSION_KEY])
    except (KeyError, ValidationError):
        return None
    using = router.db_for_read(model)
    read_with_it = getattr(session, "user_read_with_it", None)
    if read_with_it is not None and read_with_it[0] == pk:
        row = read_with_it[1]
    else:
        rows = _USER_ROW.rows(pk, using=using)
        row = rows[0] if rows else None
    if row is None:
        return None
    user = model.from_db(using, _user_fields(), row)
    if not ModelBackend().user_can_authenticate(user):
        return None
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    if session.session_key is not None:
        _session_users.put(session.session_key, pk)
    return user


def _get_user(request: HttpRequest):
    if not hasattr(request, "_cached_user"):
        request._cached_user = _valid_model_backend_user(request) or auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthentication):
    """Django's authentication middleware; ``request.user`` of a valid session costs one
    compiled query (``_valid_model_backend_user``), any other is Django's ``get_user``."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))
        request.auser = partial(auser, request)
