"""Settings for the Customer Relationships canvas, read from the environment.

Every value an operator may change comes from an environment variable; the defaults make a
fresh clone run on SQLite with nothing else. With ``DEBUG`` off, a missing or unsafe value
stops the process with an ``ImproperlyConfigured`` naming the variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or set DEBUG=1 for local work."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY is too short or too simple: use at least 50 random characters, e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty: list the host names this site answers to.")
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's hosts, not '*'.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entry {_origin!r} must start with https:// (or http://)."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "accounts",
    "relationships",
    "classrooms",
    "teams",
]

MIDDLEWARE = [
    "canvas_site.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A database session read with one plain query (canvas_site.middleware.SessionStore).
    "canvas_site.middleware.SessionReadMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the logged-in user read by one compiled query (canvas_site.middleware).
    "canvas_site.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "canvas_site.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "canvas_site.urls"
WSGI_APPLICATION = "canvas_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "classrooms.context_processors.unread_feedback",
            ],
        },
    },
]

FORM_RENDERER = "canvas_site.forms.FormRenderer"

try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            # Persistent connections in production: no connect/auth round trip per request.
            conn_max_age=env_int("CONN_MAX_AGE", 0 if DEBUG else 60),
            conn_health_checks=True,
        )
    }
except ValueError as error:  # an unknown scheme or a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
# A PostgreSQL that takes the connection but never answers (overloaded, a stuck proxy, a host
# gone from the network) must not hold a request: libpq would wait for ever, past gunicorn's
# timeout. After DB_CONNECT_TIMEOUT seconds the request fails, a "back soon" 503
# (canvas_site.health). A connect_timeout in DATABASE_URL's query string wins.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DB_CONNECT_TIMEOUT", 3)
    )
    # Parameters bound on the server, and a statement run five times on a connection prepared
    # there: PostgreSQL then parses and plans each of the few dozen statements of the hot paths
    # once per connection (CONN_MAX_AGE keeps them), which halves its CPU per page and per
    # save (README, "Performance"). DB_PREPARED_STATEMENTS=0 goes back to Django's default
    # (client-side binding), for a pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode).
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)

# The cache holds rate-limit counters (and the PDF cache), so every app server must share it:
# Redis when REDIS_URL is set, otherwise a table in the database (``createcachetable``).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
    CACHES = {"default": {"BACKEND": "canvas_site.cache.TolerantRedisCache", "LOCATION": REDIS_URL}}
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }
# Rendered relationship cards (relationships/cards.py). Their keys are a hash of what a card
# shows, so an entry can never go stale: each process may keep its own copy in memory, or all
# share Redis when there is one.
CACHES["cards"] = (
    {"BACKEND": "canvas_site.cache.TolerantRedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cards",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
)
# Who has a canvas open (teams.live): a heartbeat every few seconds per open page, so never in
# the database. Shared through Redis when there is one; else each process knows its own pages
# only (README, "Live changes").
CACHES["presence"] = (
    {"BACKEND": "canvas_site.cache.TolerantRedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "presence"}
)
# PDF renders (relationships.pdf.jobs): on Celery workers with Redis as the broker when
# REDIS_URL is set (README, "PDF export"), else in the web process that was asked. PDF_QUEUE=
# inline keeps them in process even with Redis; PDF_QUEUE=celery without REDIS_URL is an error.
PDF_QUEUE = os.environ.get("PDF_QUEUE", "celery" if REDIS_URL else "inline")
if PDF_QUEUE not in {"celery", "inline"}:
    raise ImproperlyConfigured(f"PDF_QUEUE must be celery or inline; got {PDF_QUEUE!r}")
if PDF_QUEUE == "celery" and not REDIS_URL:
    raise ImproperlyConfigured("PDF_QUEUE=celery needs REDIS_URL (the broker).")
# A render is stopped past PDF_TIME_LIMIT seconds (on a worker); each account may spend
# PDF_RENDER_BUDGET seconds of render time per window ("120/10m": 120 s every 10 minutes).
PDF_TIME_LIMIT = env_int("PDF_TIME_LIMIT", 60)
PDF_RENDER_BUDGET = os.environ.get("PDF_RENDER_BUDGET", "120/10m")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_IGNORE_RESULT = True  # a render leaves its PDF in the cache, not a result
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A web request must never wait on a broker that is down: publishing fails at once (and the
# PDF is rendered in process instead); the worker, on the other hand, retries for ever.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for Redis to come back, however long
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # renders are long: a busy worker leaves the next to others
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200  # WeasyPrint caches grow: a fresh process now and then
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # LOGGING above, as JSON in production

# Sessions live in the database (Django's default engine): any app server can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "canvas_list"
LOGOUT_REDIRECT_URL = "login"

# Spanish first, English second.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Formats of our own per language ("CHANGED_DATETIME_FORMAT"), besides Django's.
FORMAT_MODULE_PATH = ["canvas_site.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Madrid")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# WhiteNoise serves static files from gunicorn: hashed names (cached for ever) and gzip/brotli
# copies, made by ``collectstatic``. Without a collected manifest (tests, ``make run``) the plain
# storage keeps working, so STATIC_MANIFEST is off there.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security: cookies and headers that hold with DEBUG off.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]"}
SILENCED_SYSTEM_CHECKS = []
if not DEBUG and not HTTPS and set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
    # HTTPS=0 on a server that answers only on loopback is a trial on this machine: the checks
    # that ask for HTTPS would only repeat it. Anywhere else they stay, and ``make serve``
    # refuses plain HTTP; so does any other warning of ``check --deploy``.
    SILENCED_SYSTEM_CHECKS += [
        "security.W004",  # no HSTS
        "security.W008",  # no redirect to HTTPS
        "security.W012",  # session cookie not Secure
        "security.W016",  # CSRF cookie not Secure
    ]
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
# How many proxies in front of the app append to X-Forwarded-For. 0: use the socket's address
# and ignore the header, which any client can forge.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# E-mail, for password recovery only. In debug without EMAIL_HOST the mail is printed on the
# console (``make run``); otherwise it goes through SMTP. ``check --deploy`` warns when DEBUG is
# off and EMAIL_HOST is not set (accounts.W001), unless EMAIL=off says on purpose that this site
# sends no mail: then the recovery page tells people to ask their teacher or administrator.
EMAIL_ENABLED = env_bool("EMAIL", True)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10  # seconds: a mail server that hangs must not hold a worker thread for ever
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "webmaster@localhost"
if not EMAIL_ENABLED:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    SILENCED_SYSTEM_CHECKS += ["accounts.W001"]
elif DEBUG and not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account from
# one address, that pair waits AXES_COOLOFF_MINUTES. Never by address alone (a whole class shares
# one school address) nor by account alone (anyone could lock a student out), and never for ever.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "canvas_site.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "canvas_site.throttle.login_lockout_response"
AXES_VERBOSE = False

# No inline script or style anywhere: htmx's indicator styles ship in our CSS
# (includeIndicatorStyles is off in base.html) and event handlers live in static/js/app.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Pico draws checkbox and select marks as data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# One line per request (canvas_site.middleware) and per error, as JSON in production
# (LOG_FORMAT=json|text), each with the request id; never a body, cookie or query string.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text; got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "canvas_site.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "canvas_site.logging.JsonFormatter"},
        "text": {"()": "canvas_site.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # The request middleware logs every response; Django's own 4xx lines would repeat it.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # WeasyPrint reports each step of every PDF it renders, and fontTools (which subsets
        # the PDF's fonts where HarfBuzz's subsetter is not installed) some forty lines a font.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
