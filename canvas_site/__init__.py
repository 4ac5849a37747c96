# The Celery application is loaded with Django, so that tasks are sent with its settings.
from canvas_site.celery import app as celery_app

__all__ = ["celery_app"]
