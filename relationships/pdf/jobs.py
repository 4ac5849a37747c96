"""PDF renders off the web workers: one job per PDF, on Celery workers with Redis as the broker.

A render costs from a few hundred milliseconds of CPU (the pitch page) to a few seconds (the
report of a large canvas). Rendered by the web workers, five large reports at once made every
other user's page wait half a minute; on the queue they wait for a worker instead, and the web
servers keep answering pages. What the reader sees (``relationships.views.export``): a PDF that
is in the cache comes at once; otherwise a notice says it is being prepared, asks again every
second, and opens the PDF as soon as it is there.

The state lives in the default cache, which the web servers and the workers share (Redis):

- ``pdf-job:<key>``: the job of the PDF kept under that cache key, while it waits, renders or
  has just failed. Identical requests (the same version, layout, size and language) find it and
  share the one render, whoever asked.
- ``pdf-running:<who>``: the one render an account has going; its next PDF waits its turn.
- ``pdf-seconds:<who>:<window>``: the render time an account spent in the current window, in
  milliseconds. Past ``settings.PDF_RENDER_BUDGET`` (seconds per window) it waits for the next
  one: a large report costs ten times a pitch page, so the budget counts time, not requests.

A render past ``settings.PDF_TIME_LIMIT`` seconds is stopped and says so. With ``PDF_QUEUE=
inline`` (no Redis: ``make run``, the tests) the render runs in the request that asked, under the
same rules but the time limit. A broker that cannot be reached makes a request render in process
too: a Redis outage costs speed, never a PDF.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from canvas_site import throttle
from relationships.pdf.cache import PdfExport

logger = logging.getLogger(__name__)
QUEUE_WAIT = 120  # seconds a job may wait for a worker before a new request starts it again
FAILURE_KEPT = 30  # seconds a failed job answers for its PDF before it may be tried again
SLOW = 20  # seconds in the queue after which the notice says the wait is longer than usual
stopwatch = time.monotonic  # what a render's time is measured with (the tests give it a pace)
now = time.time  # when a job started: a dead worker's job is over past the time limit


class State(StrEnum):
    READY = "ready"  # the PDF is there
    WAITING = "waiting"  # in the queue, for a free worker
    RENDERING = "rendering"  # a worker is laying it out
    BEHIND = "behind"  # the account's other PDF is being prepared first
    TOO_LONG = "too-long"  # stopped at the time limit
    FAILED = "failed"  # the render broke (logged)
    BUDGET = "budget"  # the account has spent its render time for now

    @property
    def is_over(self) -> bool:
        """Whether asking again soon can change anything (the notice stops asking if not)."""
        return self in {State.TOO_LONG, State.FAILED, State.BUDGET}


@dataclass(frozen=True)
class Progress:
    """Where a PDF stands: its bytes once ``READY``; ``wait`` seconds for a spent budget;
    ``slow`` when it has waited for a worker longer than ``SLOW`` seconds."""

    state: State
    pdf: bytes | None = None
    wait: int = 0
    slow: bool = False  # waiting for a worker longer than usual


def prepare(export: PdfExport, who: str) -> Progress:
    """The PDF if it is ready; else start its render (or join the one going) and say where it is.

    ``who`` is the account that asks (``canvas_site.throttle.requester``): its budget pays for
    a render it starts, and it has one render at a time.
    """
    pdf = export.cached()
    if pdf is not None:
        return Progress(State.READY, pdf)
    job = cache.get(_job(export.key))
    if job is not None:
        return _progress(job)
    if wait := budget_wait(who):
        return Progress(State.BUDGET, wait=wait)
    running = _running(who)
    if not cache.add(running, export.key, timeout=_held()):
        other = cache.get(running)
        if other != export.key and _going(other):
            return Progress(State.BEHIND)
        cache.set(running, export.key, timeout=_held())  # the other one ended without a word
    record = {"state": State.WAITING.value, "since": now()}
    if not cache.add(_job(export.key), record, timeout=_held()):
        _release(who, export.key)  # somebody else's request of the same PDF got there first
        return Progress(State.WAITING)
    if settings.PDF_QUEUE == "celery" and _send(export, who):
        return Progress(State.WAITING)
    try:
        return Progress(State.READY, run(export, who, export.key))
    except Exception:  # a bug of ours or of WeasyPrint: the reader gets a notice, not a 500
        logger.exception("PDF render failed: %s", export.key)
        failed(export.key, State.FAILED)
        return Progress(State.FAILED)


def run(export: PdfExport, who: str, key: str) -> bytes:
    """Render ``export`` in this process (a worker, or a request without a queue) and keep it.

    ``key`` is the job's: the PDF asked for, which a canvas edited since may have moved past.
    Whatever happens, the job ends, the account may start its next render, and the time spent
    is charged to its budget.
    """
    started(key)
    start = stopwatch()
    try:
        with translation.override(export.language):
            return export.render()
    finally:
        charge(who, stopwatch() - start)
        cache.delete(_job(key))
        _release(who, key)


def started(key: str) -> None:
    """Mark the job of ``key`` as being rendered now."""
    cache.set(_job(key), {"state": State.RENDERING.value, "since": now()}, timeout=_held())


def failed(key: str, state: State) -> None:
    """Mark the job of ``key`` as ended without a PDF, for those still waiting for it."""
    cache.set(_job(key), {"state": state.value, "since": now()}, timeout=FAILURE_KEPT)


def budget_wait(who: str) -> int:
    """Seconds until ``who`` may start a render again; 0 while its budget lasts."""
    limit, period = throttle.parse_rate(settings.PDF_RENDER_BUDGET)
    now = throttle.clock()
    window = int(now // period)
    spent = cache.get(f"pdf-seconds:{who}:{window}") or 0
    return max(1, math.ceil((window + 1) * period - now)) if spent >= limit * 1000 else 0


def charge(who: str, seconds: float) -> None:
    """Count ``seconds`` of render time against the budget of ``who`` in this window."""
    _limit, period = throttle.parse_rate(settings.PDF_RENDER_BUDGET)
    key = f"pdf-seconds:{who}:{int(throttle.clock() // period)}"
    spent = max(1, round(seconds * 1000))
    if not cache.add(key, spent, timeout=period + 1):
        try:
            cache.incr(key, spent)
        except ValueError:  # expired in between
            cache.set(key, spent, timeout=period + 1)


def _progress(job: dict) -> Progress:
    state = State(job["state"])
    if state is State.RENDERING and now() - job["since"] > settings.PDF_TIME_LIMIT + 15:
        return Progress(State.TOO_LONG)  # its worker was killed before it could say so itself
    return Progress(state, slow=state is State.WAITING and now() - job["since"] > SLOW)


def _going(key: str | None) -> bool:
    """Whether the job of ``key`` is still waiting or rendering."""
    job = cache.get(_job(key)) if key else None
    return job is not None and not _progress(job).state.is_over


def _send(export: PdfExport, who: str) -> bool:
    """Put the render on the queue; False (and nothing queued) if the broker is unreachable."""
    from relationships.tasks import render_pdf

    options = export.options
    try:
        render_pdf.apply_async(
            (list(export.source), options.layout, options.size, export.language, export.key, who),
            retry=False,
        )
    except Exception as error:  # kombu.exceptions.OperationalError, OSError, timeouts
        logger.warning("PDF queue unavailable, rendering in the web process: %s", error)
        return False
    return True


def _job(key: str) -> str:
    return f"pdf-job:{key}"


def _running(who: str) -> str:
    return f"pdf-running:{who}"


def _held() -> int:
    """How long a job (and an account's turn) is held before a dead worker's is given up."""
    return settings.PDF_TIME_LIMIT + QUEUE_WAIT


def _release(who: str, key: str) -> None:
    if cache.get(_running(who)) == key:
        cache.delete(_running(who))
