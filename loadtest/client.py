"""One simulated browser for ``make load`` and ``make faults``: a keep-alive HTTP/1.1 connection
to the loopback server, with the session cookie, the CSRF token, the htmx save and the poll of
the live view, as the editor page's own htmx does them."""

from __future__ import annotations

import html
import http.client
import random
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

LOOPBACK = "127.0.0.1"
CONFLICT = "changed in another tab"  # the conflict message (relationships.forms), in English
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
# The live view's poller (templates/teams/live.html): hx-get="/canvases/1/live/?revision=..."
POLL = re.compile(r'id="live-poll"[^>]*?hx-get="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
# The block's numbers name what they show (templates/relationships/canvas_detail.html); the
# page's htmx says which it holds in X-Shown (static/js/app.js), so that answers leave them out.
SHOWN = re.compile(r'\bid="([^"]+)"[^>]*?\bdata-shown="([^"]+)"')
POLL_SECONDS = 5.0  # hx-trigger="every 5s"


@dataclass
class Reply:
    status: int
    text: str
    ms: float
    headers: dict[str, str]


class Browser:
    """Cookies (session, CSRF, language: English, so that messages can be recognised), the
    CSRF token of the last page, and one connection that is opened again when the server
    closed it (a recycled worker, keep-alive timeout)."""

    def __init__(self, port: int, session_key: str, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies = {"django_language": "en"}
        if session_key:
            self.cookies["sessionid"] = session_key
        self.csrf = ""
        self.shown: dict[str, str] = {}  # element id: what it shows, as the page holds it
        self.conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)

    def close(self) -> None:
        self.conn.close()

    def _reopen(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)

    def request(self, method: str, path: str, body: str | None = None, htmx: bool = False) -> Reply:
        headers = {
            "Host": LOOPBACK,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        if htmx:
            headers["HX-Request"] = "true"
            if self.shown:
                headers["X-Shown"] = " ".join(self.shown.values())
        for attempt in (1, 2):
            reused = self.conn.sock is not None
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: a browser sends the request
                # again on a new one (it was never read). On a new connection it is an error.
                self._reopen()
                if attempt == 2 or not reused:
                    raise
            except BaseException:
                self._reopen()  # a timeout or a refusal: the next request starts afresh
                raise
        ms = (time.perf_counter() - started) * 1000
        text = raw.decode(errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookies["csrftoken"] = value.split(";")[0].split("=", 1)[1]
        if response.status == 200:
            if not htmx:
                self.shown = {}  # a new page
            self.shown.update(SHOWN.findall(text))
        if match := CSRF.search(text):
            self.csrf = match[1]
        return Reply(response.status, text, ms, {k.lower(): v for k, v in response.getheaders()})


def opened_page(port: int, one: dict) -> tuple[str, str]:
    """What wrk's scripts (loadtest/wrk.lua, people.lua) start from for one seeded person
    (``loadtest.seed``): their canvas page opened once, as they would before editing, and of it
    ``"SESSION CSRF_COOKIE CSRF_TOKEN"`` and the numbers it shows (``id=key,...``, the page's
    X-Shown)."""
    browser = Browser(port, one["session"])
    try:
        reply = browser.request("GET", f"/canvases/{one['canvas']}/")
    finally:
        browser.close()
    if reply.status != 200 or not browser.csrf or "csrftoken" not in browser.cookies:
        raise SystemExit(f"a seeded canvas page answered {reply.status} without a CSRF token")
    shown = ",".join(f"{id_}={key}" for id_, key in browser.shown.items())
    return f"{one['session']} {browser.cookies['csrftoken']} {browser.csrf}", shown


def save_body(version: int | None, interaction: str, rng: random.Random | None = None) -> str:
    """The relationship form (relationships.forms.RelationshipForm) as the editor posts it."""
    rng = rng or random
    fields = [
        ("type", rng.choice(["personal", "communities", "self_service"])),
        ("state", "established"),
        ("contact", "remote"),
        ("reach", "individual"),
        ("bond", "long_term"),
        ("goals", "acquisition"),
        ("goals", "retention"),
        ("interaction", interaction),
    ]
    if version is not None:
        fields.append(("version", str(version)))
    return urlencode(fields)


def poll_url(text: str) -> str | None:
    """The live view's URL in a page or a poll's answer (HTML-escaped in the attribute)."""
    match = POLL.search(text)
    return html.unescape(match[1]) if match else None


def saved(reply: Reply, relationship_pk: int) -> bool:
    """An htmx save that was written: 200, the fresh card, no conflict message."""
    return (
        reply.status == 200
        and CONFLICT not in reply.text
        and f'id="relationship-{relationship_pk}"' in reply.text
    )


def current_version(text: str) -> int | None:
    """The version a conflict answer's form carries (the saved one: saving again replaces it)."""
    match = VERSION.search(text)
    return int(match[1]) if match else None
