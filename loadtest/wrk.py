"""wrk, Debian's HTTP benchmark in C, for the saturation figures of ``make load``: a load
generator that shares no Python (nor GIL) with the server, whose own CPU is measured too.

``loadtest/wrk.lua`` sends the requests (a GET with a cookie, or the htmx save) and prints one
``loadtest-wrk:`` line of counts and percentiles; ``parse`` reads that and wrk's own summary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")
INSTALL = "apt-get install -y wrk"
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def binary() -> str:
    found = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)
    if not found:
        raise SystemExit(f"wrk is not installed: {INSTALL} (Debian's package)")
    return found


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    non_2xx_3xx: int = 0  # wrk's own count: status > 399 (3xx counts as success for wrk)
    socket_errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    written: int = 0  # saves: the fresh card came back
    conflicts: int = 0  # saves: the conflict message came back
    refused: int = 0  # saves: anything else (an error status, a form error)
    cpu_seconds: float = 0.0  # wrk's own user + system time
    wall_seconds: float = 0.0

    @property
    def not_2xx(self) -> int:
        """Answers that were not 2xx (redirects too: a lost session would be a 302)."""
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    @property
    def errors(self) -> int:
        """Requests that failed: non-2xx answers, socket errors, and failed saves."""
        return self.not_2xx + sum(self.socket_errors.values()) + self.conflicts + self.refused

    @property
    def cpu_cores(self) -> float:
        return self.cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse(output: str) -> WrkResult:
    """wrk's summary (with --latency) and the ``loadtest-wrk:`` line of loadtest/wrk.lua."""
    result = WrkResult()
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(match[1])
    if match := re.search(r"(\d+) requests in ([\d.]+\w+),", output):
        result.requests, result.seconds = int(match[1]), _ms(match[2]) / 1000
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result.non_2xx_3xx = int(match[1])
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        result.socket_errors = dict(
            zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True)
        )
    if match := re.search(r"^\s+50%\s+([\d.]+\w+)\s*$", output, re.M):
        result.p50_ms = _ms(match[1])
    if match := re.search(r"^\s+99%\s+([\d.]+\w+)\s*$", output, re.M):
        result.p99_ms = _ms(match[1])
    line = re.search(r"^loadtest-wrk: (.*)$", output, re.M)
    if line:
        fields = dict(item.split("=", 1) for item in line[1].split())
        us = {k: int(v) for k, v in fields.items() if k.endswith("_us")}
        result.requests = int(fields["requests"])
        result.seconds = us["duration_us"] / 1e6
        result.p50_ms, result.p95_ms = us["p50_us"] / 1000, us["p95_us"] / 1000
        result.p99_ms, result.max_ms = us["p99_us"] / 1000, us["max_us"] / 1000
        result.socket_errors = {k: int(fields[k]) for k in ("connect", "read", "write", "timeout")}
        result.written, result.conflicts = int(fields["written"]), int(fields["conflicts"])
        result.refused = int(fields["refused"])
        result.statuses = {
            int(status): int(n)
            for status, n in (pair.split(":") for pair in fields["statuses"].split(",") if pair)
        }
    return result


def unexplained_saves(result: WrkResult, versions_up: int, connections: int) -> int:
    """Saves the database and wrk disagree on: acknowledged as written but not there (lost),
    or written beyond what wrk sent and never heard back about. wrk stops with up to one
    request per connection in flight (written, never answered), and a request cut by a socket
    error may have been written too; those are no disagreement."""
    lost = max(0, result.written - versions_up)
    unheard = connections + sum(result.socket_errors.values())
    return lost + max(0, versions_up - result.written - unheard)


def command(url: str, connections: int, seconds: float, *script_args: str) -> list[str]:
    """One wrk thread per connection, so that each connection's saves are in order."""
    return [
        binary(),
        f"-t{connections}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(SCRIPT),
        url,
        "--",
        *script_args,
    ]


def execute(
    args: list[str], seconds: float, log: Path | None = None, marker: str = "loadtest-wrk:"
) -> tuple[str, float, float]:
    """Run wrk; returns its output, its CPU seconds (the kernel's rusage of the child, from
    wait4) and the wall seconds it took. Fails when wrk did or its script printed no
    ``marker`` line."""
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    killer = threading.Timer(seconds + 30, process.kill)  # wrk ends by itself; never wait more
    killer.start()
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stdout.read()), daemon=True)
    reader.start()
    started = os.times().elapsed
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = os.times().elapsed - started
    reader.join(timeout=5)
    output = b"".join(chunks).decode(errors="replace")
    if log is not None:
        with log.open("a") as f:
            f.write(f"$ {' '.join(args)}\n{output}\n")
    if process.returncode != 0 or marker not in output:
        raise SystemExit(f"wrk failed (exit {process.returncode}):\n{output[-5000:]}")
    return output, usage.ru_utime + usage.ru_stime, wall


def run(args: list[str], seconds: float, log: Path | None = None) -> WrkResult:
    """Run wrk with loadtest/wrk.lua and read what it printed."""
    output, cpu_seconds, wall = execute(args, seconds, log)
    result = parse(output)
    result.cpu_seconds = cpu_seconds
    result.wall_seconds = wall
    return result
