"""What ``make serve`` starts: gunicorn, and beside it a Celery worker when PDFs go on a queue.

The worker starts when ``REDIS_URL`` is set (``PDF_QUEUE`` celery, the default then) unless
``PDF_WORKERS=0``: on a machine that only serves pages, workers run elsewhere with ``celery -A
canvas_site worker``. ``PDF_WORKER_CONCURRENCY`` (default 1) renders at once per worker: a render
takes one core, so on two cores one leaves the other to the pages.

Runs both in the foreground and passes SIGTERM and SIGINT on. A worker that stops is started
again; when gunicorn stops, the worker is stopped too and the process exits with gunicorn's
status, so a supervisor (systemd, a container) sees one process: the web server.
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
RESTART_PAUSE = 2  # seconds before a worker that stopped is started again


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
    web, *others = commands(os.environ)
    server = subprocess.Popen(web)
    workers = [(command, subprocess.Popen(command)) for command in others]

    def stop(signum=None, frame=None) -> None:
        for process in [server, *(process for _command, process in workers)]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while server.poll() is None:
        time.sleep(0.5)
        for index, (command, process) in enumerate(workers):
            if process.poll() is not None and server.poll() is None:  # a worker died: again
                print(f"serve: the PDF worker stopped ({process.returncode}); starting it again")
                time.sleep(RESTART_PAUSE)
                workers[index] = (command, subprocess.Popen(command))
    stop()
    deadline = time.monotonic() + GRACE
    for _command, process in workers:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return server.returncode


if __name__ == "__main__":
    sys.exit(main())
