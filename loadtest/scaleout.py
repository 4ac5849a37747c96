"""Scale-out on loopback: two app servers and a PDF worker on one PostgreSQL and one Redis:
``make scaleout``.

1. Starts its own PostgreSQL and redis-server (as ``make faults`` does), runs what ``make serve``
   runs, seeds users with a large canvas (10 segments x 7 relationships x 3 costs) and users with
   the sample canvas, all logged in, and starts two gunicorn servers (``make serve``'s settings)
   on two loopback ports and one Celery worker, all with one environment: the README's
   scale-out picture, on one machine.
2. Pages: wrk against both servers at once, each for the canvas page of its own user:
   requests a second of each and together, p50 and p95.
3. PDFs: REPORTS users ask for the full report of their large canvas at the same moment,
   half of them through each server, and follow the notice as a browser does (the htmx poll
   every second, then the PDF) until it comes: seconds to the PDF, renders a second of the one
   worker. Meanwhile wrk measures the canvas page through both servers, as in (2).
4. One account asks for its four PDFs (two layouts x two sizes) at once: they come one after
   the other (one render per account at a time), and wrk measures the pages meanwhile.
5. Stops everything it started and removes its temporary directory, whatever happens.

On two cores the servers and the worker share the same two CPUs: the figures show that they
share one database and one Redis without an error and that renders leave the pages alone,
not that two servers serve twice as many pages (that takes two machines).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from loadtest import wrk
from loadtest.client import Browser
from loadtest.faults import Postgres, Redis, extra_processes, pdf_journey
from loadtest.stack import (
    LOOPBACK,
    Gunicorn,
    free_port,
    get,
    prepare,
    seed,
    server_env,
    stop_group,
    stopped_by_signals,
)

LARGE = (10, 7, 3)


def pages_at_once(servers, cookies, pages, connections: int, seconds: float) -> list[wrk.WrkResult]:
    """wrk against each server at the same time, each for its own user's canvas page."""
    results: list[wrk.WrkResult | None] = [None] * len(servers)

    def one(index: int) -> None:
        url = f"http://{LOOPBACK}:{servers[index].port}{pages[index]}"
        args = wrk.command(url, connections, seconds, "get", pages[index], cookies[index])
        results[index] = wrk.run(args, seconds)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(servers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r for r in results if r is not None]


def journeys(asks: list[tuple[int, str, str]], bound: float) -> list[tuple[str, float]]:
    """Each (port, session, path) asked at the same moment, followed to its PDF; returns
    (outcome, seconds from the first request to the PDF) per ask."""
    done: list[tuple[str, float] | None] = [None] * len(asks)
    start = threading.Barrier(len(asks))

    def one(index: int, port: int, session: str, path: str) -> None:
        browser = Browser(port, session, timeout=bound)
        start.wait()
        began = time.monotonic()
        try:
            outcome, _longest = pdf_journey(browser, path, bound)
        except OSError as error:
            outcome = f"{type(error).__name__}"
        finally:
            browser.close()
        done[index] = (outcome, time.monotonic() - began)

    threads = [threading.Thread(target=one, args=(i, *ask)) for i, ask in enumerate(asks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [d for d in done if d is not None]


def page_line(label: str, results: list[wrk.WrkResult]) -> str:
    each = "  ".join(
        f"server {n}: {r.rps:4.0f} req/s p50 {r.p50_ms:5.1f} p95 {r.p95_ms:6.1f} ms"
        for n, r in enumerate(results, 1)
    )
    errors = sum(r.errors for r in results)
    return (
        f"  {label:<34} {sum(r.rps for r in results):5.0f} req/s together  {each}  errors {errors}"
    )


def pdf_line(label: str, done: list[tuple[str, float]], seconds: float) -> str:
    times = [t for outcome, t in done if outcome.endswith("200 pdf")] or [0.0]
    outcomes: dict[str, int] = {}
    for outcome, _t in done:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return (
        f"  {label:<34} {len(done)} PDFs in {seconds:.1f} s ({len(done) / seconds:.2f} a second);"
        f" to the PDF: median {statistics.median(times):.1f} s, longest {max(times):.1f} s;"
        f" {outcomes}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=8, help="wrk connections per server")
    parser.add_argument("--seconds", type=float, default=15, help="of each page measurement")
    parser.add_argument("--reports", type=int, default=6, help="large reports asked at once")
    parser.add_argument("--time-limit", type=float, default=420, help="seconds, then stop all")
    args = parser.parse_args()
    with stopped_by_signals(args.time_limit):
        return _main(args)


def _main(args) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="canvas-scaleout-"))
    tmp.chmod(0o711)  # PostgreSQL's own user must reach its directory inside
    pg = Postgres(tmp / "pg", free_port())
    redis = Redis(tmp, free_port())
    servers: list[Gunicorn] = []
    extras: list[tuple[str, subprocess.Popen]] = []
    try:
        pg.init()
        pg.start()
        with psycopg.connect(pg.url("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute("CREATE DATABASE canvas")
        redis.start()
        ports = [free_port(), free_port()]
        env = server_env(pg.url("canvas"), tmp / "static", ports[0], redis.url)
        seeded = prepare(env, then=lambda: seed(env, args.reports + 1, sample=2, shape=LARGE))
        for n, port in enumerate(ports, 1):  # one environment: the same secret key, database
            server = Gunicorn({**env, "BIND": f"{LOOPBACK}:{port}"}, port, tmp / f"web{n}.log")
            server.start()
            servers.append(server)
        extras = extra_processes(env, tmp)
        if not extras:
            raise SystemExit("no PDF worker: canvas_site/celery.py is not in the repository")
        workers, threads = servers[0].shape()
        print(
            f"== {time.strftime('%Y-%m-%d %H:%M')}: 2 gunicorn servers ({workers} workers x "
            f"{threads} threads each) on {LOOPBACK}:{ports[0]} and :{ports[1]}, 1 Celery worker "
            f"(concurrency 1), PostgreSQL and Redis of their own on loopback"
        )
        sample = seeded["sample"]
        cookies = [f"sessionid={one['session']}; django_language=en" for one in sample]
        pages = [f"/canvases/{one['canvas']}/" for one in sample]
        for port, page, cookie in zip(ports, pages, cookies, strict=True):
            status, _ = get(port, page, timeout=30, cookie=cookie)
            if status != 200:
                raise SystemExit(f"the canvas page answered {status} on :{port}, not 200")
        pages_at_once(servers, cookies, pages, args.connections, 3)  # warm-up, not counted

        print("== pages (wrk, both servers at once)")
        alone = pages_at_once(servers, cookies, pages, args.connections, args.seconds)
        print(page_line("canvas page, nothing else", alone))

        large = seeded["users"]
        reports = [
            (ports[n % 2], one["session"], f"/canvases/{one['canvas']}/export.pdf?layout=report")
            for n, one in enumerate(large[: args.reports])
        ]
        print(f"== PDFs: {args.reports} full reports of a large canvas asked at once")
        during: list[wrk.WrkResult] = []
        measuring = threading.Thread(
            target=lambda: during.extend(
                pages_at_once(servers, cookies, pages, args.connections, args.seconds)
            )
        )
        began = time.monotonic()
        measuring.start()
        done = journeys(reports, bound=180)
        rendered_in = time.monotonic() - began
        measuring.join()
        print(pdf_line(f"large full reports, {args.reports} accounts", done, rendered_in))
        failed = [o for o, _t in done if not o.endswith("200 pdf")]
        print(page_line("canvas page meanwhile", during))

        one = large[args.reports]
        four = [
            (ports[n % 2], one["session"], f"/canvases/{one['canvas']}/export.pdf?{query}")
            for n, query in enumerate(
                ["layout=report", "layout=report&size=wide", "layout=pitch", "size=wide"]
            )
        ]
        print("== PDFs: one account asks for its four PDFs at once")
        during = []
        measuring = threading.Thread(
            target=lambda: during.extend(
                pages_at_once(servers, cookies, pages, args.connections, args.seconds)
            )
        )
        began = time.monotonic()
        measuring.start()
        done = journeys(four, bound=180)
        rendered_in = time.monotonic() - began
        measuring.join()
        print(pdf_line("four PDFs of one account", done, rendered_in))
        print(page_line("canvas page meanwhile", during))
        failed += [o for o, _t in done if not o.endswith("200 pdf")]
        return 1 if failed or any(r.errors for r in alone + during) else 0
    finally:
        for _name, process in extras:
            stop_group(process)
        for server in servers:
            server.stop()
        redis.stop()
        pg.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
