"""A database that takes the connection but never answers must not hold a request.

Found by ``make faults``: with PostgreSQL stopped, connections are refused at once and users get
the "back soon" 503; but libpq waits for ever for a server that accepts and stays silent (an
overloaded host, a stuck proxy), so each request hung past gunicorn's timeout. The settings give
PostgreSQL a connect timeout (``DB_CONNECT_TIMEOUT``, 3 s), and the 503 handler makes sure the
middleware on the way out does not wait for it a second time (the session's user).
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection as django_connection

ROOT = Path(settings.BASE_DIR)


def run(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DB_CONNECT_TIMEOUT", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY="tests-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="testserver",
        HTTPS="0",
        EMAIL="off",
        STATIC_MANIFEST="0",
        LOG_LEVEL="CRITICAL",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


OPTIONS = (
    "import os, json; os.environ['DJANGO_SETTINGS_MODULE'] = 'canvas_site.settings'; "
    "from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        ("postgres://canvas@db.internal:5432/canvas", {}, 3),
        ("postgres://canvas@db.internal:5432/canvas", {"DB_CONNECT_TIMEOUT": "7"}, 7),
        ("postgres://canvas@db.internal:5432/canvas?connect_timeout=10", {}, 10),
    ],
)
def test_postgresql_connections_have_a_timeout(url, env, expected):
    done = run(OPTIONS, DATABASE_URL=url, **env)
    assert done.returncode == 0, done.stderr
    assert int(json.loads(done.stdout)["connect_timeout"]) == expected


def test_sqlite_gets_no_postgresql_option():
    done = run(OPTIONS, DATABASE_URL="sqlite:///:memory:")
    assert done.returncode == 0, done.stderr
    assert "connect_timeout" not in json.loads(done.stdout)


@pytest.fixture
def silent_database():
    """A port that accepts connections and never says a word, as a stuck server would."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"postgres://canvas@127.0.0.1:{server.getsockname()[1]}/canvas"


def test_a_database_that_never_answers_is_a_back_soon_503_after_one_timeout(silent_database):
    code = (
        "import os, json, time; os.environ['DJANGO_SETTINGS_MODULE'] = 'canvas_site.settings'\n"
        "import django; django.setup(); from django.test import Client\n"
        "def timed(client, path):\n"
        "    started = time.monotonic(); response = client.get(path)\n"
        "    return [response.status_code, time.monotonic() - started, response['Content-Type'],\n"
        "            'Back in a moment' in response.content.decode()]\n"
        "balancer = Client(raise_request_exception=False)\n"
        "user = Client(raise_request_exception=False)\n"
        "user.cookies['sessionid'] = 'a' * 32\n"  # a logged-in page reads its session first
        "user.cookies['django_language'] = 'en'\n"
        "print(json.dumps({'health': timed(balancer, '/healthz/'), 'page': timed(user, '/')}))"
    )
    started = time.monotonic()
    done = run(code, DATABASE_URL=silent_database, DB_CONNECT_TIMEOUT="2")
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    status, seconds, content_type, _ = answers["health"]
    assert (status, content_type) == (503, "application/json")
    assert 1.5 < seconds < 3.9  # one wait of the timeout, not two
    status, seconds, _, back_soon = answers["page"]
    assert status == 503
    assert back_soon
    assert 1.5 < seconds < 3.9
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    ("env", "prepared"), [({}, True), ({"DB_PREPARED_STATEMENTS": "0"}, False)]
)
def test_postgresql_binds_and_prepares_on_the_server_unless_turned_off(env, prepared):
    done = run(OPTIONS, DATABASE_URL="postgres://canvas@db.internal:5432/canvas", **env)
    assert done.returncode == 0, done.stderr
    options = json.loads(done.stdout)
    assert options.get("server_side_binding", False) is prepared
    assert ("prepare_threshold" in options) is prepared


@pytest.mark.django_db
@pytest.mark.skipif(
    django_connection.vendor != "postgresql", reason="runs when DATABASE_URL is PostgreSQL"
)
def test_a_statement_asked_again_and_again_is_planned_once_by_postgresql(client, canvas):
    """The canvas page's statements, asked a few times on one connection, are kept prepared in
    PostgreSQL's session (pg_prepared_statements): parsed and planned once, not every time."""
    client.force_login(canvas.owner)
    for _ in range(8):
        assert client.get(f"/canvases/{canvas.pk}/").status_code == 200
    with django_connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("django_session" in statement for statement in prepared)
