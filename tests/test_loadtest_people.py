"""``make load``'s realistic part: wrk running loadtest/people.lua against a stand-in editor on
loopback, so that what the script sends and how it reads the answers is checked, not assumed."""

import os
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from loadtest import people, wrk
from loadtest.client import CONFLICT

CANVAS, RELATIONSHIPS = 7, (70, 71)


class Editor:
    """What the stand-in server holds and saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.versions = dict.fromkeys(RELATIONSHIPS, 3)
        self.revision = 1
        self.saves, self.polls, self.pages = [], [], 0
        self.bad_saves = []


def handler(editor: Editor):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, text=""):
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def poller(self):
            return (
                f'<div id="live-poll" hidden hx-get="/canvases/{CANVAS}/live/?revision='
                f'{editor.revision}&amp;present=" hx-trigger="every 5s"></div>'
            )

        def do_GET(self):
            path = urlsplit(self.path)
            with editor.lock:
                if path.path == f"/canvases/{CANVAS}/":
                    editor.pages += 1
                    page = (
                        '<script>{"X-CSRFToken": "token"}</script>'
                        f'<div id="canvas-totals" class="x" data-shown="totals-{editor.revision}">'
                        f"</div>{self.poller()}"
                    )
                    return self.answer(200, page)
                if path.path == f"/canvases/{CANVAS}/live/":
                    asked = parse_qs(path.query, keep_blank_values=True)
                    editor.polls.append(asked)
                    if asked["revision"] == [str(editor.revision)] and "present" in asked:
                        return self.answer(204)
                    return self.answer(200, self.poller())
            self.answer(404)

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            pk = int(re.fullmatch(r"/relationships/(\d+)/edit/", self.path)[1])
            form = parse_qs(body.decode())
            with editor.lock:
                good = (
                    self.headers["X-CSRFToken"] == "token"
                    and self.headers["HX-Request"] == "true"
                    and "csrftoken=secret" in self.headers["Cookie"]
                    and "sessionid=session" in self.headers["Cookie"]
                )
                if not good:
                    editor.bad_saves.append(dict(self.headers))
                if form["version"] != [str(editor.versions[pk])]:
                    held = editor.versions[pk]
                    return self.answer(200, f'{CONFLICT} <input name="version" value="{held}">')
                editor.saves.append((pk, self.headers.get("X-Shown"), form))
                editor.versions[pk] += 1
                editor.revision += 1
                shown = f"totals-{editor.revision}"
                self.answer(
                    200,
                    f'<li id="relationship-{pk}"></li>'
                    f'<div id="canvas-totals" hx-swap-oob="true" data-shown="{shown}"></div>',
                )

    return Handler


@pytest.fixture
def wrk_binary():
    if not shutil.which("wrk"):
        if os.environ.get("REQUIRE_BROWSER"):  # CI installs it with Chromium
            pytest.fail("wrk is missing: apt-get install wrk")
        pytest.skip("wrk is not installed (apt-get install wrk)")


def run_people(tmp_path, editor, versions, seconds=3.0, poll=0.3):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(editor))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    held = ",".join(f"{pk}:{v}" for pk, v in versions.items())
    lines = tmp_path / "people.txt"
    lines.write_text(f"session secret token {CANVAS} {held} canvas-totals=totals-1\n")
    try:
        output, _cpu, _wall = wrk.execute(
            people.command(
                f"http://127.0.0.1:{server.server_port}", 1, seconds, lines, 0, poll, 0.05
            ),
            seconds,
            marker="loadtest-people:",
        )
    finally:
        server.shutdown()
    return people.read(output)


def test_a_person_opens_the_page_saves_and_polls_as_the_editor_does(tmp_path, wrk_binary):
    editor = Editor()
    stats = run_people(tmp_path, editor, dict(editor.versions))

    assert [stats.errors(kind) for kind in people.KINDS] == [0, 0, 0]
    assert stats.socket_errors == {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    counted = [len(stats.latencies(kind)) for kind in people.KINDS]
    served = [editor.pages, len(editor.saves), len(editor.polls)]
    # wrk stops with at most the one request of its one connection unanswered.
    assert 0 <= sum(served) - sum(counted) <= 1
    assert all(0 <= s - c <= 1 for s, c in zip(served, counted, strict=True))
    assert counted[0] >= 2  # the page again after 2 to 4 saves
    assert counted[1] >= 4
    assert counted[2] >= 3
    assert not editor.bad_saves  # session, CSRF cookie and token, HX-Request on every save
    # Each save sends the version its relationship has, and the page's numbers as last
    # swapped: the first from the line, later ones from the answers.
    assert editor.saves[0][1] == "totals-1"
    assert {shown for _pk, shown, _form in editor.saves[1:]} <= {
        f"totals-{n}" for n in range(2, editor.revision + 1)
    }
    assert {form["type"][0] for _pk, _shown, form in editor.saves} <= {
        "personal",
        "communities",
        "self_service",
    }
    # The poller's URL is read unescaped from the page and taken up from a poll's answer.
    assert all("present" in asked for asked in editor.polls)
    assert any(asked["revision"] != ["1"] for asked in editor.polls)
    assert all(0 < ms < 3000 for kind in people.KINDS for ms in stats.latencies(kind))


def test_a_conflict_counts_as_an_error_and_the_next_save_sends_the_saved_version(
    tmp_path, wrk_binary
):
    editor = Editor()
    stale = dict.fromkeys(RELATIONSHIPS, 1)  # the line's versions are behind the server's
    stats = run_people(tmp_path, editor, stale, seconds=2.0, poll=None)

    assert 1 <= stats.errors("htmx save") <= len(RELATIONSHIPS)  # once per relationship at most
    assert "live poll" not in stats.samples  # no polling asked for
    assert len(editor.saves) >= 2  # after a conflict, the saved version goes through


def test_the_requests_of_people_still_arriving_are_told_apart():
    stats = people.read(
        "loadtest-person: canvas_page 1000000.0 900.00 200 1\n"
        "loadtest-person: htmx_save 1004000.0 12.50 200 1\n"
        "loadtest-person: htmx_save 1005000.0 30.00 200 0\n"
        "loadtest-people: requests=3 connect=0 read=1 write=0 timeout=0\n"
    )
    arriving, steady = stats.split(1003.0)  # seconds, as time.time()
    assert arriving.latencies("canvas page") == [900.0]
    assert steady.latencies("canvas page") == []
    assert steady.latencies("htmx save") == [12.5, 30.0]
    assert steady.errors("htmx save") == 1
    assert stats.socket_errors["read"] == 1


# --- the saturation save (loadtest/wrk.lua), which shares loadtest/editor.lua with people.lua --


def run_saves(tmp_path, editor, version, connections=2, seconds=1.0):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(editor))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    lines = tmp_path / "saves.txt"
    lines.write_text(
        "".join(
            f"session secret token {pk} {version} canvas-totals=totals-1\n"
            for pk in RELATIONSHIPS[:connections]
        )
    )
    try:
        output, _cpu, _wall = wrk.execute(
            wrk.command(
                f"http://127.0.0.1:{server.server_port}", connections, seconds, "save", str(lines)
            ),
            seconds,
        )
    finally:
        server.shutdown()
    return wrk.parse(output)


def test_the_saturation_save_sends_the_form_as_the_editor_does(tmp_path, wrk_binary):
    editor = Editor()
    result = run_saves(tmp_path, editor, version=3)

    assert not editor.bad_saves  # session, CSRF cookie and token, HX-Request on every save
    assert {pk for pk, _shown, _form in editor.saves} == set(RELATIONSHIPS)  # a line each
    # Each connection keeps saving for real: its version one up after every save.
    assert result.conflicts == 0
    assert result.refused == 0
    assert result.written >= len(editor.saves) - 2  # one in flight per connection at the end
    assert editor.saves[0][1] == "totals-1"  # X-Shown from the line, then from the answers
    assert any(shown != "totals-1" for _pk, shown, _form in editor.saves)
    assert {form["type"][0] for _pk, _shown, form in editor.saves} == {"personal"}


def test_the_saturation_save_takes_the_saved_version_after_a_conflict(tmp_path, wrk_binary):
    editor = Editor()
    result = run_saves(tmp_path, editor, version=1, connections=1)

    assert result.conflicts == 1  # the line's version was behind: once, then the saved one
    assert result.written >= 2
