"""Forms for the block. They own validation; the models and the database enforce it again."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.numbers import LocalDecimalField, LocalIntegerField, MoneyField, in_own_words


class VersionedForm(forms.ModelForm):
    """A model form that refuses to overwrite a row someone else saved in the meantime."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    conflict_message = _(
        "This was changed in another tab or by another session while you were editing. "
        "Your text is kept below: check it against the saved version and save again to "
        "replace it."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def add_error(self, field, error) -> None:
        """Errors of the model's own validation, for our number fields in our own words."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = ValidationError(
                {
                    name: in_own_words(self.fields.get(name), ValidationError(errors))
                    for name, errors in error.error_dict.items()
                }
            )
        elif field:
            error = in_own_words(self.fields.get(field), error)
        super().add_error(field, error)

    def versioned_update(self):
        """The UPDATE ``save_if_current`` starts with, when the form edits an existing row at
        the version it was opened at (``relationships.base.VersionedUpdate``); else None.

        The write path may run it in one statement with its bookkeeping; when it finds the
        row moved on, it calls ``save_if_current``, which decides as always.
        """
        expected = self.cleaned_data.get("version")
        if not self.instance.pk or expected is None:
            return None
        instance = self.save(commit=False)
        return type(instance)._default_manager.versioned_update(instance, expected)

    def save_if_current(self) -> bool:
        """Create, or update only if nobody saved since the form was opened.

        On a conflict nothing is written, a form error explains it, and the form's version
        moves to the saved one so that saving again on purpose replaces it. Raises Http404 when
        the row, or the parent a new row goes under, was deleted meanwhile (another tab).
        """
        instance = self.save(commit=False)
        if instance._state.adding:
            try:
                with transaction.atomic():
                    instance.save()
            except IntegrityError:
                raise Http404("The parent of this item was deleted meanwhile.") from None
            return True
        expected = self.cleaned_data.get("version")
        if expected is None:
            expected = (
                type(instance)
                ._default_manager.values_list("version", flat=True)
                .get(pk=instance.pk)
            )
        if type(instance)._default_manager.save_if_current(instance, expected):
            return True
        current = (
            type(instance)
            ._default_manager.values_list("version", flat=True)
            .filter(pk=instance.pk)
            .first()
        )
        if current is None:
            raise Http404("This item was deleted meanwhile.")
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(current)
        self.add_error(None, self.conflict_message)
        return False


class CanvasCreateForm(forms.ModelForm):
    class Meta:
        model = Canvas
        fields = ["title"]
        widgets = {"title": forms.TextInput(attrs={"placeholder": _("e.g. Neighbourhood bakery")})}


class CanvasForm(VersionedForm):
    class Meta:
        model = Canvas
        fields = [
            "title",
            "description",
            "currency",
            "business_fit",
            "market_effect",
            "horizon_years",
        ]
        field_classes = {"horizon_years": LocalIntegerField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "business_fit": forms.Textarea(attrs={"rows": 3}),
            "market_effect": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["horizon_years"].required = False  # left empty: it stays as it was

    def clean_horizon_years(self) -> int:
        years = self.cleaned_data.get("horizon_years")
        return self.instance.horizon_years if years is None else years


class CanvasRenameForm(VersionedForm):
    class Meta:
        model = Canvas
        fields = ["title"]


class SegmentForm(VersionedForm):
    class Meta:
        model = Segment
        fields = [
            "name",
            "description",
            "expected_type",
            "expectation",
            "customer_count",
            "purchases_per_year",
            "average_spend",
            "new_customers_per_year",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "expectation": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"expected_type": _("Relationship they expect")}
        field_classes = {
            "customer_count": LocalIntegerField,
            "new_customers_per_year": LocalIntegerField,
            "purchases_per_year": LocalDecimalField,
            "average_spend": MoneyField,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_type"].choices = [
            ("", _("Not sure yet")),
            *Relationship.Type.choices,
        ]


class RelationshipForm(VersionedForm):
    goals = forms.MultipleChoiceField(
        label=_("Goals"),
        choices=Relationship.Goal.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pick at least one goal.")},
    )

    class Meta:
        model = Relationship
        fields = ["type", "state", "contact", "reach", "bond", "interaction"]
        widgets = {
            "type": forms.RadioSelect,
            "state": forms.RadioSelect,
            "contact": forms.RadioSelect,
            "reach": forms.RadioSelect,
            "bond": forms.RadioSelect,
            "interaction": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["goals"].initial = self.instance.goals

    def save(self, commit: bool = True) -> Relationship:
        self.instance.goals = self.cleaned_data["goals"]
        return super().save(commit=commit)


class CostItemForm(VersionedForm):
    class Meta:
        model = CostItem
        fields = ["label", "amount", "frequency"]
        field_classes = {"amount": MoneyField}
        # Radio buttons: in a narrow card a select would cut "One-off (set-up)" short.
        widgets = {"frequency": forms.RadioSelect}


def _without_empty_choice(form: type[forms.BaseForm], *names: str) -> None:
    """Radio buttons: drop the empty "---------" choice Django adds to a model's choices. Done
    once on the form's class (every form copies its fields from it), not on each form."""
    for name in names:
        field = form.base_fields[name]
        field.choices = [choice for choice in field.choices if choice[0]]


_without_empty_choice(RelationshipForm, "type", "state", "contact", "reach", "bond")
_without_empty_choice(CostItemForm, "frequency")
