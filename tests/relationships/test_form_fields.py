"""The editor's forms copy their fields for each form more cheaply than Django, with the same
result: what one form does to its fields never reaches another form."""

import copy

import pytest
from django import forms

from canvas_site.forms import CopiedFields, copied_field
from relationships.forms import (
    CanvasForm,
    CanvasRenameForm,
    CostItemForm,
    RelationshipForm,
    SegmentForm,
)

EDITOR_FORMS = [CanvasForm, CanvasRenameForm, SegmentForm, RelationshipForm, CostItemForm]


@pytest.mark.parametrize("form_class", EDITOR_FORMS)
def test_a_form_draws_the_same_as_with_djangos_own_copy(form_class, monkeypatch):
    assert isinstance(form_class.base_fields, CopiedFields)
    ours = form_class().as_div()
    monkeypatch.setattr(CopiedFields, "__deepcopy__", lambda self, memo: copy.deepcopy(dict(self)))
    assert form_class().as_div() == ours


def test_what_one_form_changes_in_its_fields_stays_in_that_form():
    changed, other = RelationshipForm(), RelationshipForm()
    field = changed.fields["type"]
    field.choices = [("personal", "Only this")]
    field.widget.attrs["class"] = "changed"
    field.error_messages["required"] = "Changed"
    field.validators.append(lambda value: None)
    changed.fields["interaction"].required = True
    changed.fields["goals"].widget.choices.append(("x", "X"))
    for form in (other, RelationshipForm()):
        assert ("personal", "Only this") not in form.fields["type"].choices
        assert "class" not in form.fields["type"].widget.attrs
        assert form.fields["type"].error_messages["required"] != "Changed"
        assert form.fields["type"].validators == RelationshipForm.base_fields["type"].validators
        assert form.fields["interaction"].required is False
        assert ("x", "X") not in form.fields["goals"].widget.choices
    assert "Only this" in str(changed["type"])


def test_a_field_that_copies_itself_its_own_way_is_deep_copied():
    class Pair(forms.MultiValueField):
        def compress(self, values):
            return values

    field = Pair(fields=(forms.CharField(), forms.CharField()))
    copied = copied_field(field)
    assert copied.fields[0] is not field.fields[0]
