"""What ``make serve`` starts: gunicorn, and beside it a Celery worker when PDFs go on a queue.

The worker starts when ``REDIS_URL`` is set (``PDF_QUEUE`` celery, the default then) unless
``PDF_WORKERS=0``: on a machine that only serves pages, workers run elsewhere with ``celery -A
canvas_site worker``. ``PDF_WORKER_CONCURRENCY`` (default 1) renders at once per worker: a render
takes one core, so on two cores one leaves the other to the pages.

Runs both in the foreground, passes SIGTERM and SIGINT on, and when either stops, stops the other
and exits with the status of the first one: a supervisor (systemd, a container) sees one process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

BIN = Path(sys.executable).parent
GRACE = 30  # seconds each process has to finish its requests, or its render, when stopped


def commands(env: Mapping[str, str]) -> list[list[str]]:
    """The processes to run for ``env``: gunicorn, and maybe the PDF worker."""
    web = [str(BIN / "gunicorn"), "--config", "canvas_site/gunicorn.conf.py"]
    queue = env.get("PDF_QUEUE") or ("celery" if env.get("REDIS_URL") else "inline")
    if queue != "celery" or env.get("PDF_WORKERS", "1").strip() in {"0", "no", "false"}:
        return [web]
    worker = [
        str(BIN / "celery"),
        "--app",
        "canvas_site",
        "worker",
        "--concurrency",
        env.get("PDF_WORKER_CONCURRENCY", "1"),
        "--loglevel",
        env.get("LOG_LEVEL", "INFO"),
        "--without-gossip",  # workers need not talk to each other: each takes renders in turn
        "--without-mingle",
    ]
    return [web, worker]


def main() -> int:
    processes = [subprocess.Popen(command) for command in commands(os.environ)]

    def stop(signum=None, frame=None) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    first = next(process for process in processes if process.poll() is not None)
    stop()
    deadline = time.monotonic() + GRACE
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return first.returncode


if __name__ == "__main__":
    sys.exit(main())
