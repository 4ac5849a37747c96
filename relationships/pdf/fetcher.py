"""What WeasyPrint may read: the project's static folder and nothing else, and the stylesheet.

The fetcher refuses every URL that is not a file of ``static/`` (so nothing a user types can
make the server fetch or read a file); ``pdf.css`` and its fonts are parsed once per thread, and
WeasyPrint's own stylesheet for HTML once per process, lightened (``ua_stylesheet``).
WeasyPrint is imported inside the functions that need it: its import alone takes a quarter of
a second, which no other page should pay.
"""

from __future__ import annotations

import atexit
import mimetypes
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings

if TYPE_CHECKING:
    from weasyprint import CSS, HTML
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher


# --- the fetcher: the project's static files and nothing else ---------------------------------


class RefusedURL(ValueError):
    """A URL the PDF renderer may not fetch: anything but a file in the static folder."""


def static_root() -> Path:
    """The project's static folder, the only place the PDF renderer reads from."""
    return (Path(settings.BASE_DIR) / "static").resolve()


def static_base_url() -> str:
    """The base URL of the PDF's HTML: relative links (``icons/dedicated.svg``) go to static."""
    return static_root().as_uri() + "/"


def static_file_for_url(url: str) -> Path:
    """The static file a ``file:`` URL names, after resolving ``..`` and symbolic links.

    Raises ``RefusedURL`` for any other scheme (http, https, data, ftp...), for a path outside
    the static folder and for a path that is not a file.
    """
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"Only static files may be fetched, not {url[:80]!r}")
    root = static_root()
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise RefusedURL(f"Not a static file: {url[:80]!r}")
    return path


@cache
def _fetcher_class() -> type[URLFetcher]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """WeasyPrint's fetcher, limited to the static folder; it keeps the URLs it was asked."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.requested: list[str] = []

        def fetch(self, url, headers=None):
            self.requested.append(url)
            path = static_file_for_url(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".css":
                content_type = "text/css; charset=utf-8"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesFetcher


def static_fetcher() -> URLFetcher:
    """A new WeasyPrint URL fetcher that serves only static files (see ``static_file_for_url``).

    Its ``requested`` list holds every URL WeasyPrint asked for, refused or not.
    """
    return _fetcher_class()()


# --- the stylesheet and its fonts, parsed once per thread -------------------------------------

STYLESHEET = "css/pdf.css"
_per_thread = threading.local()


def pdf_stylesheet() -> tuple[FontConfiguration, CSS]:
    """This thread's parsed ``pdf.css`` and the font configuration that holds its four fonts.

    Parsing the stylesheet and loading its ``@font-face`` files was a third of a small PDF's
    time, so each thread keeps them between renders and parses again when the file changes.
    Per thread, never shared: a ``FontConfiguration`` wraps a Pango font map, which is not safe
    to use from two threads at once. Both are fetched through ``static_fetcher``.
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    path = static_root() / STYLESHEET
    stat = path.stat()
    version = (path, stat.st_mtime_ns, stat.st_size)
    cached = getattr(_per_thread, "stylesheet", None)
    if cached is None or cached[0] != version:
        font_config = FontConfiguration()
        stylesheet = CSS(url=path.as_uri(), url_fetcher=static_fetcher(), font_config=font_config)
        cached = _per_thread.stylesheet = (version, font_config, stylesheet)
    return cached[1], cached[2]


@atexit.register
def _forget_stylesheet() -> None:
    """Let this thread's font configuration delete its folder of fonts while Python still can."""
    _per_thread.__dict__.pop("stylesheet", None)


# --- WeasyPrint's user-agent stylesheet, without the pseudo-elements no PDF of ours has -------

# WeasyPrint's stylesheet for HTML styles these pseudo-elements of *every* element, so each
# element got six more computed styles: two thirds of the time spent styling a report. Our
# PDFs have list markers on <li> alone (pdf.css makes no other list item) and no footnote or
# note (no float: footnote), so the marker rule is kept for <li> and the others are left out.
# A rule WeasyPrint writes differently one day is simply kept as it is.
UA_RULES = {
    "::marker": "li::marker",
    "::footnote-call": None,
    "::footnote-marker": None,
    "::note-call": None,
    "::note-marker": None,
    "::note-callback": None,
}


@cache
def ua_stylesheet() -> CSS:
    """WeasyPrint's own ``html5_ua.css`` with ``UA_RULES`` applied, parsed once per process.

    Shared by every thread, as WeasyPrint shares its own: it holds no font.
    """
    from importlib.resources import files

    import tinycss2
    import weasyprint.css
    from weasyprint import CSS

    text = (files(weasyprint.css) / "html5_ua.css").read_text("utf-8")
    rules = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "counter-style":
            continue  # WeasyPrint keeps its own copy of these (HTML._ua_counter_style)
        selector = tinycss2.serialize(rule.prelude).strip() if rule.type == "qualified-rule" else ""
        if selector not in UA_RULES:
            rules.append(tinycss2.serialize([rule]))
        elif UA_RULES[selector]:
            rules.append(UA_RULES[selector] + " {" + tinycss2.serialize(rule.content) + "}")
    return CSS(string="\n".join(rules))


@cache
def _html_class() -> type[HTML]:
    from weasyprint import HTML

    class PdfHTML(HTML):
        """WeasyPrint's HTML document, styled by ``ua_stylesheet`` instead of its own."""

        def _ua_stylesheets(self, forms=False):
            return super()._ua_stylesheets(forms) if forms else [ua_stylesheet()]

    return PdfHTML


def lay_out(html: str) -> Document:
    """WeasyPrint's layout of the PDF's HTML with ``pdf.css``; ``write_pdf()`` makes the file.

    The stylesheet goes in as a user stylesheet: it gives way only to the document's own
    ``<style>``, which sets nothing but the height of ``.segment-body``.
    """
    font_config, stylesheet = pdf_stylesheet()
    document = _html_class()(string=html, base_url=static_base_url(), url_fetcher=static_fetcher())
    return document.render(font_config=font_config, stylesheets=[stylesheet])
