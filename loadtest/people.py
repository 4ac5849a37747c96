"""The realistic part of ``make load``: people in the editor, thinking between their actions.

wrk sends them (``loadtest/people.lua``: one wrk thread with one keep-alive connection per
person, its ``delay()`` the person's thinking), so the load generator is C and LuaJIT sharing no
Python with the server, and its own CPU is small and measured. Each person opens their canvas
page, saves one of their relationships 2 to 4 times through the htmx form, thinking 1 to 2 s
before each save and once after, and opens the page again; the open page polls its live view
every 5 s. The script times every request and prints one line per request; ``read`` turns those
into ``Stats``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from loadtest import wrk
from loadtest.client import POLL_SECONDS, opened_page
from loadtest.stack import median, percentile

SCRIPT = Path(__file__).with_name("people.lua")
KINDS = ["canvas page", "htmx save", "live poll"]
THINK_SECONDS = 1.0  # to twice that
_LINE = "loadtest-person: "


@dataclass
class Stats:
    """Per kind of request: (start time, milliseconds, whether it went well) of each, examples
    of the failures, and the socket errors wrk counted (a request cut by one is not among the
    samples)."""

    samples: dict[str, list[tuple[float, float, bool]]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    socket_errors: dict[str, int] = field(default_factory=dict)

    def record(self, kind: str, started: float, ms: float, ok: bool, detail: str = "") -> None:
        self.samples.setdefault(kind, []).append((started, ms, ok))
        if not ok and len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail[:200]}")

    def latencies(self, kind: str) -> list[float]:
        return [ms for _t, ms, _ok in self.samples.get(kind, [])]

    def errors(self, kind: str) -> int:
        return sum(1 for _t, _ms, ok in self.samples.get(kind, []) if not ok)

    def count(self) -> int:
        return sum(len(values) for values in self.samples.values())

    def split(self, at: float) -> tuple[Stats, Stats]:
        """The requests that started before ``at`` (time.time()), and those from then on."""
        before, after = Stats(), Stats()
        for kind, values in self.samples.items():
            before.samples[kind] = [v for v in values if v[0] < at]
            after.samples[kind] = [v for v in values if v[0] >= at]
        return before, after


def offered_rate(people: int, poll: bool) -> float:
    """Requests a second ``people`` ask for when answers take no time: each opens the page,
    then saves 2 to 4 times (3), thinking 1 to 2 s (1.5) before each save and once after; the
    open page polls every 5 s."""
    per_cycle, cycle_seconds = 1 + 3, (3 + 1) * 1.5
    return people * (per_cycle / cycle_seconds + (1 / POLL_SECONDS if poll else 0))


def person_line(port: int, one: dict) -> str:
    """people.lua's line for one seeded person: their session, the CSRF cookie and token of
    their canvas page (``client.opened_page``), the canvas, each of its relationships with its
    version, and the numbers the page shows (``id=key,...``)."""
    opened, shown = opened_page(port, one)
    held = ",".join(f"{pk}:{version}" for pk, version in one["versions"].items())
    return f"{opened} {one['canvas']} {held} {shown}"


def person_lines(port: int, people: list[dict]) -> list[str]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda one: person_line(port, one), people))


def command(
    url: str,
    people: int,
    seconds: float,
    lines: Path,
    ramp: float,
    poll: float | None = POLL_SECONDS,
    think: float = THINK_SECONDS,
) -> list[str]:
    """One wrk thread (and connection) per person, so each person's requests are in order.
    ``seconds``: once everybody is there; ``ramp``: seconds over which they arrive before
    that; ``poll``: seconds between the open page's polls (None: no polling); ``think``: the
    shortest thinking, in seconds (the longest is twice)."""
    return [
        wrk.binary(),
        f"-t{people}",
        f"-c{people}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(SCRIPT),
        url,
        "--",
        str(lines),
        str(round(ramp * 1000)),
        str(round(poll * 1000)) if poll else "0",
        str(round(think * 1000)),
    ]


def read(output: str) -> Stats:
    """The script's lines: one per request (``KIND START_MS MS STATUS OK``) and the socket
    errors wrk counted (a request cut by one is not among the lines)."""
    stats = Stats()
    for line in output.splitlines():
        if line.startswith(_LINE):
            kind, started, ms, status, ok = line[len(_LINE) :].split()
            stats.record(
                kind.replace("_", " "), float(started) / 1000, float(ms), ok == "1", status
            )
        elif line.startswith("loadtest-people: "):
            fields = dict(item.split("=", 1) for item in line.split()[1:])
            stats.socket_errors = {
                k: int(fields[k]) for k in ("connect", "read", "write", "timeout")
            }
    return stats


def table(stats: Stats, server: dict[str, list[float]], kinds: list[str]) -> list[str]:
    lines = [
        f"  {'request':<13}{'count':>7}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'max ms':>8}{'in Django p50':>15}{'p95':>8}"
    ]
    for kind in kinds:
        values = stats.latencies(kind)
        inside = server.get(kind, [])
        lines.append(
            f"  {kind:<13}{len(values):>7}{stats.errors(kind):>8}{median(values):>8.1f}"
            f"{percentile(values, 0.95):>8.1f}{percentile(values, 0.99):>8.1f}"
            f"{max(values, default=0):>8.0f}{median(inside):>15.1f}"
            f"{percentile(inside, 0.95):>8.1f}"
        )
    return lines
