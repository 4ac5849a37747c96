"""Load test of the production stack on PostgreSQL, on this machine only: ``make load``.

1. Creates a throwaway PostgreSQL database, migrates it, seeds users with a canvas each and a
   logged-in session, collects static files, and starts gunicorn (canvas_site/gunicorn.conf.py,
   DEBUG off, WhiteNoise) on a free loopback port.
2. Realistic: USERS simulated users, each opening their canvas and saving relationships through
   the htmx form, thinking 1 to 2 s between actions. Zero errors and p95 < 100 ms expected.
3. Saturation: no thinking time, CONNECTIONS connections at once, for the canvas page, the htmx
   save and the health check (a trivial view through the same middleware: the ceiling).
4. Prints the figures, stops gunicorn and drops the database, whatever happened.

Traffic goes to 127.0.0.1 only; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import random
import re
import runpy
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
CONFLICT = "changed in another tab"
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


# --- one simulated browser ------------------------------------------------------------------


class Browser:
    """A keep-alive HTTP/1.1 connection to the loopback server, with cookies and CSRF token."""

    def __init__(self, port: int, session_key: str) -> None:
        self.port = port
        self.cookies = {"sessionid": session_key, "django_language": "en"}
        self.csrf = ""
        self.conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, htmx: bool = False):
        headers = {
            "Host": LOOPBACK,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        if htmx:
            headers["HX-Request"] = "true"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                # gunicorn closed an idle keep-alive connection (worker recycled): the request
                # was never read, so sending it again on a new connection is safe.
                self.conn.close()
                self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
                if attempt == 2:
                    raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookies["csrftoken"] = value.split(";")[0].split("=", 1)[1]
        if match := CSRF.search(text):
            self.csrf = match[1]
        return response.status, text, elapsed_ms


def save_body(version: int, n: int) -> str:
    return urlencode(
        [
            ("type", random.choice(["personal", "communities", "self_service"])),
            ("state", "established"),
            ("contact", "remote"),
            ("reach", "individual"),
            ("bond", "long_term"),
            ("goals", "acquisition"),
            ("goals", "retention"),
            ("interaction", f"Weekly call, edit {n}"),
            ("version", str(version)),
        ]
    )


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, ms: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(ms)
            self.errors.setdefault(kind, 0)
            if not ok:
                self.errors[kind] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{kind}: {detail[:200]}")


class User:
    """One seeded user: opens the canvas, saves relationships (versions tracked locally)."""

    def __init__(self, port: int, seeded: dict) -> None:
        self.browser = Browser(port, seeded["session"])
        self.canvas = seeded["canvas"]
        self.versions = {
            pk: seeded.get("versions", {}).get(pk, 1) for pk in seeded["relationships"]
        }
        self.edits = 0

    def open_canvas(self, stats: Stats) -> None:
        try:
            status, _text, ms = self.browser.request("GET", f"/canvases/{self.canvas}/")
        except OSError as error:
            stats.record("canvas page", 0, False, repr(error))
            return
        stats.record("canvas page", ms, status == 200, f"status {status}")

    def save(self, stats: Stats) -> None:
        pk = random.choice(list(self.versions))
        self.edits += 1
        body = save_body(self.versions[pk], self.edits)
        try:
            status, text, ms = self.browser.request(
                "POST", f"/relationships/{pk}/edit/", body, htmx=True
            )
        except OSError as error:
            stats.record("htmx save", 0, False, repr(error))
            return
        ok = status == 200 and CONFLICT not in text and f'id="relationship-{pk}"' in text
        if ok:
            self.versions[pk] += 1
        stats.record("htmx save", ms, ok, f"status {status}: {text[:150]!r}")

    def check(self, stats: Stats) -> None:
        try:
            status, _text, ms = self.browser.request("GET", "/healthz/")
        except OSError as error:
            stats.record("health check", 0, False, repr(error))
            return
        stats.record("health check", ms, status == 200, f"status {status}")


# --- the two parts --------------------------------------------------------------------------


def _realistic_process(port, seeded, first, total, duration, ramp, start_at):
    """In one process: the users ``seeded`` (numbered from ``first`` of ``total``), thinking."""
    stats = Stats()
    deadline = start_at + ramp + duration

    def run(index: int, one: dict) -> None:
        rng = random.Random(index)
        time.sleep(ramp * index / total)  # users arrive over the ramp, not all at once
        user = User(port, one)
        while time.time() < deadline:
            user.open_canvas(stats)
            for _ in range(rng.randint(2, 4)):
                time.sleep(rng.uniform(1, 2))
                if time.time() >= deadline:
                    return
                user.save(stats)
            time.sleep(rng.uniform(1, 2))

    while time.time() < start_at:
        time.sleep(0.01)
    threads = [threading.Thread(target=run, args=(first + i, one)) for i, one in enumerate(seeded)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=ramp + duration + 60)
    return stats.latencies, stats.errors, stats.samples


def realistic(port: int, seeded: list[dict], duration: float, ramp: float, processes: int):
    """The users, spread over ``processes`` so that the generator's own GIL stays out of the
    figures (real users are on machines of their own)."""
    per_process = math.ceil(len(seeded) / processes)
    start_at = time.time() + 1
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.starmap(
            _realistic_process,
            [
                (
                    port,
                    seeded[p * per_process : (p + 1) * per_process],
                    p * per_process,
                    len(seeded),
                    duration,
                    ramp,
                    start_at,
                )
                for p in range(processes)
            ],
        )
    return _merged(results)


def _merged(results) -> Stats:
    stats = Stats()
    for latencies, errors, samples in results:
        for k, values in latencies.items():
            stats.latencies.setdefault(k, []).extend(values)
            stats.errors[k] = stats.errors.get(k, 0) + errors.get(k, 0)
        stats.samples.extend(samples)
    return stats


def _saturate_process(port, seeded, kind, start_at, warmup, measure, threads):
    """In one process: ``threads`` users hammering one endpoint; counts the measured window."""
    stats = Stats()
    count = [0]
    lock = threading.Lock()
    measure_from, measure_to = start_at + warmup, start_at + warmup + measure

    def run(one):
        user = User(port, one)
        user.open_canvas(Stats())  # gets the CSRF token
        action = {"canvas page": user.open_canvas, "htmx save": user.save}.get(kind, user.check)
        while (now := time.time()) < measure_to:
            local = Stats()
            action(local)
            if now >= measure_from:
                with lock:
                    count[0] += 1
                for k, values in local.latencies.items():
                    for v in values:
                        stats.record(k, v, local.errors[k] == 0)

    while time.time() < start_at:
        time.sleep(0.01)
    workers = [threading.Thread(target=run, args=(one,)) for one in seeded[:threads]]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=warmup + measure + 60)
    return count[0], stats.latencies, stats.errors, stats.samples


def saturate(port, seeded, kind, connections, processes, warmup, measure):
    """Requests per second of one endpoint with ``connections`` clients and no thinking."""
    per_process = max(1, connections // processes)
    start_at = time.time() + 1
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.starmap(
            _saturate_process,
            [
                (port, seeded[p * per_process :], kind, start_at, warmup, measure, per_process)
                for p in range(processes)
            ],
        )
    total = sum(count for count, *_ in results)
    return total / measure, _merged([rest for _count, *rest in results])


# --- the stack ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def loopback_only(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"The load test talks to this machine only; {host!r} is not loopback.")


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def table(stats: Stats, kinds: list[str]) -> list[str]:
    lines = [f"  {'request':<14}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"]
    for kind in kinds:
        values = stats.latencies.get(kind, [])
        lines.append(
            f"  {kind:<14}{len(values):>7}{stats.errors.get(kind, 0):>8}"
            f"{(statistics.median(values) if values else 0):>9.1f}"
            f"{percentile(values, 0.95):>9.1f}{percentile(values, 0.99):>9.1f}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60, help="realistic part, seconds")
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which users arrive")
    parser.add_argument("--connections", type=int, default=16, help="saturation clients")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--measure", type=float, default=15, help="saturation window, seconds")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("LOAD_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL allowed to create and drop databases (loopback only)",
    )
    args = parser.parse_args()
    loopback_only(args.admin_url)

    database = f"canvas_load_{os.getpid()}"
    admin = urlsplit(args.admin_url)
    database_url = admin._replace(path=f"/{database}").geturl()
    tmp = Path(tempfile.mkdtemp(prefix="canvas-load-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": LOOPBACK,
        "HTTPS": "0",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(tmp / "static"),
        "STATIC_MANIFEST": "1",
        "BIND": f"{LOOPBACK}:{port}",
        "LOG_LEVEL": "INFO",
    }
    env.pop("REDIS_URL", None)
    gunicorn = None
    with psycopg.connect(args.admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        print(f"== database {database}, gunicorn on {LOOPBACK}:{port}, logs in {tmp}")
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        manage(env, "collectstatic", "--noinput")
        seed = subprocess.run(
            [sys.executable, "-m", "loadtest.seed", str(args.users), "3", "2", "2"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if seed.returncode:
            sys.exit(f"seeding failed:\n{seed.stderr}")
        seeded = json.loads(seed.stdout)
        with (tmp / "gunicorn.log").open("w") as log:
            gunicorn = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "-c",
                    "canvas_site/gunicorn.conf.py",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
                conn.request("GET", "/healthz/", headers={"Host": LOOPBACK})
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit(f"gunicorn did not answer; see {tmp / 'gunicorn.log'}")
        config = runpy.run_path(str(ROOT / "canvas_site" / "gunicorn.conf.py"))  # same env
        print(
            f"== {len(seeded)} users seeded (3 segments x 2 relationships x 2 costs each); "
            f"gunicorn: {config['workers']} workers x {config['threads']} threads, "
            f"{os.cpu_count()} cores shared with the load generator"
        )

        print(
            f"== realistic: {args.users} users from {args.processes} processes, 1-2 s thinking, "
            f"{args.duration:.0f} s"
        )
        real = realistic(port, seeded, args.duration, args.ramp, args.processes)
        kinds = ["canvas page", "htmx save"]
        lines = table(real, kinds)
        total = sum(len(real.latencies.get(k, [])) for k in kinds)
        lines.append(f"  throughput {total / (args.duration + args.ramp / 2):.0f} requests/s")
        print("\n".join(lines))
        for sample in real.samples:
            print(f"  error: {sample}")
        ok = all(real.errors.get(k, 1) == 0 for k in kinds) and all(
            percentile(real.latencies[k], 0.95) < 100 for k in kinds
        )
        print(f"  {'PASS' if ok else 'FAIL'}: zero errors and p95 < 100 ms for both")

        # The saturation clients start afresh: give them the versions the realistic part left.
        with psycopg.connect(database_url) as conn:
            versions = dict(conn.execute("SELECT id, version FROM relationships_relationship"))
        for one in seeded:
            one["versions"] = {pk: versions[pk] for pk in one["relationships"]}

        print(
            f"== saturation: {args.connections} connections from {args.processes} processes, "
            f"no thinking, {args.measure:.0f} s each"
        )
        results = {}
        for kind in ["health check", "canvas page", "htmx save"]:
            rps, stats = saturate(
                port, seeded, kind, args.connections, args.processes, 2, args.measure
            )
            results[kind] = (rps, stats)
        ceiling = results["health check"][0]
        print(
            f"  {'request':<14}{'req/s':>8}{'of ceiling':>12}{'errors':>8}{'p50 ms':>9}"
            f"{'p95 ms':>9}"
        )
        for kind, (rps, stats) in results.items():
            values = stats.latencies.get(kind, [])
            print(
                f"  {kind:<14}{rps:>8.0f}{rps / ceiling:>12.0%}{stats.errors.get(kind, 0):>8}"
                f"{(statistics.median(values) if values else 0):>9.1f}"
                f"{percentile(values, 0.95):>9.1f}"
            )
            for sample in stats.samples[:2]:
                print(f"  error: {sample}")
        print("  (ceiling: the health check, one SELECT 1 through the whole middleware stack)")
        return 0 if ok else 1
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)  # the group we started: master and workers
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(gunicorn.pid, signal.SIGKILL)
        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        print(f"== stopped gunicorn, dropped {database}")


if __name__ == "__main__":
    sys.exit(main())
