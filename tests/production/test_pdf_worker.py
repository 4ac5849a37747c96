"""What ``make serve`` starts with Redis: gunicorn and a Celery worker that renders the PDFs.

The whole way, over real connections: the web server puts the render on Redis, the worker takes
it, renders it and leaves the PDF in the cache they share, and the reader's next request gets it.
Starts a redis-server of its own on a free loopback port (the one loadtest.faults starts).
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from canvas_site.serve import commands
from loadtest.faults import Redis
from tests.production.test_serve import ROOT, free_port, get, manage, python

REDIS_URL = "redis://127.0.0.1:6379/0"  # for the commands only: nothing connects to it

SEED = """
import django, json
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from relationships.sample import create_sample_canvas
user = get_user_model().objects.create_user("owner", password="a-long-test-password")
canvas = create_sample_canvas(user)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(json.dumps({"session": session.session_key, "canvas": canvas.pk}))
"""


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of its own on a free loopback port, so that no other run shares its queue."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is missing (apt-get install redis-server)")
    server = Redis(tmp_path, free_port())
    server.start()
    yield server.url
    server.stop()


def test_make_serve_renders_pdfs_on_its_worker(tmp_path, redis_url):
    port = free_port()
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "REDIS_URL": redis_url,
        "STATIC_MANIFEST": "0",  # no collectstatic: the PDF reads static/ itself
    }
    result = manage("migrate", "--noinput", **env)
    assert result.returncode == 0, result.stderr
    seeded = python(SEED, DJANGO_SETTINGS_MODULE="canvas_site.settings", **env)
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])

    environment = {**os.environ, **env}
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "-m", "canvas_site.serve"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/canvases/{seed['canvas']}/export.pdf?layout=report"
    cookie = {"Cookie": f"sessionid={seed['session']}; django_language=en"}
    try:
        for _ in range(150):
            try:
                status, _, _ = get(f"http://127.0.0.1:{port}/healthz/")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200

        status, headers, body = get(url, **cookie)
        assert status == 202
        assert b"Preparing your PDF" in body
        assert "no-store" in headers["Cache-Control"]

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # what the notice does, once a second
            status, headers, body = get(url, **cookie, **{"HX-Request": "true"})
            assert status == 200
            if "HX-Redirect" in headers:
                break
            assert b"Something went wrong" not in body
            time.sleep(0.5)
        assert headers["HX-Redirect"] == url.removeprefix(f"http://127.0.0.1:{port}")

        status, headers, body = get(url, **cookie)
        assert status == 200
        assert headers["Content-Type"] == "application/pdf"
        assert body.startswith(b"%PDF")
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0].decode()
    assert server.returncode == 0, output
    assert "relationships.render_pdf" in output  # the worker took it, and said so in its log
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("env", "programs"),
    [
        ({}, ["gunicorn"]),
        ({"REDIS_URL": REDIS_URL}, ["gunicorn", "celery"]),
        ({"REDIS_URL": REDIS_URL, "PDF_WORKERS": "0"}, ["gunicorn"]),  # workers run elsewhere
        ({"REDIS_URL": REDIS_URL, "PDF_QUEUE": "inline"}, ["gunicorn"]),
    ],
)
def test_make_serve_starts_a_worker_only_for_a_queue(env, programs):
    assert [Path(command[0]).name for command in commands(env)] == programs
