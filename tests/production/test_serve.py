"""The production configuration: what ``make serve`` runs, and what it refuses to run."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRODUCTION = {
    "SECRET_KEY": "production-secret-key-with-enough-entropy-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "canvas.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://canvas.example.org",
    "DATABASE_URL": "postgres://canvas@db.internal:5432/canvas",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SECURE_PROXY_SSL_HEADER": "1",
    "TRUSTED_PROXY_COUNT": "1",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "Relationship canvas <no-reply@canvas.example.org>",
}


def python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "HTTPS",
            "DATABASE_URL",
            "REDIS_URL",
            "STATIC_MANIFEST",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def manage(*args, **env) -> subprocess.CompletedProcess:
    return python(
        "import sys; from django.core.management import execute_from_command_line; "
        f"execute_from_command_line(['manage.py', *{list(args)!r}])",
        DJANGO_SETTINGS_MODULE="canvas_site.settings",
        **env,
    )


def test_check_deploy_is_clean_with_every_production_variable():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_stops_plain_http_except_a_trial_on_loopback():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECURE_HSTS_SECONDS="0"
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    # HTTPS=0 on a public host: plain HTTP in production, refused.
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, HTTPS="0")
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # session cookie sent in clear
    # HTTPS=0 on loopback only: a trial on this machine, whose HTTPS warnings are expected.
    trial = {**PRODUCTION, "HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **trial)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_settings_are_those_of_a_stateless_app_server():
    result = python(
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from django.template import engines; "
        "print(json.dumps({"
        "'debug': s.DEBUG, 'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'], "
        "'health_checks': s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
        "'cache': s.CACHES['default']['BACKEND'], 'session': s.SESSION_ENGINE, "
        "'static': s.STORAGES['staticfiles']['BACKEND'], 'hsts': s.SECURE_HSTS_SECONDS, "
        "'loaders': repr(engines['django'].engine.loaders)}))",
        DJANGO_SETTINGS_MODULE="canvas_site.settings",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["conn_max_age"] == 60
    assert values["health_checks"] is True
    assert values["cache"] == "canvas_site.cache.TolerantRedisCache"
    assert values["session"] == "django.contrib.sessions.backends.db"
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["hsts"] == 31536000
    assert "django.template.loaders.cached.Loader" in values["loaders"]


def test_without_redis_the_cache_is_shared_through_the_database():
    result = python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'])",
        DJANGO_SETTINGS_MODULE="canvas_site.settings",
        **{**PRODUCTION, "REDIS_URL": ""},
    )
    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", "", "SECRET_KEY is not set"),
        ("SECRET_KEY", "short-key", "SECRET_KEY is too short"),
        ("SECRET_KEY", "a" * 60, "SECRET_KEY is too short or too simple"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS is empty"),
        ("ALLOWED_HOSTS", "*", "ALLOWED_HOSTS must name"),
        ("CSRF_TRUSTED_ORIGINS", "canvas.example.org", "CSRF_TRUSTED_ORIGINS entry"),
        ("DATABASE_URL", "mysqlx://nowhere", "DATABASE_URL is not a valid database URL"),
        ("REDIS_URL", "cache.internal:6379", "REDIS_URL must start with"),
        ("CONN_MAX_AGE", "a minute", "CONN_MAX_AGE must be a whole number"),
        ("TRUSTED_PROXY_COUNT", "yes", "TRUSTED_PROXY_COUNT must be a whole number"),
        ("HTTPS", "maybe", "HTTPS must be one of"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be json or text"),
    ],
)
def test_an_unsafe_setting_stops_the_process_naming_the_variable(variable, value, message):
    result = manage("check", **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, **headers):
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_the_app_and_compressed_hashed_static_files(tmp_path):
    """What ``make serve`` starts, on a loopback port, with a throwaway SQLite database."""
    port = free_port()
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    }
    for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"]):
        result = manage(*command, **env)
        assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    css = manifest["paths"]["css/app.css"]
    assert css != "css/app.css"  # a hashed name
    assert (tmp_path / "static" / f"{css}.gz").exists()
    assert (tmp_path / "static" / f"{css}.br").exists()

    environment = {**os.environ, **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    for name in ("DEBUG", "STATIC_MANIFEST", "REDIS_URL"):
        environment.pop(name, None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "canvas_site/gunicorn.conf.py"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, _, body = get(f"{base}/healthz/")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "not used"}

        status, headers, body = get(f"{base}/accounts/login/")
        assert status == 200
        assert f"/static/{css}".encode() in body
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]

        status, headers, _ = get(f"{base}/static/{css}", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]
        status, headers, _ = get(f"{base}/static/{css}", **{"Accept-Encoding": "br"})
        assert headers["Content-Encoding"] == "br"
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert '"path": "/healthz/"' in output  # the JSON request log, on stderr
    assert "Traceback" not in output
