"""What many tests need: a browser of one's own, and the header htmx sends with each request."""

from html.parser import HTMLParser

from django.test import Client

HTMX = {"HX-Request": "true"}
"""The header of a request htmx makes: ``client.post(url, data, headers=HTMX)``."""


def client_for(user=None, **kwargs) -> Client:
    """A browser of its own, reading English, logged in as ``user`` (anonymous without one).

    Each call is a new ``Client``: logging one in never changes another. ``kwargs`` go to
    ``Client`` (``enforce_csrf_checks=True``, ``raise_request_exception=False``...).
    """
    client = Client(**kwargs)
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


class _FormReader(HTMLParser):
    """The fields of one form in a page, with what a browser would send for each."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._textarea: str | None = None
        self._select: str | None = None

    def _add(self, name: str, value: str, many: bool = False) -> None:
        if many:
            self.fields.setdefault(name, []).append(value)
        else:
            self.fields[name] = value

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(attrs["name"], attrs.get("value", "on"), many=kind == "checkbox")
                elif kind == "checkbox":
                    self.fields.setdefault(attrs["name"], [])
            elif kind not in ("submit", "button"):
                self._add(attrs["name"], attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))

    def handle_data(self, data) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag) -> None:
        if tag == "textarea" and self._textarea:
            # The browser drops the one line break Django writes after the opening tag.
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside = False


def form_fields(html: str, form_id: str) -> dict:
    """What a browser would send for the form ``form_id`` of ``html`` as it is shown: the
    checked boxes (a list per name), every text, hidden field and chosen option."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.fields, f"no form #{form_id} in the page"
    return {name: value for name, value in reader.fields.items() if value != []}
