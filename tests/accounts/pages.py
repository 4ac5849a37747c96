"""Reading the account pages as a person does: the links and hidden fields they carry."""

import html
import re


def link(response, text: str) -> str:
    """The address of the link that reads ``text`` on the page (fails if there is none)."""
    match = re.search(r'<a href="([^"]*)"[^>]*>' + re.escape(text) + "</a>", response.text)
    assert match, f"no link “{text}” on the page"
    return html.unescape(match[1])


def hidden(response, name: str) -> str | None:
    """The value of the form's hidden field ``name``, or None."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', response.text)
    return html.unescape(match[1]) if match else None
