"""gunicorn settings for ``make serve``, read from the environment like the Django settings.

BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes, default 2 per core plus 1),
GUNICORN_THREADS (threads per worker: 1 when PDFs render on the job queue, else 2),
GUNICORN_TIMEOUT (seconds, default 60).

Processes rather than many threads: a request here is mostly Python (templates, forms) between
short database round trips, and the threads of one worker share one GIL, so extra threads add
database connections more than speed. ``make load`` on two cores, 100 users: p95 of the canvas
page 54 ms with 4 workers x 4 threads (16 connections), 50 ms with 5 x 2 (10 connections), 45 ms
with 4 x 1. Two threads keep a worker answering while its other thread renders a long PDF,
which it does only without the job queue (no REDIS_URL, or PDF_QUEUE=inline); with the queue a
worker has one thread: ``make load`` on two cores (1 December 2026), 300 people, 5 x 1 against
5 x 2: 193 requests/s against 188, p95 in Django 43 ms against 95 ms (the page), and the same
page and save ceilings or better.
Each thread keeps one database connection open (CONN_MAX_AGE), so one app server holds at most
WEB_CONCURRENCY x GUNICORN_THREADS connections: size PostgreSQL's max_connections for that.
"""

import multiprocessing
import os

wsgi_app = "canvas_site.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "gthread"
_queued = (
    os.environ.get("PDF_QUEUE") or ("celery" if os.environ.get("REDIS_URL") else "inline")
) == "celery"
threads = int(os.environ.get("GUNICORN_THREADS", "1" if _queued else "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a large PDF takes a few seconds
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak can never take a server down.
max_requests = 10000
max_requests_jitter = 1000
# Requests are logged by canvas_site.middleware.RequestLogMiddleware, with timing and user.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from a proxy on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
