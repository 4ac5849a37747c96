"""The Celery application: workers that render PDFs off the web servers (relationships.tasks).

Started by ``make serve`` when ``REDIS_URL`` is set, or on any machine that reaches the same
Redis and database: ``celery -A canvas_site worker``. Its settings are the ``CELERY_*`` names in
``canvas_site.settings``; without ``REDIS_URL`` nothing is ever sent to it (``PDF_QUEUE=inline``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canvas_site.settings")

app = Celery("canvas_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
