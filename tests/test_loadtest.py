"""``make load`` and ``make faults``: the pure parts (reading wrk, /proc and the server's log,
judging what users saw). Nothing here starts a server or puts any load on."""

import argparse
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from loadtest import faults, people, run, wrk
from loadtest.client import CONFLICT, current_version, poll_url, save_body, saved
from loadtest.client import Reply as ClientReply
from loadtest.faults import Phase, Record
from loadtest.stack import (
    CpuSample,
    CpuUse,
    ProcStat,
    _descendants,
    busiest_others,
    cpu_between,
    parse_machine_stat,
    parse_proc_stat,
    percentile,
)

WRK_SAVE = """\
Running 10s test @ http://127.0.0.1:46403/relationships/
  16 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   639.53ms  446.00ms   1.74s    81.69%
    Req/Sec     1.95      1.50     5.00     69.23%
  Latency Distribution
     50%  532.26ms
     75%  821.73ms
     90%    1.52s\N{SPACE}
     99%    1.74s\N{SPACE}
  650 requests in 10.10s, 1.07MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:     64.36
Transfer/sec:    352.41KB
loadtest-wrk: requests=650 duration_us=10100329 p50_us=532264 p95_us=1645922 p99_us=1736646 \
max_us=1736646 connect=0 read=2 write=0 status=3 timeout=1 written=640 conflicts=2 refused=5 \
statuses=200:642,503:3,302:2
"""


def test_wrk_output_is_read_with_the_script_line():
    result = wrk.parse(WRK_SAVE.replace("\\\n", ""))
    assert result.rps == pytest.approx(64.36)
    assert result.requests == 650
    assert result.seconds == pytest.approx(10.100329)
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == pytest.approx(
        (532.264, 1645.922, 1736.646)
    )
    assert result.non_2xx_3xx == 3
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 1}
    assert result.statuses == {200: 642, 503: 3, 302: 2}
    assert result.not_2xx == 5  # redirects too: wrk itself counts a 302 as a success
    assert (result.written, result.conflicts, result.refused) == (640, 2, 5)
    assert result.errors == 5 + 3 + 2 + 5


def test_wrk_summary_alone_still_gives_its_figures():
    plain = WRK_SAVE.split("loadtest-wrk:")[0]
    result = wrk.parse(plain)
    assert result.rps == pytest.approx(64.36)
    assert result.p50_ms == pytest.approx(532.26)
    assert result.p99_ms == pytest.approx(1740)
    assert result.seconds == pytest.approx(10.1)


@pytest.mark.parametrize(
    ("text", "ms"), [("713.00us", 0.713), ("2.65ms", 2.65), ("1.05s", 1050), ("1.50m", 90000)]
)
def test_wrk_durations(text, ms):
    assert wrk._ms(text) == pytest.approx(ms)


def test_wrk_command_has_one_thread_per_connection_and_the_script(monkeypatch):
    monkeypatch.setattr(wrk, "binary", lambda: "/usr/bin/wrk")
    args = wrk.command("http://127.0.0.1:1/x/", 16, 9.6, "get", "/x/", "a=b")
    assert args[:4] == ["/usr/bin/wrk", "-t16", "-c16", "-d10s"]
    assert "--latency" in args
    assert args[args.index("-s") + 1] == str(wrk.SCRIPT)
    assert args[-4:] == ["--", "get", "/x/", "a=b"]


@pytest.mark.parametrize(
    ("written", "in_db", "socket_errors", "unexplained"),
    [
        (100, 100, 0, 0),
        (100, 116, 0, 0),  # one request per connection in flight when wrk stopped
        (100, 118, 2, 0),  # and two cut by socket errors
        (100, 99, 0, 1),  # acknowledged, not in the database: lost
        (100, 120, 0, 4),  # written, never sent by anyone we know of
    ],
)
def test_saves_wrk_and_the_database_disagree_on(written, in_db, socket_errors, unexplained):
    result = wrk.WrkResult(written=written, socket_errors={"read": socket_errors})
    assert wrk.unexplained_saves(result, in_db, connections=16) == unexplained


def test_the_wrk_save_sends_the_relationship_form_and_knows_its_answers():
    from relationships.forms import RelationshipForm

    shared = (wrk.SCRIPT.parent / "editor.lua").read_text()  # what both wrk scripts save with
    body = shared[shared.index("function editor.save_body") :].split("\nend\n")[0]
    sent = set(re.findall(r'["&](\w+)=', body))
    # All but what the form opened with (``VersionedForm.opened``): a script's save after
    # someone else's counts every field as its own, a conflict where any of them differs.
    assert sent == set(RelationshipForm().fields) - {"opened"}
    assert CONFLICT in shared
    assert 'name="version" value="(%d+)"' in shared
    assert 'id="relationship-' in shared
    for script in (wrk.SCRIPT, people.SCRIPT):
        assert "editor.save_body(" in script.read_text()


def test_proc_stat_with_a_command_holding_spaces_and_parentheses():
    fields = ["S", "77", *["0"] * 9, "120", "30", "500", "70", *["0"] * 4, "98765", "0"]
    stat = parse_proc_stat(f"4242 (gunicorn: (worker) x) {' '.join(fields)}")
    assert (stat.pid, stat.comm, stat.ppid) == (4242, "gunicorn: (worker) x", 77)
    assert (stat.own, stat.children, stat.start) == (150, 570, 98765)


def test_machine_stat_counts_busy_and_idle_ticks():
    text = "cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 1 2 3 4\n"
    assert parse_machine_stat(text) == (170, 990)


def test_cpu_over_a_window_in_cores_and_what_others_used():
    first = CpuSample(wall=10.0, groups={"gunicorn": 5.0}, machine_busy=100.0, machine_all=400.0)
    last = CpuSample(wall=20.0, groups={"gunicorn": 20.0}, machine_busy=118.0, machine_all=420.0)
    use = cpu_between(first, last, {"wrk": 1.0})
    assert use.cores == {"gunicorn": pytest.approx(1.5), "wrk": pytest.approx(0.1)}
    assert use.machine == pytest.approx(18 / 20 * use.capacity)
    assert use.other(1.6) == pytest.approx(max(0.0, use.machine - 1.6))


def test_other_work_on_the_machine_is_named():
    first = CpuSample(0.0, others={(1, 5): ("pytest -q", 10.0), (2, 6): ("valgrind", 1.0)})
    last = CpuSample(
        10.0,
        others={
            (1, 5): ("pytest -q", 16.0),
            (2, 6): ("valgrind", 1.2),
            (3, 7): ("pytest -q", 2.0),  # started in the window
            (4, 8): ("cc1", 0.1),
        },
    )
    assert busiest_others(first, last, 10.0) == [("pytest -q", pytest.approx(0.8))]


def test_a_process_tree_is_found_from_its_roots():
    def stat(pid, ppid):
        return ProcStat(pid, "x", ppid, 0, 0, 0)

    procs = [stat(1, 0), stat(10, 1), stat(11, 10), stat(12, 11), stat(20, 1), stat(21, 20)]
    assert _descendants(procs, [10]) == {10, 11, 12}
    assert _descendants(procs, [10, 21]) == {10, 11, 12, 21}


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.95) == 96
    assert percentile(values, 0.5) == 51
    assert percentile([], 0.95) == 0.0


def test_the_live_poll_url_is_read_from_the_page_unescaped():
    page = (
        '<div id="live-poll" hidden\n     hx-get="/canvases/3/live/?revision=7&amp;present='
        '&amp;mode=edit"\n     hx-trigger="every 5s" hx-swap="outerHTML"></div>'
    )
    assert poll_url(page) == "/canvases/3/live/?revision=7&present=&mode=edit"
    assert poll_url("<p>nothing</p>") is None


def test_a_save_is_written_when_its_card_comes_back_without_the_conflict():
    card = ClientReply(200, '<article id="relationship-12">', 3.0, {})
    conflict = ClientReply(
        200,
        f'<p>This was {CONFLICT} or by...</p><input type="hidden" name="version" value="9">',
        3.0,
        {},
    )
    assert saved(card, 12)
    assert not saved(card, 13)
    assert not saved(conflict, 12)
    assert current_version(conflict.text) == 9
    assert "version=4" in save_body(4, "text")
    assert "version" not in save_body(None, "text")


def test_server_timings_from_the_json_request_log():
    lines = [
        json.dumps({"logger": "canvas.request", "path": "/canvases/4/", "duration_ms": 12.5}),
        json.dumps({"path": "/relationships/9/edit/", "duration_ms": 20}),
        json.dumps({"path": "/canvases/4/live/", "duration_ms": 1.5}),
        json.dumps({"path": "/static/app.js", "duration_ms": 0.5}),
        "[2026-12-01 12:00:00 +0000] [1] [INFO] Booting worker with pid: 2",
        "{not json",
    ]
    assert run.server_timings(lines) == {
        "canvas page": [12.5],
        "htmx save": [20.0],
        "live poll": [1.5],
    }


def test_server_timings_of_the_requests_that_started_once_everybody_was_there():
    def line(at, ms):
        return json.dumps({"time": at, "path": "/canvases/4/", "duration_ms": ms})

    lines = [
        line("2026-12-03T10:00:09.900+00:00", 200),  # started at 09.700
        line("2026-12-03T10:00:10.050+00:00", 20),  # started at 10.030
    ]
    since = datetime.fromisoformat("2026-12-03T10:00:10+00:00").timestamp()
    assert run.server_timings(lines, since=since) == {"canvas page": [20.0]}


def test_what_the_people_of_the_realistic_part_ask_for():
    assert people.offered_rate(300, poll=False) == pytest.approx(200)
    assert people.offered_rate(300, poll=True) == pytest.approx(260)


def _run(kind, rps, written=0, in_db=None):
    result = wrk.WrkResult(rps=rps, p50_ms=10, p95_ms=20, statuses={200: 100}, written=written)
    return run.Run(kind, result, written_in_db=in_db)


def test_saturation_medians_shares_and_verdict():
    runs = [
        _run("health check", 1000),
        _run("canvas page", 450),
        _run("htmx save", 320, 100, 110),
        _run("health check", 800),
        _run("canvas page", 300),
        _run("htmx save", 200, 100, 100),
        _run("health check", 900),
        _run("canvas page", 400),
        _run("htmx save", 280, 100, 100),
    ]
    lines, ok = run.saturation_summary(runs, connections=16)
    text = "\n".join(lines)
    assert re.search(r"health check\s+900\s+100%", text)
    assert re.search(r"canvas page\s+400\s+44%\s+>=40%", text)
    assert re.search(r"htmx save\s+280\s+31%\s+>=30%", text)
    assert "45%, 38%, 44%" in text  # the page's share round by round
    assert ok

    runs[7] = _run("canvas page", 340)  # the median page now 340: 38 % of the ceiling
    assert not run.saturation_summary(runs, connections=16)[1]


def test_a_lost_save_fails_the_saturation_verdict():
    runs = [_run("health check", 100), _run("canvas page", 50), _run("htmx save", 40, 100, 90)]
    assert not run.saturation_summary(runs, connections=16)[1]


# --- make faults --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "headers", "text", "outcome"),
    [
        ("canvas page", 200, {}, "<html>", "200"),
        ("canvas page", 503, {"retry-after": "30"}, "<h1>Back in a moment</h1>", "503 back soon"),
        ("canvas page", 503, {}, "Service Unavailable", "503 other"),
        ("canvas page", 500, {}, "Server Error", "500"),
        ("/healthz/", 200, {}, '{"status": "ok", "database": "ok", "cache": "ok"}', "200 ok"),
        (
            "/healthz/",
            200,
            {},
            '{"status": "degraded", "database": "ok", "cache": "unavailable"}',
            "200 degraded: cache unavailable",
        ),
        (
            "/healthz/",
            503,
            {},
            '{"status": "error", "database": "unavailable", "cache": "ok"}',
            "503 error: database unavailable",
        ),
        ("/healthz/", 502, {}, "<html>Bad Gateway</html>", "502 not JSON"),
        ("/healthz/live/", 200, {}, '{"status": "alive"}', "200 alive"),
        ("htmx save", 200, {}, '<article id="relationship-5">', "200 saved"),
        ("htmx save", 200, {}, f"<p>{CONFLICT}</p>", "200 conflict"),
        ("htmx save", 200, {}, '<form id="relationship-form">errors', "200 not saved"),
        ("PDF export", 200, {"content-type": "application/pdf"}, "%PDF-1.7", "200 pdf"),
        ("PDF export", 200, {"content-type": "text/html"}, "<html>", "200 not a PDF"),
        ("PDF export", 429, {}, "Too many", "429"),
    ],
)
def test_what_a_user_got(kind, status, headers, text, outcome):
    assert faults.classify(kind, status, headers, text, pk=5) == outcome


def test_what_a_user_got_when_nothing_came_back():
    assert faults.classify_error(TimeoutError()) == "no answer (client timeout)"
    assert faults.classify_error(ConnectionRefusedError()) == "connection refused"
    assert faults.classify_error(ConnectionResetError()) == "connection reset"
    assert faults.classify_error(ValueError()) == "error: ValueError"


PHASES = [
    Phase("as usual", 0, 10),
    Phase("Redis down", 10, 20, "Redis", down=True),
    Phase("Redis back", 20, 30, "Redis"),
]


def test_a_request_still_going_when_a_service_stopped_belongs_to_the_outage():
    assert faults.phase_of(PHASES, Record("canvas page", 9.9, 10.2, "200", 0.3)).name == (
        "Redis down"
    )
    assert faults.phase_of(PHASES, Record("canvas page", 9.0, 9.5, "200", 0.5)).name == ("as usual")
    assert faults.phase_of(PHASES, Record("canvas page", 19.9, 20.5, "200", 0.6)).name == (
        "Redis down"
    )
    assert faults.phase_of(PHASES, Record("canvas page", 25, 26, "200", 1)).name == "Redis back"
    assert faults.phase_of(PHASES, Record("canvas page", 35, 36, "200", 1)) is None


def test_recovery_is_the_start_of_the_last_unbroken_run_of_good_answers():
    records = [
        Record("/healthz/", 19, 19.1, "200 degraded: cache unavailable", 0.1),  # before: ignored
        Record("/healthz/", 20.5, 20.6, "200 degraded: cache unavailable", 0.1),
        Record("/healthz/", 21.0, 21.1, "200 ok", 0.1),
        Record("/healthz/", 22.0, 22.1, "200 degraded: cache unavailable", 0.1),
        Record("/healthz/", 23.0, 23.1, "200 ok", 0.1),
        Record("/healthz/", 24.0, 24.1, "200 ok", 0.1),
        Record("/healthz/", 29.9, 30.5, "503 error: database unavailable", 0.6),  # next outage
    ]
    assert faults.recovery(records, "/healthz/", since=20, until=30) == pytest.approx(3.0)
    assert faults.recovery(records[:4], "/healthz/", since=20, until=30) is None
    assert faults.recovery(records, "canvas page", since=20, until=30) is None


def _records(kind, *outcomes):
    return [Record(kind, 11 + i, 11.1 + i, outcome, 0.1) for i, outcome in enumerate(outcomes)]


def test_a_phase_without_redis_expects_pages_to_work_and_health_to_say_degraded():
    phase = PHASES[1]
    good = [
        *_records("canvas page", "200"),
        *_records("htmx save", "200 saved"),
        *_records("/healthz/", "200 ok", "200 degraded: cache unavailable"),
        *_records("/healthz/live/", "200 alive"),
        *_records("PDF export", "202, then 200 pdf"),
    ]
    assert faults.check_phase(phase, good) == []

    broken = [*good[:-1], *_records("PDF export", "500"), *_records("canvas page", "503 back soon")]
    assert faults.check_phase(phase, broken) == [
        "Redis down: canvas page answered 503 back soon",
        "Redis down: PDF export answered 500",
    ]
    never_degraded = [r for r in good if not r.outcome.startswith("200 degraded")]
    assert faults.check_phase(phase, never_degraded) == [
        "Redis down: /healthz/ never answered 200 degraded: cache unavailable"
    ]


def test_a_conflict_is_explained_only_after_a_save_that_got_no_answer():
    back = Phase("PostgreSQL back", 0, 99, "PostgreSQL")
    everything = [
        *_records("canvas page", "200"),
        *_records("/healthz/", "200 ok"),
        *_records("/healthz/live/", "200 alive"),
        *_records("PDF export", "200 pdf"),
    ]
    explained = [*everything, *_records("htmx save", "503 back soon", faults.UNANSWERED_CONFLICT)]
    assert faults.check_phase(back, explained) == []
    unexplained = [*everything, *_records("htmx save", "200 saved", "200 conflict")]
    assert faults.check_phase(back, unexplained) == [
        "PostgreSQL back: htmx save answered 200 conflict"
    ]


def test_bounds_per_kind_and_per_phase():
    silent = Phase("PostgreSQL not answering", 0, 1, "PostgreSQL", down=True, bound=7)
    assert faults.bound_of("canvas page") == faults.DEFAULT_BOUND
    assert faults.bound_of("canvas page", silent) == 7
    assert faults.bound_of("PDF export", silent) == faults.BOUNDS["PDF export"]


def test_every_acknowledged_save_must_be_in_the_database():
    acks = [(7, 1, 2, 0.0), (7, 2, 3, 1.0), (8, 1, 5, 0.5)]
    rows = {7: ("fault test r7 n3", 4, 3), 8: ("fault test r8 n1", 5, 1)}
    assert faults.lost_saves(acks, rows) == []  # r7 n3 was written, its answer lost: fine

    rows = {7: ("fault test r7 n1", 2, 1), 8: ("Weekly call", 4, 0)}
    assert faults.lost_saves(acks, rows) == [
        "relationship 7: acknowledged save n2, database has 'fault test r7 n1'",
        "relationship 7: acknowledged version 3, database 2",
        "relationship 7: 2 saves acknowledged, 1 revisions",
        "relationship 8: acknowledged save n1, database has 'Weekly call'",
        "relationship 8: acknowledged version 5, database 4",
        "relationship 8: 1 saves acknowledged, 0 revisions",
    ]


PSYCOPG_TRACEBACK = """Traceback (most recent call last):
  File "x.py", line 1, in f
psycopg.OperationalError: connection failed: connection to server at "127.0.0.1", port 5 \
failed: Connection refused
\tIs the server running on that host and accepting TCP/IP connections?

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "y.py", line 2, in g
django.db.utils.OperationalError: connection failed: connection to server failed
DETAIL:  something
\tIs the server running on that host and accepting TCP/IP connections?"""


def test_the_class_of_a_logged_exception_whose_message_runs_over_lines():
    assert faults.exception_name(PSYCOPG_TRACEBACK) == "OperationalError"
    assert faults.exception_name("Traceback...\nKeyError: 'x'") == "KeyError"
    assert faults.exception_name("a line\nand another") == "unknown"
    assert faults.exception_name("Traceback...\nredis.exceptions.ConnectionError: x") == (
        "ConnectionError"
    )


def test_exceptions_and_durations_from_the_server_log():
    lines = [
        json.dumps({"logger": "django.request", "level": "ERROR", "exception": PSYCOPG_TRACEBACK}),
        json.dumps(
            {"logger": "celery.bootsteps", "exception": "Traceback\nAttributeError: 'NoneType'"}
        ),
        json.dumps(
            {
                "logger": "canvas.request",
                "time": "2026-12-01T12:43:40.669+00:00",
                "path": "/canvases/1/",
                "duration_ms": 3004.4,
            }
        ),
        json.dumps(
            {
                "logger": "canvas.request",
                "time": "2026-12-01T12:43:41.000+00:00",
                "path": "/accounts/login/",
                "duration_ms": 4,
            }
        ),
        "[2026-12-01 12:00:00 +0000] [1] [INFO] Listening at: http://127.0.0.1:8000",
    ]
    assert faults.server_errors(lines) == Counter(
        {("OperationalError", "django.request"): 1, ("AttributeError", "celery.bootsteps"): 1}
    )
    ((start, kind, seconds),) = faults.server_durations(lines)
    assert kind == "canvas page"
    assert seconds == pytest.approx(3.0044)
    assert start == pytest.approx(1796129020.669 - 3.0044)


def test_the_make_targets_run_the_modules_and_ci_runs_neither():
    root = Path(__file__).resolve().parent.parent
    makefile = (root / "Makefile").read_text()
    assert "$(BIN)/python -m loadtest.run" in makefile
    assert "$(BIN)/python -m loadtest.faults" in makefile
    ci = "\n".join(p.read_text() for p in (root / ".ci").iterdir() if p.is_file())
    assert "make load" not in ci
    assert "make faults" not in ci
    assert "loadtest" not in ci


# --- make load --capacity ------------------------------------------------------------------


def _crowd_of(size: int, page_ms: float, save_ms: float, failed: int = 0) -> run.Crowd:
    lines = [f"loadtest-person: canvas_page 1000.0 {page_ms:.2f} 200 1"] * 20
    lines += [f"loadtest-person: htmx_save 1000.0 {save_ms:.2f} 200 1"] * 20
    lines += ["loadtest-person: htmx_save 1000.0 5.00 500 0"] * failed
    lines.append("loadtest-people: requests=1 connect=0 read=0 write=0 timeout=0")
    stats = people.read("\n".join(lines))
    use = CpuUse(wall=1, cores={"gunicorn": 1.5}, machine=1.7, capacity=2)
    return run.Crowd(size, 20, stats, people.Stats(), stats, {}, use, list(people.KINDS[:2]))


def test_a_crowd_is_within_the_target_without_errors_and_under_100_ms():
    assert _crowd_of(100, 40, 90).ok
    assert not _crowd_of(100, 40, 120).ok  # the save's p95 over 100 ms
    assert not _crowd_of(100, 40, 90, failed=1).ok  # one request failed


def test_capacity_is_the_largest_crowd_within_the_target(monkeypatch, capsys):
    persons = [{"relationships": [n], "versions": {n: 1}} for n in range(130)]
    tried = []

    def crowd(args, port, gunicorn, crowd_of, tmp, seconds, ramp):
        tried.append(len(crowd_of))
        assert all(one["versions"] == {one["relationships"][0]: 7} for one in crowd_of)
        return _crowd_of(len(crowd_of), 50, 400 if len(crowd_of) > 100 else 80)

    monkeypatch.setattr(run, "_crowd", crowd)
    monkeypatch.setattr(run, "versions_of", lambda url, pks: dict.fromkeys(pks, 7))
    args = argparse.Namespace(capacity_seconds=20, no_poll=False)
    assert run.capacity(args, 1, "postgres://x", None, persons, None) == 100
    assert tried == [120, 100]  # none larger than the people seeded; the first within it ends
    assert "100 people" in capsys.readouterr().out
