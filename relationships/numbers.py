"""Numbers as people type them, read in the reader's language, and shown back the same way.

A Spanish reader writes ``95,50`` and ``1.200``; an English one ``95.50`` and ``1,200``. Both may
add a currency sign or code and spaces. What can be read only one way is read that way (``95.50``
from a Spanish reader is ninety-five and a half: a dot followed by two digits cannot separate
thousands); what could be two different numbers, or is no number, is refused with a message that
shows the way to write it. A number is never silently turned into another.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal, format_percent, get_decimal_symbol
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from relationships.base import Currency

# What may stand around the digits: spaces of any kind, currency signs and codes.
CODES = "|".join(Currency.values)
NOISE = re.compile(rf"\s|[€$£₡]|S/|\bBs\.?|\bRD|^Q|\b(?:{CODES})\b", re.IGNORECASE)
SHAPE = re.compile(r"[+-]?[0-9.,]+")
EXAMPLE = Decimal("1234.56")


def reader_locale() -> str:
    """The Babel locale of the reader's language: how their numbers and money are written."""
    return to_locale(get_language() or "es")


def separators() -> tuple[str, str]:
    """The reader's decimal mark and the other of "." and "," (their thousands mark)."""
    decimal = get_decimal_symbol(reader_locale())
    decimal = decimal if decimal in ".," else "."
    return decimal, "," if decimal == "." else "."


def _grouped(digits: str, group: str) -> bool:
    """``1.234.567``: thousands marks every three digits, and no leading zero."""
    pattern = "[1-9][0-9]{0,2}(?:" + re.escape(group) + "[0-9]{3})+"
    return bool(re.fullmatch(pattern, digits))


def _refuse() -> ValidationError:
    decimal, group = separators()
    example = format_decimal(EXAMPLE, format="#,##0.00", locale=reader_locale())
    return ValidationError(
        _(
            "Write the number like %(example)s: “%(decimal)s” before the decimals and, if you "
            "like, “%(group)s” between thousands."
        ),
        code="invalid",
        params={"example": example, "decimal": decimal, "group": group},
    )


def _plain(text: str) -> str:
    """The number in Python's notation (``1234.56``) or a ValidationError."""
    decimal, group = separators()
    sign = text[0] if text[0] in "+-" else ""
    body = text[len(sign) :]
    if body.count(decimal) > 1:
        raise _refuse()
    if decimal in body:
        whole, fraction = body.split(decimal)
        if group in fraction or (fraction and not fraction.isdigit()):
            raise _refuse()
        if len(fraction) == 3 and group not in whole and whole.strip("0"):
            raise _refuse()  # "10,000": ten, or ten thousand written the other way?
        if group in whole and not _grouped(whole, group):
            raise _refuse()
        return f"{sign}{whole.replace(group, '') or '0'}.{fraction or '0'}"
    if group not in body:
        return sign + body
    if _grouped(body, group):
        return sign + body.replace(group, "")
    whole, _mark, fraction = body.partition(group)
    if group not in fraction and whole.isdigit() and fraction.isdigit() and len(fraction) != 3:
        return f"{sign}{whole}.{fraction}"  # one mark, not three digits after it: decimals
    raise _refuse()


def parse_number(text: str) -> Decimal | None:
    """What the reader typed, as a Decimal; None when they typed nothing.

    Raises ValidationError (code "invalid") with a message in the reader's language.
    """
    cleaned = NOISE.sub("", text or "")
    if not cleaned:
        return None
    if not SHAPE.fullmatch(cleaned) or not any(c.isdigit() for c in cleaned):
        raise _refuse()
    try:
        return Decimal(_plain(cleaned))
    except InvalidOperation:
        raise _refuse() from None


def show_number(value, places: int | None = None) -> str:
    """A stored number as the reader writes it: ``1.200``, ``95,50`` in Spanish."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return value  # what the reader typed, shown back as it was
    pattern = "#,##0." + "0" * places if places else "#,##0.###"
    return format_decimal(value, format=pattern, locale=reader_locale())


def _whole_percent(value: Decimal | int) -> Decimal:
    return Decimal(value).quantize(Decimal("1"), ROUND_HALF_UP)


def under_one_percent(value: Decimal | int | None) -> bool:
    """Whether a percentage is above zero but would round to 0 %: a sentence says "less than
    1 %" of it, where a figure alone reads "< 1 %" (``show_percent``)."""
    return value is not None and value > 0 and _whole_percent(value) == 0


def show_percent(value: Decimal | int | None) -> str:
    """A percentage to the whole number the reader's way: "6 %" in Spanish, "6%" in English;
    "< 1 %" for a share above zero that would round to 0 %; "—" if unknown."""
    if value is None:
        return "—"
    if under_one_percent(value):
        return "<\u00a0" + format_percent(Decimal("0.01"), locale=reader_locale())
    return format_percent(_whole_percent(value) / 100, locale=reader_locale())


class NumberInput(forms.TextInput):
    """A text box (a browser's number box refuses "95,50") that shows numbers the reader's way."""

    input_type = "text"

    def __init__(self, places: int | None = None, attrs=None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.places = places

    def format_value(self, value):
        return show_number(value, self.places) or None


def own_words(error: ValidationError, places: int | None) -> ValidationError:
    """Django's messages for bounds and decimals, in the product's voice and number format."""
    codes = {e.code for e in error.error_list}
    if codes & {"max_digits", "max_whole_digits", "max_value"}:
        return ValidationError(_("That number is too large for this field."), code="max_value")
    if "max_decimal_places" in codes:
        example = format_decimal(EXAMPLE, format="#,##0.00", locale=reader_locale())
        return ValidationError(
            _("Use at most %(places)s decimals, like %(example)s."),
            code="max_decimal_places",
            params={"places": places or 0, "example": example},
        )
    if "min_value" in codes:
        return ValidationError(_("Write a number of 0 or more."), code="min_value")
    return error


class LocalDecimalField(forms.DecimalField):
    """A decimal typed the reader's way; bounds and places are still the model's."""

    def __init__(self, *, places: int | None = None, **kwargs) -> None:
        kwargs.pop("localize", None)
        kwargs["widget"] = NumberInput(places=places)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_number(str(value))

    def validate(self, value) -> None:
        try:
            super().validate(value)
        except ValidationError as error:
            raise own_words(error, self.decimal_places) from None

    def run_validators(self, value) -> None:
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise own_words(error, self.decimal_places) from None

    def widget_attrs(self, widget):
        return {}  # no min/max/step: those belong to a browser's number box


class MoneyField(LocalDecimalField):
    """An amount of money: shown with its two decimals (``95,50``)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(places=2, **kwargs)


class LocalIntegerField(forms.IntegerField):
    """A whole number typed the reader's way (``1.200`` in Spanish)."""

    widget = NumberInput

    def __init__(self, **kwargs) -> None:
        kwargs.pop("localize", None)
        kwargs["widget"] = NumberInput()
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_number(str(value))
        except ValidationError:  # its example has decimals: this field wants none
            raise self._whole_number() from None
        if number is None:
            return None
        if number != number.to_integral_value():
            raise self._whole_number()
        return int(number)

    @staticmethod
    def _whole_number() -> ValidationError:
        example = format_decimal(1200, locale=reader_locale())
        message = _("Write a whole number, like %(example)s.")
        return ValidationError(message, code="invalid", params={"example": example})

    def run_validators(self, value) -> None:
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise own_words(error, 0) from None

    def widget_attrs(self, widget):
        return {}


def in_own_words(form_field, error):
    """``error`` of ``form_field`` in the product's words if the field is one of ours.

    The model's own validation (a ModelForm's ``full_clean``) speaks Django's words; a form
    passes what it adds through here.
    """
    if not isinstance(form_field, (LocalDecimalField, LocalIntegerField)):
        return error
    places = getattr(form_field, "decimal_places", 0)
    return own_words(
        error if isinstance(error, ValidationError) else ValidationError(error), places
    )
