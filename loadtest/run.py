"""Load test of the production stack on PostgreSQL, on this machine only: ``make load``.

1. Creates a throwaway PostgreSQL database (on the server at LOAD_PG_ADMIN_URL, by default
   postgres@127.0.0.1:5432), runs what ``make serve`` runs (check --deploy, migrate,
   createcachetable, collectstatic), seeds USERS users with a canvas each (3 segments x 2
   relationships x 2 costs) and CONNECTIONS users with the sample canvas each, all logged in,
   and starts gunicorn (canvas_site/gunicorn.conf.py, DEBUG off, WhiteNoise, JSON request log)
   on a free loopback port.
2. Realistic: USERS simulated people sent by wrk (loadtest/people.py and people.lua: one wrk
   thread and keep-alive connection per person, so the generator is C, not Python on the
   server's cores), each opening their canvas, saving relationships through the htmx form and
   thinking 1 to 2 s between actions, while their open page polls the live view every 5 s as
   its htmx does. Zero errors and p95 < 100 ms expected for the page and the save. wrk's own
   CPU is measured beside gunicorn's and PostgreSQL's (/proc), and the server's own timings
   are read from its request log.
3. Saturation, with wrk (Debian's, in C: it shares no Python with the server), CONNECTIONS
   connections and no thinking: /healthz/ (one SELECT 1 through the whole middleware stack:
   the ceiling), the sample canvas's page (logged in), and the htmx save (loadtest/wrk.lua:
   each connection saves its own relationship of its own user's sample canvas, with the
   version it last saw, so every save is really written). RUNS rounds of the three, one after
   the other (interleaved, so that other work on the machine weighs on all three alike), and
   the medians. Targets: the page at >= 40 % of the ceiling, the save at >= 30 %.
   With --capacity, then short realistic runs of smaller crowds (250, 200, ... 40 people, their
   versions read afresh), largest first, until one is served within the realistic target:
   how many people this server carries, the figure that sizes a deployment.
4. Stops gunicorn, drops the database and removes its temporary directory (--keep-logs DIR
   copies the request log and wrk's output first), whatever happened (Ctrl-C, SIGTERM, the
   time limit).

Traffic goes to 127.0.0.1 only; every loop is bounded in time; exit status 1 when a target
is missed or a request failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from loadtest import people, wrk
from loadtest.client import POLL_SECONDS, Browser, opened_page, save_body
from loadtest.stack import (
    LOOPBACK,
    CpuMeter,
    CpuUse,
    Gunicorn,
    code_state,
    cpu_between,
    cpu_line,
    free_port,
    get,
    loopback_only,
    median,
    percentile,
    prepare,
    seed,
    server_env,
    shielded,
    stopped_by_signals,
)

TARGETS = {"canvas page": 0.40, "htmx save": 0.30}  # share of the health check's req/s
P95_MS = 100
NOISY = 0.25  # cores of other work on the machine past which the figures are called noisy
_PATH_KINDS = [
    (re.compile(r"^/canvases/\d+/$"), "canvas page"),
    (re.compile(r"^/relationships/\d+/edit/$"), "htmx save"),
    (re.compile(r"^/canvases/\d+/live/$"), "live poll"),
    (re.compile(r"^/healthz/$"), "health check"),
]


# --- the realistic part: people thinking (loadtest/people.py) -------------------------------


def warm_up(port: int, people: list[dict], sample: list[dict], seconds: float) -> int:
    """A few seconds of pages (people's canvases) and saves (the sample users', whose
    versions the saturation part reads again), on new connections so that every worker
    gets some: what a server that has been up for a while has done. Not counted."""
    deadline = time.time() + seconds
    count = [0]

    def run(n: int) -> None:
        rng = random.Random(-n)
        i = n
        while time.time() < deadline:
            one = people[i % len(people)]
            browser = Browser(port, one["session"], timeout=30)
            try:
                browser.request("GET", f"/canvases/{one['canvas']}/")
                if sample:
                    mine = sample[n % len(sample)]
                    browser.close()
                    browser = Browser(port, mine["session"], timeout=30)
                    browser.request("GET", f"/canvases/{mine['canvas']}/")
                    body = save_body(None, f"Warm-up {i}", rng)  # no version: never a conflict
                    browser.request(
                        "POST", f"/relationships/{mine['relationships'][-1]}/edit/", body, True
                    )
                count[0] += 1
            except OSError:
                pass
            finally:
                browser.close()
            i += 4

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 40)
    return count[0]


def server_timings(lines, kinds=_PATH_KINDS, since: float = 0.0) -> dict[str, list[float]]:
    """Milliseconds in Django per kind of request, from the JSON request log lines of
    canvas_site.middleware (other lines are skipped); with ``since`` (time.time()), of the
    requests that started then or later."""
    timings: dict[str, list[float]] = {}
    for line in lines:
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        path, ms = record.get("path"), record.get("duration_ms")
        if path is None or ms is None:
            continue
        if since and datetime.fromisoformat(record["time"]).timestamp() - ms / 1000 < since:
            continue
        for pattern, kind in kinds:
            if pattern.match(path):
                timings.setdefault(kind, []).append(float(ms))
                break
    return timings


# --- saturation with wrk --------------------------------------------------------------------


def versions_of(database_url: str, pks: list[int]) -> dict[int, int]:
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT id, version FROM relationships_relationship WHERE id = ANY(%s)", (pks,)
        )
        return dict(rows.fetchall())


def save_lines(port: int, sample: list[dict], versions: dict[int, int]) -> list[str]:
    """One line per connection for loadtest/wrk.lua: its user's session, the CSRF cookie and
    token of their canvas page (``client.opened_page``), the first relationship of that canvas
    with its version, and the numbers the page shows (``id=key,...``: the page's X-Shown)."""
    lines = []
    for one in sample:
        opened, shown = opened_page(port, one)
        pk = one["relationships"][0]
        lines.append(f"{opened} {pk} {versions[pk]} {shown}")
    return lines


@dataclass
class Run:
    kind: str
    result: wrk.WrkResult
    use: CpuUse | None = None
    written_in_db: int | None = None

    def cores(self, name: str) -> float:
        if self.use is None:
            return 0.0
        if name == "other":
            return self.use.other(sum(self.use.cores.values()))
        return self.use.cores.get(name, 0.0)


def saturation(args, port, database_url, database, gunicorn_pid, sample, tmp) -> list[Run]:
    url = f"http://{LOOPBACK}:{port}"
    page_cookie = f"sessionid={sample[0]['session']}; django_language=en"
    page = f"/canvases/{sample[0]['canvas']}/"
    status, _body = get(port, page, timeout=30, cookie=page_cookie)
    if status != 200:  # wrk counts a 302 to the login page as a success: check it is the page
        raise SystemExit(f"the sample canvas page answered {status}, not 200")
    save_file = tmp / "wrk-save.txt"
    save_pks = [one["relationships"][0] for one in sample]
    commands = {
        "health check": lambda s: wrk.command(
            f"{url}/healthz/", args.connections, s, "get", "/healthz/", "django_language=en"
        ),
        "canvas page": lambda s: wrk.command(
            f"{url}{page}", args.connections, s, "get", page, page_cookie
        ),
        "htmx save": lambda s: wrk.command(
            f"{url}/relationships/", args.connections, s, "save", str(save_file)
        ),
    }
    log = tmp / "wrk.log"

    def measure(kind: str, seconds: float, meter: CpuMeter | None) -> Run:
        before_versions = {}
        if kind == "htmx save":
            before_versions = versions_of(database_url, save_pks)
            save_file.write_text("\n".join(save_lines(port, sample, before_versions)) + "\n")
        first = meter.sample() if meter else None
        result = wrk.run(commands[kind](seconds), seconds, log)
        if not meter:
            return Run(kind, result)
        run = Run(kind, result, cpu_between(first, meter.sample(), {"wrk": result.cpu_seconds}))
        if kind == "htmx save":
            after = versions_of(database_url, save_pks)
            run.written_in_db = sum(after[pk] - before_versions[pk] for pk in save_pks)
        return run

    print(
        f"== saturation with wrk: {args.connections} connections (one wrk thread each), no "
        f"thinking, {args.runs} rounds of {args.measure:.0f} s per request, after "
        f"{args.warmup:.0f} s of warm-up each"
    )
    for kind in commands:
        measure(kind, args.warmup, None)  # cold caches, first connections: not counted
    runs = []
    with CpuMeter(trees={"gunicorn": gunicorn_pid}, titles={"PostgreSQL": database}) as meter:
        for round_ in range(1, args.runs + 1):
            for kind in commands:
                run = measure(kind, args.measure, meter)
                runs.append(run)
                r = run.result
                checked = (
                    f", {run.written_in_db} versions up in the database "
                    f"({wrk.unexplained_saves(r, run.written_in_db, args.connections)} "
                    "unexplained)"
                    if run.written_in_db is not None
                    else ""
                )
                print(
                    f"  round {round_} {kind:<13}{r.rps:>7.0f} req/s  p50 {r.p50_ms:5.1f} ms  "
                    f"p95 {r.p95_ms:6.1f} ms  not 2xx {r.not_2xx}  socket errors "
                    f"{sum(r.socket_errors.values())}"
                    + (
                        f"  written {r.written} conflicts {r.conflicts} refused {r.refused}"
                        if kind == "htmx save"
                        else ""
                    )
                    + checked
                )
                print(f"    {cpu_line(run.use)}")
    return runs


def saturation_summary(runs: list[Run], connections: int) -> tuple[list[str], bool]:
    """The medians of the rounds per request, the shares of the ceiling, and the verdict."""
    by_kind: dict[str, list[Run]] = {}
    for run in runs:
        by_kind.setdefault(run.kind, []).append(run)
    ceiling = median([r.result.rps for r in by_kind.get("health check", [])])
    lines = [
        f"  {'request':<13}{'req/s':>7}{'of ceiling':>11}{'target':>8}{'p50 ms':>8}"
        f"{'p95 ms':>8}{'not 2xx':>8}{'errors':>7}   CPU cores: gunicorn PostgreSQL  wrk  other"
    ]
    ok = True
    for kind, kind_runs in by_kind.items():
        rps = median([r.result.rps for r in kind_runs])
        share = rps / ceiling if ceiling else 0.0
        target = TARGETS.get(kind)
        not_2xx = sum(r.result.not_2xx for r in kind_runs)
        errors = sum(r.result.errors for r in kind_runs)
        if kind == "htmx save":  # acknowledged but not in the database, or unexplained
            errors += sum(
                wrk.unexplained_saves(r.result, r.written_in_db or 0, connections)
                for r in kind_runs
            )
        ok = ok and errors == 0 and (target is None or share >= target)

        def cores(name: str, kind_runs=kind_runs) -> float:
            return median([r.cores(name) for r in kind_runs])

        lines.append(
            f"  {kind:<13}{rps:>7.0f}{share:>11.0%}"
            f"{(f'>={target:.0%}' if target else ''):>8}"
            f"{median([r.result.p50_ms for r in kind_runs]):>8.1f}"
            f"{median([r.result.p95_ms for r in kind_runs]):>8.1f}{not_2xx:>8}{errors:>7}"
            f"   {cores('gunicorn'):>18.2f}{cores('PostgreSQL'):>11.2f}{cores('wrk'):>5.2f}"
            f"{cores('other'):>7.2f}"
        )
    shares = {
        kind: [
            p.result.rps / h.result.rps
            for p, h in zip(by_kind.get(kind, []), by_kind.get("health check", []), strict=False)
            if h.result.rps
        ]
        for kind in TARGETS
    }
    for kind, values in shares.items():
        if values:
            lines.append(
                f"  {kind} share of the ceiling round by round: "
                + ", ".join(f"{v:.0%}" for v in values)
            )
    return lines, ok


# --- the whole run --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=300, help="realistic part: people")
    parser.add_argument("--duration", type=float, default=60, help="realistic part, seconds")
    parser.add_argument("--ramp", type=float, default=15, help="seconds over which people arrive")
    parser.add_argument("--no-poll", action="store_true", help="pages do not poll the live view")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--measure", type=float, default=10, help="one wrk run, seconds")
    parser.add_argument("--warmup", type=float, default=2, help="wrk warm-up per request, s")
    parser.add_argument("--runs", type=int, default=3, help="wrk rounds (medians)")
    parser.add_argument("--warmup-server", type=float, default=5, help="seconds, not counted")
    parser.add_argument("--skip-realistic", action="store_true")
    parser.add_argument("--skip-saturation", action="store_true")
    parser.add_argument(
        "--capacity",
        action="store_true",
        help="then the largest crowd served within the realistic target (a few minutes more)",
    )
    parser.add_argument(
        "--capacity-seconds", type=float, default=20, help="each crowd of --capacity, seconds"
    )
    parser.add_argument("--keep-logs", type=Path, help="copy gunicorn's and wrk's logs here")
    parser.add_argument("--time-limit", type=float, default=420, help="seconds, then stop all")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("LOAD_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL allowed to create and drop databases (loopback only)",
    )
    args = parser.parse_args()
    if args.capacity:  # each crowd: its people's pages, the ramp, the run
        args.time_limit += len(CAPACITY_CROWDS) * (args.capacity_seconds + 30)
    loopback_only(args.admin_url)
    if not args.skip_saturation:
        wrk.binary()  # before anything is set up: says how to install it
    with stopped_by_signals(args.time_limit):
        return _main(args)


def _main(args) -> int:
    started = time.monotonic()
    database = f"canvas_load_{os.getpid()}"
    database_url = urlsplit(args.admin_url)._replace(path=f"/{database}").geturl()
    tmp = Path(tempfile.mkdtemp(prefix="canvas-load-"))
    port = free_port()
    env = server_env(database_url, tmp / "static", port)
    gunicorn = Gunicorn(env, port, tmp / "gunicorn.log")
    ok = True
    created = False
    try:
        with psycopg.connect(args.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
            created = True
            server_version = conn.info.server_version
        print(
            f"== {time.strftime('%Y-%m-%d %H:%M')}: database {database} (PostgreSQL "
            f"{server_version // 10000}), gunicorn on {LOOPBACK}:{port}; "
            f"{code_state()}"
        )
        seeded = prepare(env, then=lambda: seed(env, args.users, sample=args.connections))
        gunicorn.start()
        workers, threads = gunicorn.shape()
        print(
            f"== {len(seeded['users'])} people seeded (3 segments x 2 relationships x 2 costs "
            f"each) and {len(seeded['sample'])} with the sample canvas; gunicorn {workers} "
            f"workers x {threads} threads; {os.cpu_count()} cores shared by everything "
            f"(load {os.getloadavg()[0]:.2f} before the start)"
        )

        rounds = warm_up(port, seeded["users"], seeded["sample"], args.warmup_server)
        print(f"== warm-up: {rounds} pages and saves in {args.warmup_server:.0f} s, not counted")
        args.database = database
        if not args.skip_realistic:
            ok = _realistic(args, port, gunicorn, seeded["users"], tmp) and ok
        if args.capacity:
            carried = capacity(args, port, database_url, gunicorn, seeded["users"], tmp)
            print(
                f"  this server carries {carried} people within the target"
                if carried
                else f"  not even {CAPACITY_CROWDS[-1]} people within the target"
            )
        if not args.skip_saturation:
            runs = saturation(
                args, port, database_url, database, gunicorn.pid, seeded["sample"], tmp
            )
            lines, saturation_ok = saturation_summary(runs, args.connections)
            print(f"== saturation: medians of {args.runs} rounds")
            print("\n".join(lines))
            print(
                "  (ceiling: /healthz/, one SELECT 1 through the whole middleware stack; "
                "'not 2xx' counts redirects too; a save's errors include conflicts, refusals "
                "and any mismatch with the versions in the database)"
            )
            print(
                f"  {'PASS' if saturation_ok else 'FAIL'}: page >= 40 % and save >= 30 % of "
                "the ceiling, no errors"
            )
            other = median([r.cores("other") for r in runs])
            if other > NOISY:
                print(
                    f"  NOTE: other work on this machine used {other:.2f} cores (median of the "
                    "runs): the figures are noisy; the shares, measured round by round, less so"
                )
            ok = ok and saturation_ok
        return 0 if ok else 1
    finally:
        with shielded():
            gunicorn.stop()
            if created:
                with psycopg.connect(args.admin_url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            kept = ""
            if args.keep_logs:
                args.keep_logs.mkdir(parents=True, exist_ok=True)
                for log in (tmp / "gunicorn.log", tmp / "wrk.log"):
                    with contextlib.suppress(OSError):
                        shutil.copy(log, args.keep_logs / log.name)
                kept = f", logs copied to {args.keep_logs}"
            shutil.rmtree(tmp, ignore_errors=True)
            print(
                f"== stopped gunicorn, dropped {database}, removed {tmp}{kept} "
                f"({time.monotonic() - started:.0f} s in all)"
            )


@dataclass
class Crowd:
    """One realistic run: what wrk saw, split at the moment everybody was there, the server's
    timings of that span, and the CPU used meanwhile."""

    people: int
    seconds: float
    stats: people.Stats
    arriving: people.Stats
    steady: people.Stats
    server: dict[str, list[float]]
    use: CpuUse
    kinds: list[str]

    def p95(self, kind: str) -> float:
        return percentile(self.steady.latencies(kind), 0.95)

    @property
    def ok(self) -> bool:
        """Zero errors in the whole run, p95 < P95_MS for the page and the save once
        everybody is there."""
        return (
            not sum(self.stats.socket_errors.values())
            and all(self.stats.errors(k) == 0 for k in self.kinds)
            and all(
                self.steady.latencies(k) and self.p95(k) < P95_MS
                for k in ("canvas page", "htmx save")
            )
        )


def _crowd(args, port, gunicorn, persons, tmp, seconds: float, ramp: float) -> Crowd:
    """``persons`` arriving over ``ramp`` seconds, then ``seconds`` with everybody there."""
    lines = tmp / "people.txt"
    lines.write_text("\n".join(people.person_lines(port, persons)) + "\n")
    log = gunicorn.log
    offset = log.stat().st_size
    start_at = time.time()
    with CpuMeter(trees={"gunicorn": gunicorn.pid}, titles={"PostgreSQL": args.database}) as meter:
        first = meter.sample()
        output, wrk_cpu, _wall = wrk.execute(
            people.command(
                f"http://{LOOPBACK}:{port}",
                len(persons),
                seconds,
                lines,
                ramp,
                poll=None if args.no_poll else POLL_SECONDS,
            ),
            ramp + seconds,
            tmp / "wrk.log",
            marker="loadtest-people:",
        )
        use = cpu_between(first, meter.sample(), {"wrk": wrk_cpu})
    stats = people.read(output)
    arriving, steady = stats.split(start_at + ramp)
    with log.open() as f:
        f.seek(offset)
        server = server_timings(f, since=start_at + ramp)
    kinds = people.KINDS if not args.no_poll else people.KINDS[:2]
    return Crowd(len(persons), seconds, stats, arriving, steady, server, use, kinds)


def _realistic(args, port, gunicorn, persons, tmp) -> bool:
    print(
        f"== realistic: {len(persons)} people sent by wrk (one thread and connection each), 1-2 s "
        f"thinking, {'live poll every 5 s, ' if not args.no_poll else ''}arriving over "
        f"{args.ramp:.0f} s, then {args.duration:.0f} s"
    )
    crowd = _crowd(args, port, gunicorn, persons, tmp, args.duration, args.ramp)
    steady, arriving, kinds = crowd.steady, crowd.arriving, crowd.kinds
    table = [f"  once everybody is there ({args.duration:.0f} s):"]
    table += people.table(steady, crowd.server, kinds)
    late = {k: percentile(arriving.latencies(k), 0.95) for k in kinds}
    table.append(
        f"  while they arrive: {arriving.count()} requests, "
        f"{sum(arriving.errors(k) for k in kinds)} errors, p95 "
        + ", ".join(f"{k} {ms:.0f} ms" for k, ms in late.items())
        + " (not in the verdict)"
    )
    table.append(
        f"  {steady.count() / args.duration:.0f} requests/s once everybody is there, of "
        f"about {people.offered_rate(len(persons), not args.no_poll):.0f} they would ask for if "
        f"every answer were instant; {cpu_line(crowd.use)}"
    )
    print("\n".join(table))
    if (other := crowd.use.other(sum(crowd.use.cores.values()))) > NOISY:
        print(f"  NOTE: other work on this machine used {other:.2f} cores meanwhile: noisy")
    if sum(crowd.stats.socket_errors.values()):
        print(f"  socket errors (wrk): {crowd.stats.socket_errors}")
    for example in crowd.stats.examples:
        print(f"  error (status): {example}")
    print(
        f"  {'PASS' if crowd.ok else 'FAIL'}: zero errors in the whole run, p95 < {P95_MS} ms "
        "for the page and the save once everybody is there (client side, as wrk saw them; "
        "'in Django': the request log's)"
    )
    return crowd.ok


# Crowds tried by --capacity, largest first, until one is served within the realistic target.
CAPACITY_CROWDS = (250, 200, 150, 120, 100, 80, 60, 40)


def capacity(args, port, database_url, gunicorn, persons, tmp) -> int | None:
    """The largest crowd of ``CAPACITY_CROWDS`` (at most the people seeded) that this server
    serves within the realistic target: each a short run of its own (``--capacity-seconds``,
    arriving over a second per 20 people), its people's versions read afresh from the
    database. None if even the smallest is not."""
    print(
        f"== capacity: the largest crowd served with zero errors and p95 < {P95_MS} ms for the "
        f"page and the save, {args.capacity_seconds:.0f} s once everybody is there"
    )
    for size in [n for n in CAPACITY_CROWDS if n <= len(persons)]:
        crowd_of = persons[:size]
        pks = [pk for one in crowd_of for pk in one["relationships"]]
        fresh = versions_of(database_url, pks)
        for one in crowd_of:
            one["versions"] = {pk: fresh[pk] for pk in one["relationships"]}
        crowd = _crowd(args, port, gunicorn, crowd_of, tmp, args.capacity_seconds, size / 20)
        rate = crowd.steady.count() / crowd.seconds
        errors = sum(crowd.stats.errors(k) for k in crowd.kinds)
        print(
            f"  {size:4d} people: {rate:4.0f} requests/s of ~"
            f"{people.offered_rate(size, not args.no_poll):.0f}, p95 page "
            f"{crowd.p95('canvas page'):.0f} ms, save {crowd.p95('htmx save'):.0f} ms, "
            f"{errors} errors, gunicorn {crowd.use.cores.get('gunicorn', 0):.2f} cores"
            f"{'  <- within the target' if crowd.ok else ''}"
        )
        if crowd.ok:
            return size
    return None


if __name__ == "__main__":
    raise SystemExit(main())
