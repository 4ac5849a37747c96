"""Log formatting: one JSON object per line in production, with the request id on every line.

What is logged about a request is chosen here, field by field: method, path, status, timing,
user id, client address, request id. Never a body, a cookie, a header or a query string, and
never the join code a join link or the token a password-recovery link carries in its path, so
passwords, session ids, join codes and recovery tokens stay out of the logs.
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils.functional import empty

request_id_var: ContextVar[str] = ContextVar("request_id", default="")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request being served (empty outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def loaded_user_id(request) -> int | None:
    """The logged-in user's id, only if the request already loaded its user (never a query)."""
    wrapped = getattr(getattr(request, "user", None), "_wrapped", empty)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


# Paths that carry a secret (a class's join code, the token of a password-recovery link):
# logged with the secret replaced, whether or not the URL resolved (a redirect to HTTPS or to
# the trailing slash comes first). Django swaps the token for "set-password" at once.
_SECRET_IN_PATH = [
    (re.compile(r"^(/classes/join/)[^/]+"), r"\1<code>"),
    (re.compile(r"^(/invitations/)(?!\d+/revoke/)[^/]+"), r"\1<token>"),
    (re.compile(r"^(/s/)[^/]+"), r"\1<token>"),
    (re.compile(r"^(/accounts/reset/[^/]+/)(?!set-password(/|$))[^/]+"), r"\1<token>"),
]


def loggable_path(request) -> str:
    """The request's path with each secret part replaced by its name: ``/classes/join/<code>/``."""
    path = getattr(request, "path", "")
    for pattern, replacement in _SECRET_IN_PATH:
        path = pattern.sub(replacement, path)
    return path


def _request_fields(request) -> dict:
    """What Django's ``django.request`` records carry about the failed request, made safe."""
    return {
        "method": getattr(request, "method", ""),
        "path": loggable_path(request),
        "user_id": loaded_user_id(request),
    }


def record_fields(record: logging.LogRecord) -> dict:
    """The record as a flat dict: time, level, logger, message, extras, request, exception."""
    fields = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
    }
    request = getattr(record, "request", None)
    if path := getattr(request, "path", ""):  # Django's own lines say "Not Found: <path>"
        fields["message"] = fields["message"].replace(path, loggable_path(request))
    if getattr(record, "request_id", ""):
        fields["request_id"] = record.request_id
    for key, value in vars(record).items():
        if key in _STANDARD or key.startswith("_"):
            continue
        if key == "request":
            fields.update(_request_fields(value))
        elif key == "status_code":
            fields["status"] = value
        elif isinstance(value, str | int | float | bool) or value is None:
            fields[key] = value
    if record.exc_info:
        fields["exception"] = logging.Formatter().formatException(record.exc_info)
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(record_fields(record), ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The same fields as ``key=value`` after the message, for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record_fields(record)
        exception = fields.pop("exception", "")
        head = " ".join(fields.pop(k) for k in ("time", "level", "logger", "message"))
        line = " ".join([head, *(f"{k}={v}" for k, v in fields.items())])
        return f"{line}\n{exception}" if exception else line
