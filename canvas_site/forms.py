"""What every form of the site shares: the field layout, and a cheaper copy of the fields."""

import copy

from django import forms
from django.forms.models import ModelFormMetaclass
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import ChoiceWidget


class FormRenderer(TemplatesSetting):
    """Django's renderer, with our field layout: label, widget, help, then errors beside it."""

    field_template_name = "forms/field.html"


# --- a form's fields, copied for each form without copy.deepcopy ------------------------------

_PLAIN_FIELDS = {forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__}
_PLAIN_WIDGETS = {forms.Widget.__deepcopy__, ChoiceWidget.__deepcopy__}


def _shallow(thing):
    copied = object.__new__(type(thing))
    copied.__dict__.update(thing.__dict__)
    return copied


def _choices(choices):
    return list(choices) if isinstance(choices, list) else copy.copy(choices)


def copied_field(field: forms.Field) -> forms.Field:
    """``field`` as Django's ``Field.__deepcopy__`` copies it for each form: the field and its
    widget objects of their own, and new lists and dicts of attributes, error messages,
    validators and choices, whose items (strings, translations, pairs of them) are shared as
    Django's copy shares them. A field or widget that copies itself otherwise (a model choice,
    a field of fields) is deep-copied as Django does it."""
    widget = field.widget
    if (
        type(field).__deepcopy__ not in _PLAIN_FIELDS
        or type(widget).__deepcopy__ not in _PLAIN_WIDGETS
    ):
        return copy.deepcopy(field)
    copied = _shallow(field)
    copied.widget = _shallow(widget)
    copied.widget.attrs = widget.attrs.copy()
    if "_choices" in widget.__dict__:
        copied.widget._choices = _choices(widget._choices)
    if "_choices" in field.__dict__:
        copied._choices = _choices(field._choices)
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    return copied


class CopiedFields(dict):
    """A form class's ``base_fields`` that each new form copies with ``copied_field``.

    Django's ``BaseForm.__init__`` deep-copies the class's fields for every form; through
    ``copy.deepcopy``'s general machinery that was a tenth of an htmx save (py-spy, a
    relationship's form of nine fields). The result is the same: each form's fields are its
    own to change."""

    def __deepcopy__(self, memo) -> dict:
        return {name: copied_field(field) for name, field in self.items()}


class CopiedFieldsMetaclass(ModelFormMetaclass):
    """A model form's metaclass whose forms copy their fields with ``copied_field``."""

    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = CopiedFields(new_class.base_fields)
        return new_class
