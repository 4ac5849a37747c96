"""Fault test of the production stack, on this machine only: ``make faults``.

1. Starts its own PostgreSQL (initdb into a temporary directory, pg_ctl, a free loopback port;
   run as the ``postgres`` system user when started as root, since PostgreSQL refuses root)
   and its own redis-server (a free loopback port, no persistence), migrates, seeds a few
   users, and starts gunicorn (canvas_site/gunicorn.conf.py, DEBUG off) with DATABASE_URL and
   REDIS_URL pointing at them; plus whatever ``extra_processes`` starts (the PDF worker of
   the job queue, once the project has one).
2. Puts a steady load on from a separate process: canvas pages, htmx saves (each client its
   own relationship, every save numbered), /healthz/, /healthz/live/ and the PDF export.
3. Stops Redis for REDIS_DOWN seconds and starts it again (empty), then stops PostgreSQL
   (``pg_ctl stop -m immediate``: what a crash or a failover looks like to the app) for
   PG_DOWN seconds (connections refused), then for PG_SILENT seconds puts a socket on its
   port that takes connections and never answers (an overloaded or stuck server, a proxy in
   front of a dead one: only the settings' connect timeout ends that wait), and starts
   PostgreSQL again.
4. Prints what users saw in each phase (answers by kind, longest request), how long each kind
   took to recover once the service was back, whether any request took longer than its
   bound, the errors in the server's log, and whether every acknowledged save is still in the
   database. Expected: without Redis, pages, saves and PDFs keep working and /healthz/ says
   200 "degraded"; without PostgreSQL, a 503 "back soon" page (with Retry-After) and a 503 from
   /healthz/, while /healthz/live/ answers, within 5 s even when the database does not answer;
   both recover by themselves; nothing acknowledged is lost.
5. Stops everything it started and removes its temporary directory, whatever happens
   (Ctrl-C, SIGTERM, SIGHUP, the time limit).

Static files are not under test here: the server runs with STATIC_MANIFEST=0 (no minute of
collectstatic; the PDF reads static/ itself). Exit status 1 when an expectation fails.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import json
import multiprocessing
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import psycopg

from loadtest.client import Browser, current_version, save_body, saved
from loadtest.stack import (
    BIN,
    LOOPBACK,
    ROOT,
    Gunicorn,
    child_ignores_signals,
    code_state,
    free_port,
    prepare,
    seed,
    server_env,
    shielded,
    stop_group,
    stopped_by_signals,
    wait_until,
)

PG_BIN = Path("/usr/lib/postgresql/15/bin")
CLIENT_TIMEOUT = 30.0  # seconds a client waits for an answer: longer than any bound below
# No request may take longer than this (seconds), whatever is down: the cache gives up on
# Redis within 0.25 s (canvas_site.cache), and a refused database connection fails at once.
BOUNDS = {"PDF export": 30.0}
DEFAULT_BOUND = 5.0
KINDS = ["canvas page", "htmx save", "/healthz/", "/healthz/live/", "PDF export"]
# What each kind should answer when all is well.
GOOD = {
    "canvas page": {"200"},
    "htmx save": {"200 saved"},
    "/healthz/": {"200 ok"},
    "/healthz/live/": {"200 alive"},
    "PDF export": {"200 pdf", "202, then 200 pdf"},  # from the cache, or after the notice
}
# What each kind should answer while a service is down (besides GOOD, for the requests that
# were already past the service when it stopped).
WHILE_DOWN = {
    "Redis": {
        "canvas page": {"200"},
        "htmx save": {"200 saved"},
        "/healthz/": {"200 degraded: cache unavailable"},
        "/healthz/live/": {"200 alive"},
        "PDF export": {"200 pdf"},
    },
    "PostgreSQL": {
        "canvas page": {"503 back soon"},
        "htmx save": {"503 back soon"},
        "/healthz/": {"503 error: database unavailable"},
        "/healthz/live/": {"200 alive"},
        "PDF export": {"503 back soon", "202, then 503 back soon"},
    },
}
# A save sent while the database went away may have been written without an answer: the
# next one is then a conflict (with the saved version in its form), which is right; a
# conflict after an acknowledged save never is.
UNANSWERED_CONFLICT = "200 conflict after an unanswered save"
EXPLAINED_AFTER_DB = {"htmx save": {UNANSWERED_CONFLICT}}
BACK_SOON = "Back in a moment"
DB_CONNECT_TIMEOUT = float(os.environ.get("DB_CONNECT_TIMEOUT") or 3)  # canvas_site.settings
SAVE_TEXT = re.compile(r"fault test r(\d+) n(\d+)")


# --- what one answer was --------------------------------------------------------------------


def classify(kind: str, status: int, headers: dict[str, str], text: str, pk: int = 0) -> str:
    """One answer, in words: ``200``, ``200 saved``, ``503 back soon``, ``200 degraded:
    cache unavailable``... (headers with lower-case names)."""
    if status == 503 and "retry-after" in headers and BACK_SOON in text:
        return "503 back soon"
    if kind == "/healthz/":
        try:
            health = json.loads(text)
        except ValueError:
            return f"{status} not JSON"
        down = [name for name in ("database", "cache") if health.get(name) == "unavailable"]
        detail = f": {', '.join(f'{name} unavailable' for name in down)}" if down else ""
        return f"{status} {health.get('status')}{detail}"
    if kind == "/healthz/live/":
        return f"{status} alive" if status == 200 and '"alive"' in text else f"{status}"
    if kind == "htmx save" and status == 200:
        if "changed in another tab" in text:
            return "200 conflict"
        return "200 saved" if f'id="relationship-{pk}"' in text else "200 not saved"
    if kind == "PDF export" and status == 200:
        ok = headers.get("content-type", "").startswith("application/pdf")
        return "200 pdf" if ok and text.startswith("%PDF") else "200 not a PDF"
    if status == 503:
        return "503 other"
    return str(status)


def classify_error(error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "no answer (client timeout)"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    return f"error: {type(error).__name__}"


# --- the steady load, in a process of its own -----------------------------------------------


class Record(NamedTuple):
    """One thing a user did: its kind, when it started and ended (time.time()), what they got,
    and the longest single HTTP request in it (a PDF is a page that asks again until ready)."""

    kind: str
    start: float
    end: float
    outcome: str
    longest: float


@dataclass(frozen=True)
class Client:
    kind: str
    session: str
    canvas: int
    relationship: int = 0
    version: int = 0
    every: float = 0.4  # seconds between the starts of two requests


NOTICE_STATE = re.compile(r'data-state="([\w-]+)"')
NOTICE_OVER = {"too-long", "failed", "budget"}  # relationships.pdf.jobs.State.is_over


def pdf_journey(browser: Browser, path: str, bound: float) -> tuple[str, float]:
    """The PDF as a browser gets it: at once from the cache, or a 202 notice that asks again
    every second (htmx) until an HX-Redirect sends it to the PDF. (outcome, longest request)"""
    began = time.time()
    reply = browser.request("GET", path)
    longest = reply.ms / 1000
    if reply.status != 202:
        return classify("PDF export", reply.status, reply.headers, reply.text), longest
    state = "?"
    while time.time() - began < bound:
        time.sleep(1)
        reply = browser.request("GET", path, htmx=True)
        longest = max(longest, reply.ms / 1000)
        if "hx-redirect" in reply.headers:
            reply = browser.request("GET", path)
            longest = max(longest, reply.ms / 1000)
            return (
                f"202, then {classify('PDF export', reply.status, reply.headers, reply.text)}",
                longest,
            )
        match = NOTICE_STATE.search(reply.text) if reply.status == 200 else None
        if not match:
            return (
                f"202, then {classify('PDF export', reply.status, reply.headers, reply.text)}",
                longest,
            )
        state = match[1]
        if state in NOTICE_OVER:
            return f"202, then notice: {state}", longest
    return f"202, no PDF within {bound:.0f} s (notice: {state})", longest


def _client_loop(port: int, client: Client, stop, deadline: float, out: list, acks: list):
    rng = random.Random(f"{client.kind}{client.relationship}{client.canvas}")
    bound = bound_of(client.kind)
    browser = Browser(port, client.session, timeout=bound + CLIENT_TIMEOUT)
    version, n, answered = client.version, 0, True
    paths = {
        "canvas page": f"/canvases/{client.canvas}/",
        "/healthz/": "/healthz/",
        "/healthz/live/": "/healthz/live/",
        "PDF export": f"/canvases/{client.canvas}/export.pdf",
    }
    if client.kind == "htmx save":  # the CSRF token, as the editor page gives it
        with contextlib.suppress(OSError):
            browser.request("GET", f"/canvases/{client.canvas}/")
    next_at = time.time()
    while not stop.is_set() and time.time() < deadline:
        time.sleep(max(0.0, next_at - time.time()))
        next_at = max(next_at + client.every, time.time())
        started = time.time()
        longest = None
        try:
            if client.kind == "htmx save":
                n += 1
                text = f"fault test r{client.relationship} n{n}"
                body = save_body(version, text, rng)
                reply = browser.request(
                    "POST", f"/relationships/{client.relationship}/edit/", body, htmx=True
                )
                outcome = classify(
                    client.kind, reply.status, reply.headers, reply.text, client.relationship
                )
                if saved(reply, client.relationship):
                    version += 1
                    acks.append((client.relationship, n, version, time.time()))
                elif outcome == "200 conflict":
                    version = current_version(reply.text) or version
                    if not answered:
                        outcome = UNANSWERED_CONFLICT
                answered = outcome == "200 saved"
            elif client.kind == "PDF export":
                outcome, longest = pdf_journey(browser, paths[client.kind], bound)
            else:
                reply = browser.request("GET", paths[client.kind])
                outcome = classify(client.kind, reply.status, reply.headers, reply.text)
        except Exception as error:  # what the user saw: no answer at all
            outcome = classify_error(error)
            answered = False
        ended = time.time()
        out.append(Record(client.kind, started, ended, outcome, longest or ended - started))
        if client.kind == "htmx save" and not browser.csrf:
            with contextlib.suppress(OSError):  # the page before failed: open it again
                browser.request("GET", f"/canvases/{client.canvas}/")
    browser.close()


def _load_process(port, clients, stop, deadline, results_path):
    out: list = []
    acks: list = []
    threads = [
        threading.Thread(
            target=_client_loop, args=(port, c, stop, deadline, out, acks), daemon=True
        )
        for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.time()) + CLIENT_TIMEOUT + 40)
    Path(results_path).write_text(json.dumps({"records": out, "acks": acks}))


def warm_up(port: int, users: list[dict], sample: dict) -> str:
    """What a server that has been up a while has done: pages, a save, the health checks on
    new connections (so that every worker gets some), and the PDF once (rendered by the
    queue's worker, then in the cache). Not counted."""
    one = users[-1]
    for _ in range(6):
        browser = Browser(port, one["session"], timeout=60)
        try:
            browser.request("GET", f"/canvases/{one['canvas']}/")
            pk = one["relationships"][-1]
            browser.request("POST", f"/relationships/{pk}/edit/", save_body(None, "warm"), True)
            browser.request("GET", "/healthz/")
        finally:
            browser.close()
    browser = Browser(port, sample["session"], timeout=60)
    try:
        outcome, _longest = pdf_journey(browser, f"/canvases/{sample['canvas']}/export.pdf", 60)
    finally:
        browser.close()
    return outcome


# --- the services it starts -----------------------------------------------------------------


def _unprivileged() -> tuple[str, str] | None:
    """PostgreSQL refuses to run as root: then it runs as ``postgres`` (or ``nobody``)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return name, grp.getgrgid(entry.pw_gid).gr_name
    raise SystemExit("running as root, and there is no 'postgres' or 'nobody' user to run as")


class Postgres:
    """A PostgreSQL of our own in ``directory`` (initdb, pg_ctl), on 127.0.0.1:``port``."""

    def __init__(self, directory: Path, port: int) -> None:
        self.dir, self.port = directory, port
        self.data, self.log = directory / "data", directory / "postgres.log"
        self.bin = PG_BIN if PG_BIN.exists() else _newest_pg_bin()
        self.owner = _unprivileged()
        self.started = False

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        user, group = self.owner or (None, None)
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.dir,
            user=user,
            group=group,
            extra_groups=[] if user else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )

    def init(self) -> None:
        self.dir.mkdir(mode=0o700)
        if self.owner:
            shutil.chown(self.dir, *self.owner)
        done = self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        if done.returncode:
            raise SystemExit(f"initdb failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses={LOOPBACK} -c unix_socket_directories={self.dir}"
            " -c max_connections=60 -c shared_buffers=32MB"
        )
        done = self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
        )
        if done.returncode:
            raise SystemExit(f"PostgreSQL did not start:\n{done.stdout}{done.stderr}")
        self.started = True

    def stop(self, mode: str = "fast") -> None:
        done = self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")
        if done.returncode and self.running():
            raise SystemExit(f"PostgreSQL did not stop:\n{done.stdout}{done.stderr}")

    def running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.data), timeout=20).returncode == 0

    def kill(self) -> None:
        """Whatever happened: stop it, and if pg_ctl cannot, kill the postmaster of our
        data directory (its pid is the first line of postmaster.pid)."""
        with contextlib.suppress(Exception):
            if self.running():
                self.stop("immediate")
        pid_file = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pid_file.read_text().split()[0])
            if str(self.data) in Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "):
                os.kill(pid, signal.SIGKILL)

    def url(self, database: str) -> str:
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{database}"


def _newest_pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL's server is not installed (apt-get install postgresql)")
    return found[-1].parent


class Redis:
    """A redis-server of our own on 127.0.0.1:``port``, keeping nothing on disk."""

    def __init__(self, directory: Path, port: int) -> None:
        self.dir, self.port, self.log = directory, port, directory / "redis.log"
        self.process: subprocess.Popen | None = None
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                LOOPBACK,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
                "--logfile",
                str(self.log),
            ],
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_until(self.answers, 20):
            raise SystemExit(f"redis-server did not answer; see {self.log}")

    def answers(self) -> bool:
        with socket.create_connection((LOOPBACK, self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        stop_group(self.process, signal.SIGTERM, timeout=10)

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"


@contextlib.contextmanager
def silent_port(port: int):
    """PostgreSQL's port taking connections and never answering, as an overloaded or stuck
    server (or a proxy in front of a dead one) does: the kernel completes each connection and
    nobody reads it. Only the connect timeout of the settings ends such a wait."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((LOOPBACK, port))
        server.listen(64)
        yield


def extra_processes(env: dict, tmp: Path) -> list[tuple[str, subprocess.Popen]]:
    """The hook for the other processes of the stack, started with the server's environment
    and stopped with it: the Celery worker that renders PDFs, when the project has one
    (canvas_site/celery.py, relationships/pdf/jobs.py) and the settings queue PDFs (REDIS_URL
    set, PDF_QUEUE not inline). Add any other process of the stack here."""
    started = []
    queued = env.get("REDIS_URL") and env.get("PDF_QUEUE", "celery") != "inline"
    has_worker = all(
        (ROOT / p).exists() for p in ("canvas_site/celery.py", "relationships/pdf/jobs.py")
    )
    if queued and has_worker and (BIN / "celery").exists():
        # The worker exactly as ``make serve`` starts it (canvas_site/serve.py), quieter.
        from canvas_site.serve import commands

        worker_env = {
            **env,
            "LOG_LEVEL": "WARNING",
            "PDF_WORKERS": "1",
            "PDF_WORKER_CONCURRENCY": "1",
        }
        _web, command = commands(worker_env)
        with (tmp / "celery.log").open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        started.append(("celery worker", process))
    return started


# --- what users saw -------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    name: str
    start: float
    end: float
    service: str = ""  # the service down in this phase, or back since its start
    down: bool = False
    bound: float = 0.0  # seconds a request may take here, if not DEFAULT_BOUND (not PDFs)
    server_bound: float = 0.0  # if set: seconds any request may spend in Django here


def phase_of(phases: list[Phase], record: Record) -> Phase | None:
    """The phase a request belongs to: the outage it met, if it was still going when a
    service stopped; else the phase in which it started."""
    for phase in phases:
        if phase.down and record.start < phase.end and record.end >= phase.start:
            return phase
    for phase in phases:
        if phase.start <= record.start < phase.end:
            return phase
    return None


def recovery(records: list[Record], kind: str, since: float, until: float) -> float | None:
    """Seconds from ``since`` (the service answering again) to the first good answer of
    ``kind`` after which every answer that ended before ``until`` was good; None if none."""
    mine = sorted(
        (r for r in records if r.kind == kind and since <= r.start and r.end < until),
        key=lambda r: r.start,
    )
    recovered_at = None
    for record in mine:
        if record.outcome in GOOD[kind]:
            if recovered_at is None:
                recovered_at = record.start
        else:
            recovered_at = None
    return None if recovered_at is None else max(0.0, recovered_at - since)


def outcomes_line(records: list[Record]) -> str:
    counts = Counter(r.outcome for r in records)
    return ", ".join(f"{n} x {outcome}" for outcome, n in counts.most_common())


def bound_of(kind: str, phase: Phase | None = None) -> float:
    if kind in BOUNDS:
        return BOUNDS[kind]
    return phase.bound if phase is not None and phase.bound else DEFAULT_BOUND


_SERVER_KINDS = [
    (re.compile(r"^/canvases/\d+/$"), "canvas page"),
    (re.compile(r"^/relationships/\d+/edit/$"), "htmx save"),
    (re.compile(r"^/healthz/$"), "/healthz/"),
    (re.compile(r"^/healthz/live/$"), "/healthz/live/"),
    (re.compile(r"^/canvases/\d+/export\.pdf$"), "PDF export"),
]


def server_durations(lines) -> list[tuple[float, str, float]]:
    """(start, kind, seconds in Django) of each request in the server's JSON request log
    (canvas_site.middleware logs when a request ends, with its duration)."""
    found = []
    for line in lines:
        if not line.startswith("{"):
            continue
        with contextlib.suppress(ValueError, KeyError, TypeError):
            record = json.loads(line)
            if record.get("logger") != "canvas.request":
                continue
            seconds = float(record["duration_ms"]) / 1000
            ended = datetime.fromisoformat(record["time"]).timestamp()
            for pattern, kind in _SERVER_KINDS:
                if pattern.match(record["path"]):
                    found.append((ended - seconds, kind, seconds))
                    break
    return found


def check_phase(phase: Phase, records: list[Record]) -> list[str]:
    """What was wrong in one phase: answers nobody should get there, or, while a service is
    down, none of the answers its absence should cause."""
    problems = []
    for kind in KINDS:
        seen = {r.outcome for r in records if r.kind == kind}
        allowed = set(GOOD[kind])
        if phase.service:
            allowed |= WHILE_DOWN[phase.service][kind]
        if phase.service == "PostgreSQL":
            allowed |= EXPLAINED_AFTER_DB.get(kind, set())
        if not seen:
            problems.append(f"{phase.name}: no {kind} request at all")
        if wrong := seen - allowed:
            problems.append(f"{phase.name}: {kind} answered {', '.join(sorted(wrong))}")
        expected = WHILE_DOWN[phase.service][kind] - GOOD[kind] if phase.down else set()
        if expected and seen and not seen & expected:
            problems.append(f"{phase.name}: {kind} never answered {', '.join(sorted(expected))}")
    return problems


def lost_saves(acks: list, rows: dict[int, tuple[str, int, int]]) -> list[str]:
    """Acknowledged saves missing from the database. ``acks``: (relationship, n, version
    after, time) per acknowledged save; ``rows``: relationship -> (its interaction text,
    version, relationship revisions written). Each client saves its own relationship in
    order, so the text must be that of the last acknowledged save or a later one, the version
    at least the one acknowledged, and every acknowledged save must have its revision row."""
    last: dict[int, tuple[int, int]] = {}
    count: Counter = Counter()
    for pk, n, version, _at in acks:
        count[pk] += 1
        if pk not in last or n > last[pk][0]:
            last[pk] = (n, version)
    problems = []
    for pk, (n, version) in sorted(last.items()):
        text, db_version, revisions = rows.get(pk, ("", 0, 0))
        match = SAVE_TEXT.search(text)
        if not match or int(match[1]) != pk or int(match[2]) < n:
            problems.append(f"relationship {pk}: acknowledged save n{n}, database has {text!r}")
        if db_version < version:
            problems.append(
                f"relationship {pk}: acknowledged version {version}, database {db_version}"
            )
        if revisions < count[pk]:
            problems.append(
                f"relationship {pk}: {count[pk]} saves acknowledged, {revisions} revisions"
            )
    return problems


_EXCEPTION = re.compile(
    r"^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Timeout|Exit|Interrupt|Warning))\b"
)


def exception_name(traceback: str) -> str:
    """The class of the exception a logged traceback ends with (``OperationalError``): the
    last line that starts with one, since a message may run over several lines."""
    for line in reversed(traceback.strip().splitlines()):
        if match := _EXCEPTION.match(line):
            return match[1].rsplit(".", 1)[-1]
    return "unknown"


def server_errors(lines) -> Counter:
    """Exceptions in the server's JSON log by class, with the logger that wrote each:
    ``{("OperationalError", "django.request"): 12, ...}``."""
    found: Counter = Counter()
    for line in lines:
        if not line.startswith("{"):
            continue
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if exception := record.get("exception"):
                found[(exception_name(exception), record.get("logger", "?"))] += 1
    return found


# --- the whole run --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=float, default=12, help="seconds before any fault")
    parser.add_argument("--redis-down", type=float, default=10)
    parser.add_argument("--redis-after", type=float, default=15, help="seconds after it is back")
    parser.add_argument("--pg-down", type=float, default=10, help="seconds refusing connections")
    parser.add_argument(
        "--pg-silent",
        type=float,
        default=8,
        help="then seconds of a port that takes connections and never answers (0: none)",
    )
    parser.add_argument("--pg-after", type=float, default=20, help="seconds after it is back")
    parser.add_argument(
        "--pg-stop",
        choices=["fast", "immediate"],
        default="immediate",
        help="pg_ctl's shutdown mode: immediate is a crash (recovery from the WAL on restart)",
    )
    parser.add_argument("--keep-logs", type=Path, help="copy the services' logs here first")
    parser.add_argument("--time-limit", type=float, default=240, help="seconds, then stop all")
    args = parser.parse_args()
    with stopped_by_signals(args.time_limit):
        return _main(args)


def _clients(seeded: dict) -> list[Client]:
    users, sample = seeded["users"], seeded["sample"][0]
    clients = [Client("canvas page", u["session"], u["canvas"]) for u in users[:2]]
    for u in users[2:5]:  # each its own relationship: saves in order, every one numbered
        pk = u["relationships"][0]
        clients.append(Client("htmx save", u["session"], u["canvas"], pk, u["versions"][pk]))
    return [
        *clients,
        Client("/healthz/", "", 0, every=0.25),  # a load balancer: no cookie
        Client("/healthz/live/", "", 0, every=0.25),
        Client("PDF export", sample["session"], sample["canvas"], every=1.5),
    ]


def _main(args) -> int:
    begun = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="canvas-faults-"))
    tmp.chmod(0o711)  # PostgreSQL's own user must reach its directory inside
    pg = Postgres(tmp / "pg", free_port())
    redis = Redis(tmp, free_port())
    port = free_port()
    gunicorn: Gunicorn | None = None
    extras: list[tuple[str, subprocess.Popen]] = []
    load: multiprocessing.Process | None = None
    try:
        pg.init()
        pg.start()
        with psycopg.connect(pg.url("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute("CREATE DATABASE canvas")
        redis.start()
        env = server_env(pg.url("canvas"), tmp / "static", port, redis.url)
        env["STATIC_MANIFEST"] = "0"
        seeded = prepare(env, collectstatic=False, then=lambda: seed(env, 6, sample=1))
        gunicorn = Gunicorn(env, port, tmp / "gunicorn.log")
        gunicorn.start()
        extras = extra_processes(env, tmp)
        workers, threads = gunicorn.shape()
        print(
            f"== {time.strftime('%Y-%m-%d %H:%M')}: PostgreSQL on {LOOPBACK}:{pg.port} "
            f"({pg.bin}), Redis on {LOOPBACK}:{redis.port}, gunicorn on {LOOPBACK}:{port} "
            f"({workers} workers x {threads} threads)"
            + (f", {', '.join(name for name, _p in extras)}" if extras else "")
            + f"; {code_state()}"
        )
        if not extras:
            print(
                "   (no PDF worker: the project has no canvas_site/celery.py and "
                "relationships/pdf/jobs.py, or PDFs are not queued; see extra_processes())"
            )
        warmed = warm_up(port, seeded["users"], seeded["sample"][0])
        print(f"== warm-up (not counted): pages, saves, health; the PDF: {warmed}")

        clients = _clients(seeded)
        total = (
            args.baseline + args.redis_down + args.redis_after + args.pg_down + args.pg_silent
        ) + args.pg_after
        context = multiprocessing.get_context("fork")
        stop, results = context.Event(), tmp / "load.json"
        load = context.Process(
            target=_with_child_signals,
            args=(_load_process, port, clients, stop, time.time() + total + 60, str(results)),
            daemon=True,
        )
        print(
            f"== steady load from another process: {len(clients)} clients "
            f"({', '.join(KINDS)}); {args.baseline:.0f} s as usual, Redis down "
            f"{args.redis_down:.0f} s, {args.redis_after:.0f} s after, PostgreSQL down "
            f"{args.pg_down:.0f} s (pg_ctl stop -m {args.pg_stop}), then its port taking "
            f"connections and never answering {args.pg_silent:.0f} s, {args.pg_after:.0f} s after"
        )
        t0 = time.time()
        load.start()
        time.sleep(args.baseline)
        redis_stop = time.time()
        redis.stop()
        time.sleep(max(0.0, redis_stop + args.redis_down - time.time()))
        redis_restart = time.time()
        redis.start()
        redis_up = time.time()
        time.sleep(args.redis_after)
        pg_stop = time.time()
        pg.stop(args.pg_stop)
        time.sleep(max(0.0, pg_stop + args.pg_down - time.time()))
        silent_start = time.time()
        if args.pg_silent > 0:
            with silent_port(pg.port):
                time.sleep(args.pg_silent)
        pg_restart = time.time()
        pg.start()
        pg_up = time.time()
        time.sleep(args.pg_after)
        end = time.time()
        stop.set()
        load.join(timeout=CLIENT_TIMEOUT + 60)
        if load.is_alive() or not results.exists():
            raise SystemExit("the load process did not finish in time")
        data = json.loads(results.read_text())
        records = [Record(*r) for r in data["records"]]

        print(
            f"== Redis answered {redis_up - redis_restart:.1f} s after its start, PostgreSQL "
            f"{pg_up - pg_restart:.1f} s after its start (recovery from the WAL included)"
        )
        phases = [  # a down phase lasts until the service is started again
            Phase("as usual", t0, redis_stop),
            Phase("Redis down", redis_stop, redis_restart, "Redis", down=True),
            Phase("Redis back", redis_restart, pg_stop, "Redis"),
            Phase("PostgreSQL down", pg_stop, silent_start, "PostgreSQL", down=True),
            # In Django each request waits DB_CONNECT_TIMEOUT once. Before that it may wait
            # for a thread of its gunicorn worker (2 threads; keep-alive connections stay
            # with one worker) that is itself waiting: up to two more timeouts here.
            Phase(
                "PostgreSQL not answering",
                silent_start,
                pg_restart,
                "PostgreSQL",
                down=True,
                bound=3 * DB_CONNECT_TIMEOUT + 1,
                server_bound=DB_CONNECT_TIMEOUT + 1,
            ),
            Phase("PostgreSQL back", pg_restart, end, "PostgreSQL"),
        ]
        phases = [phase for phase in phases if phase.end > phase.start]
        ups = {"Redis": (redis_up, pg_stop), "PostgreSQL": (pg_up, end + CLIENT_TIMEOUT)}
        with (tmp / "gunicorn.log").open(errors="replace") as f:
            server = server_durations(f)
        problems = report(phases, records, ups, server)
        problems += _check_saves(pg, data["acks"], clients, redis_stop, pg_stop)
        problems += _check_logs(tmp, extras)
        for problem in problems:
            print(f"  FAIL: {problem}")
        print(f"== {'PASS' if not problems else 'FAIL'} ({time.monotonic() - begun:.0f} s so far)")
        return 0 if not problems else 1
    finally:
        with shielded():
            if load is not None and load.is_alive():
                load.terminate()
                load.join(timeout=10)
                if load.is_alive():
                    load.kill()
            for _name, process in extras:
                stop_group(process)
            if gunicorn is not None:
                gunicorn.stop()
            redis.stop()
            pg.kill()
            if args.keep_logs:
                args.keep_logs.mkdir(parents=True, exist_ok=True)
                for log in [*tmp.glob("*.log"), pg.log]:
                    with contextlib.suppress(OSError):
                        shutil.copy(log, args.keep_logs / log.name)
            shutil.rmtree(tmp, ignore_errors=True)
            print(f"== stopped everything it started; removed {tmp}")


def _check_saves(pg: Postgres, acks: list, clients: list[Client], redis_stop, pg_stop):
    """Every acknowledged save still in the database, once all is back."""
    pks = sorted({a[0] for a in acks} | {c.relationship for c in clients if c.relationship})
    with psycopg.connect(pg.url("canvas"), connect_timeout=10) as conn:
        rows = {
            pk: (text, version, revisions)
            for pk, text, version, revisions in conn.execute(
                "SELECT r.id, r.interaction, r.version, (SELECT count(*) FROM "
                "relationships_revision v WHERE v.card = 'relationship' AND v.card_id = r.id) "
                "FROM relationships_relationship r WHERE r.id = ANY(%s)",
                (pks,),
            )
        }
    lost = lost_saves(acks, rows)
    print(
        f"== saves: {len(acks)} acknowledged ({sum(1 for a in acks if a[3] < redis_stop)} "
        f"before the first fault, {sum(1 for a in acks if a[3] < pg_stop)} before PostgreSQL "
        "stopped): " + ("all in the database afterwards" if not lost else f"{len(lost)} LOST")
    )
    return [f"lost: {line}" for line in lost]


EXPECTED_EXCEPTIONS = {"OperationalError", "InterfaceError"}  # the database unreachable
# Exceptions of the libraries, not of the app, with what they mean; reported, not failed.
KNOWN_EXCEPTIONS = {
    ("AttributeError", "celery.bootsteps"): (
        "Celery's 'Error on restarting Gossip' when the broker goes away (celery/kombu#582); "
        "the worker reconnects by itself (--without-gossip avoids it)"
    ),
}


def _check_logs(tmp: Path, extras: list[tuple[str, subprocess.Popen]]) -> list[str]:
    problems = []
    for name in ("gunicorn", *(n.split()[0] for n, _p in extras)):
        path = tmp / f"{name}.log"
        if not path.exists():
            continue
        with path.open(errors="replace") as f:
            errors = server_errors(f)
        listed = ", ".join(f"{n} x {cls} ({logger})" for (cls, logger), n in errors.most_common())
        print(f"== {name} log: exceptions: {listed or 'none'}")
        for key in errors.keys() & KNOWN_EXCEPTIONS.keys():
            print(f"  NOTE: {key[0]} ({key[1]}): {KNOWN_EXCEPTIONS[key]}")
        unexpected = {
            k: n
            for k, n in errors.items()
            if k[0] not in EXPECTED_EXCEPTIONS and k not in KNOWN_EXCEPTIONS
        }
        if unexpected:
            problems.append(f"unexpected exceptions in the {name} log: {unexpected}")
    for name, process in extras:
        if process.poll() is not None:
            problems.append(f"the {name} stopped (exit {process.returncode})")
    return problems


def _with_child_signals(target, *args):
    child_ignores_signals()
    target(*args)


def report(
    phases: list[Phase],
    records: list[Record],
    ups: dict[str, tuple[float, float]],
    server: list[tuple[float, str, float]],
) -> list[str]:
    """Print what users saw per phase (with the longest request as the user waited for it
    and as Django spent on one), the recovery and the bounds; return the problems."""
    problems: list[str] = []
    by_phase: dict[str, list[Record]] = {phase.name: [] for phase in phases}
    placed: list[tuple[Record, Phase | None]] = []
    for record in records:
        phase = phase_of(phases, record)
        placed.append((record, phase))
        if phase is not None:
            by_phase[phase.name].append(record)
    for phase in phases:
        mine = by_phase[phase.name]
        print(f"== {phase.name} ({phase.end - phase.start:.1f} s)")
        print(f"  {'':<15} longest: waited, in Django   answers")
        for kind in KINDS:
            of_kind = [r for r in mine if r.kind == kind]
            longest = max((r.longest for r in of_kind), default=0.0)
            inside = max(
                (sec for at, k, sec in server if k == kind and phase.start <= at < phase.end),
                default=0.0,
            )
            whole = max((r.end - r.start for r in of_kind), default=0.0)
            waited = (
                f" (the longest until its answer {whole:.1f} s)" if kind == "PDF export" else ""
            )
            print(
                f"  {kind:<15} {longest:7.2f} s {inside:7.2f} s   {outcomes_line(of_kind)}{waited}"
            )
            if phase.server_bound and inside > phase.server_bound:
                problems.append(
                    f"{phase.name}: a {kind} spent {inside:.1f} s in Django, more than one "
                    f"wait of DB_CONNECT_TIMEOUT ({DB_CONNECT_TIMEOUT:.0f} s)"
                )
        problems += check_phase(phase, mine)
    print("== time to recover once the service answered again")
    for service, (since, until) in ups.items():
        parts = []
        for kind in KINDS:
            took = recovery(records, kind, since, until)
            parts.append(f"{kind} {'never' if took is None else f'{took:.1f} s'}")
            if took is None:
                problems.append(f"after {service} came back, {kind} did not recover")
        print(f"  {service}: " + ", ".join(parts))
    hung = [(r, phase) for r, phase in placed if r.longest > bound_of(r.kind, phase)]
    bounds = ", ".join(f"{k} {bound_of(k):.0f} s" for k in KINDS)
    special = "".join(
        f"; {p.name}: {p.bound:.0f} s but PDFs, and {p.server_bound:.0f} s in Django"
        for p in phases
        if p.bound
    )
    print(
        f"== longest request {max((r.longest for r in records), default=0):.2f} s; "
        f"{len(hung)} over their bound ({bounds}{special})"
    )
    for r, phase in hung[:10]:
        where = phase.name if phase else "?"
        print(f"  HUNG: {r.kind} took {r.longest:.1f} s ({r.outcome}, {where})")
    if hung:
        problems.append(f"{len(hung)} requests took longer than their bound")
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
