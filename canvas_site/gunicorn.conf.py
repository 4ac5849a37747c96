"""gunicorn settings for ``make serve``, read from the environment like the Django settings.

BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes, default 2 per core),
GUNICORN_THREADS (threads per worker, default 4), GUNICORN_TIMEOUT (seconds, default 60).
Each thread keeps one database connection open (CONN_MAX_AGE), so one app server holds at most
WEB_CONCURRENCY x GUNICORN_THREADS connections: size PostgreSQL's max_connections for that.
"""

import multiprocessing
import os

wsgi_app = "canvas_site.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
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
