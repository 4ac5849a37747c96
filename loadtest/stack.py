"""What ``make load`` and ``make faults`` share: the production server's environment, seeding,
gunicorn, CPU accounting from /proc, time limits, and stopping everything whatever happens."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
BIN = Path(sys.executable).parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- small pure helpers ---------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank); 0 for none."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, int(fraction * len(ordered))))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def loopback_only(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"The load test talks to this machine only; {host!r} is not loopback.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def code_state() -> str:
    """The commit under test, and the files that differ from it: work in progress in a shared
    checkout is what gunicorn runs, and moves the figures."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=20
        )
        return done.stdout.rstrip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return f"code in {ROOT}, not a git checkout"
    changed = [
        line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
    ]
    if not changed:
        return f"code at {head}, clean"
    shown = ", ".join(changed[:6]) + (", ..." if len(changed) > 6 else "")
    return f"code at {head} + {len(changed)} uncommitted files ({shown})"


# --- the server -----------------------------------------------------------------------------


def server_env(database_url: str, static_root: Path, port: int, redis_url: str = "") -> dict:
    """``make serve``'s environment, DEBUG off, for a trial on loopback over plain HTTP."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": LOOPBACK,
        "HTTPS": "0",
        "EMAIL": "off",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "STATIC_MANIFEST": "1",
        "BIND": f"{LOOPBACK}:{port}",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def prepare(env: dict, collectstatic: bool = True, then: Callable[[], object] | None = None):
    """What ``make serve`` does before gunicorn: check --deploy, migrate, createcachetable,
    collectstatic; then ``then()`` (seeding), while collectstatic (a minute of brotli on two
    cores, and no database) still runs. Returns what ``then`` returned."""
    collecting = None
    if collectstatic:
        collecting = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        manage(env, "check", "--deploy", "--fail-level", "WARNING")
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        result = then() if then else None
        if collecting is not None:
            _out, err = collecting.communicate(timeout=300)
            if collecting.returncode:
                raise SystemExit(f"manage.py collectstatic failed:\n{err}")
        return result
    finally:
        if collecting is not None and collecting.poll() is None:
            collecting.kill()
            collecting.wait(timeout=10)


def seed(env: dict, users: int, sample: int = 0, shape=(3, 2, 2), timeout: float = 300) -> dict:
    """``users`` users with a canvas each, and ``sample`` more with the sample canvas each
    (loadtest.seed): ``{"users": [...], "sample": [...]}``."""
    result = subprocess.run(
        [sys.executable, "-m", "loadtest.seed", str(users), *map(str, shape), str(sample)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(f"seeding failed:\n{result.stderr}")
    seeded = json.loads(result.stdout)
    for one in seeded["users"] + seeded["sample"]:
        one["versions"] = {int(pk): v for pk, v in one["versions"].items()}  # JSON keys: text
    return seeded


def get(port: int, path: str, timeout: float = 2, cookie: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        headers = {"Host": LOOPBACK, **({"Cookie": cookie} if cookie else {})}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(step)
    return False


class Gunicorn:
    """gunicorn with ``canvas_site/gunicorn.conf.py`` (``make serve``), in a process group of
    its own so that stopping it stops its workers too."""

    def __init__(self, env: dict, port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "canvas_site/gunicorn.conf.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        if not wait_until(lambda: get(self.port, "/healthz/")[0] == 200, timeout, 0.2):
            raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {self.log}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def shape(self) -> tuple[int, int]:
        """(workers, threads) as gunicorn.conf.py reads them from this environment."""
        code = (
            "import runpy, json; c = runpy.run_path('canvas_site/gunicorn.conf.py'); "
            "print(json.dumps([c['workers'], c['threads']]))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        workers, threads = json.loads(out.stdout)
        return workers, threads

    def stop(self) -> None:
        stop_group(self.process)


def stop_group(process: subprocess.Popen | None, sig=signal.SIGTERM, timeout: float = 20):
    """Stop a process started with start_new_session=True, and everything in its group."""
    if process is None or process.poll() is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if process is not None:
                os.killpg(process.pid, signal.SIGKILL)  # leftovers of an exited leader
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # any worker the master left behind


# --- signals and time limits ----------------------------------------------------------------


class TimeLimit(SystemExit):
    pass


@contextlib.contextmanager
def stopped_by_signals(limit: float | None = None) -> Iterator[None]:
    """SIGTERM, SIGHUP (and SIGINT, as KeyboardInterrupt) end the run through its ``finally``
    blocks; so does ``limit`` seconds of wall time (SIGALRM), so the run is always bounded."""

    def stop(signum, _frame):
        if signum == signal.SIGALRM:
            raise TimeLimit(f"time limit of {limit:.0f} s reached: stopping everything")
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGALRM)}
    if limit:
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Clean-up that a second Ctrl-C or SIGTERM must not cut short."""
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM)
    signal.setitimer(signal.ITIMER_REAL, 0)
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def child_ignores_signals() -> None:
    """For load-generator processes: the parent alone handles Ctrl-C and stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)


# --- CPU accounting from /proc --------------------------------------------------------------


@dataclass(frozen=True)
class ProcStat:
    pid: int
    comm: str
    ppid: int
    start: int  # clock ticks after boot: tells a reused pid from the first one
    own: int  # utime + stime, clock ticks
    children: int  # cutime + cstime: waited-for children, clock ticks


def parse_proc_stat(text: str) -> ProcStat:
    """``/proc/<pid>/stat``; the command name may hold spaces and parentheses."""
    head, _, rest = text.rpartition(")")
    pid, _, comm = head.partition(" (")
    fields = rest.split()  # fields[0] is field 3 of proc(5), the state
    return ProcStat(
        pid=int(pid),
        comm=comm,
        ppid=int(fields[1]),
        start=int(fields[19]),
        own=int(fields[11]) + int(fields[12]),
        children=int(fields[13]) + int(fields[14]),
    )


def parse_machine_stat(text: str) -> tuple[int, int]:
    """(busy, all) clock ticks of all cores from the ``cpu`` line of ``/proc/stat``."""
    for line in text.splitlines():
        if line.startswith("cpu "):
            values = [int(v) for v in line.split()[1:]]
            user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
            busy = user + nice + system + irq + softirq + steal
            return busy, busy + idle + iowait
    raise ValueError("no cpu line in /proc/stat")


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _scan() -> list[ProcStat]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and (text := _read(f"/proc/{name}/stat")):
            with contextlib.suppress(ValueError, IndexError):
                found.append(parse_proc_stat(text))
    return found


@dataclass
class CpuSample:
    wall: float
    groups: dict[str, float] = field(default_factory=dict)  # CPU seconds used so far
    machine_busy: float = 0.0
    machine_all: float = 0.0
    # Everybody else's processes: (pid, start) -> (command, CPU seconds so far).
    others: dict[tuple[int, int], tuple[str, float]] = field(default_factory=dict)


class CpuMeter:
    """CPU seconds used by named groups of processes, sampled from /proc every ``interval`` s.

    - ``trees``: name -> root pid: the root (with the children it waited for) and its live
      children (gunicorn's master and workers; a recycled worker's time moves to the master).
    - ``titles``: name -> a word in the command line, for processes that are not ours to
      wait for (PostgreSQL backends of one database: ``postgres: ... user dbname ...``); each
      is followed by pid and start time, and counted up to its last sample when it ends.
    - the whole machine, from /proc/stat: what nobody above used is other work on it.
    """

    def __init__(
        self,
        trees: dict[str, int] | None = None,
        titles: dict[str, str] | None = None,
        interval: float = 0.5,
    ) -> None:
        self.trees, self.titles, self.interval = trees or {}, titles or {}, interval
        self._seen: dict[str, dict[tuple[int, int], int]] = {name: {} for name in self.titles}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> CpuMeter:
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(Exception):
                self.sample()

    def _title_matches(self, stat: ProcStat, word: str) -> bool:
        cmdline = _read(f"/proc/{stat.pid}/cmdline") or ""
        return f" {word} " in f" {cmdline.replace(chr(0), ' ')} "

    def sample(self) -> CpuSample:
        with self._lock:
            procs = _scan()
            now = time.monotonic()
            groups: dict[str, float] = {}
            for name, root in self.trees.items():
                ticks = 0
                for stat in procs:
                    if stat.pid == root:
                        ticks += stat.own + stat.children
                    elif stat.ppid == root:
                        ticks += stat.own
                groups[name] = ticks / CLK_TCK
            for name, word in self.titles.items():
                seen = self._seen[name]
                for stat in procs:
                    if stat.comm.startswith("postgres") or (stat.pid, stat.start) in seen:
                        key = (stat.pid, stat.start)
                        if key in seen or self._title_matches(stat, word):
                            seen[key] = stat.own
                groups[name] = sum(seen.values()) / CLK_TCK
            ours = _descendants(procs, [os.getpid(), *self.trees.values()])
            ours |= {pid for name in self._seen for pid, _start in self._seen[name]}
            others = {
                (stat.pid, stat.start): (_command(stat), stat.own / CLK_TCK)
                for stat in procs
                if stat.pid not in ours and stat.own
            }
            busy, total = parse_machine_stat(_read("/proc/stat") or "")
            return CpuSample(now, groups, busy / CLK_TCK, total / CLK_TCK, others)


def _descendants(procs: list[ProcStat], roots: list[int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in procs:
        children.setdefault(stat.ppid, []).append(stat.pid)
    found, todo = set(roots), list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _command(stat: ProcStat) -> str:
    words = (_read(f"/proc/{stat.pid}/cmdline") or "").split("\0")
    words = [Path(words[0]).name, *words[1:3]] if words and words[0] else [stat.comm]
    return " ".join(w for w in words if w)[:40]


@dataclass
class CpuUse:
    """CPU over a window, in cores (CPU seconds per second of wall time)."""

    wall: float
    cores: dict[str, float]
    machine: float  # cores busy on the whole machine
    capacity: int  # cores on the machine
    others: list[tuple[str, float]] = field(default_factory=list)  # the busiest other commands

    def other(self, known: float) -> float:
        """Busy cores nobody measured accounts for: other work on a shared machine."""
        return max(0.0, self.machine - known)


def cpu_between(first: CpuSample, last: CpuSample, extra: dict[str, float] | None = None) -> CpuUse:
    """``extra``: CPU seconds measured some other way (wrk's rusage, the generators' own)."""
    wall = max(last.wall - first.wall, 1e-9)
    cores = {k: (last.groups[k] - first.groups.get(k, 0.0)) / wall for k in last.groups}
    for name, seconds in (extra or {}).items():
        cores[name] = seconds / wall
    machine_wall = max(last.machine_all - first.machine_all, 1e-9)
    capacity = os.cpu_count() or 1
    machine = (last.machine_busy - first.machine_busy) / machine_wall * capacity
    return CpuUse(wall, cores, machine, capacity, busiest_others(first, last, wall))


def busiest_others(first: CpuSample, last: CpuSample, wall: float, top: int = 3):
    """The other commands that used the most CPU in the window, in cores (a process that
    ended in between is missing: this names the noise, it does not measure it)."""
    by_command: dict[str, float] = {}
    for key, (command, seconds) in last.others.items():
        before = first.others.get(key, (command, 0.0))[1]
        by_command[command] = by_command.get(command, 0.0) + (seconds - before) / wall
    ranked = sorted(by_command.items(), key=lambda item: -item[1])
    return [(command, cores) for command, cores in ranked[:top] if cores >= 0.05]


def cpu_line(use: CpuUse) -> str:
    """``gunicorn 1.52, PostgreSQL 0.21, wrk 0.08, other 0.03 of 2 cores``."""
    parts = [f"{name} {cores:.2f}" for name, cores in use.cores.items()]
    parts.append(f"other {use.other(sum(use.cores.values())):.2f}")
    line = f"CPU in cores: {', '.join(parts)} (machine {use.machine:.2f} of {use.capacity})"
    if use.others:
        line += "; other work: " + ", ".join(f"{c} {n:.2f}" for c, n in use.others)
    return line
