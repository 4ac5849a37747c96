"""Forms for the block. They own validation; the models and the database enforce it again.
Each is a ``VersionedForm`` (``relationships.forms.versioned``): saved only over the version it
opened with, merged with what someone else saved meanwhile."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relationships.document import SEGMENT_FIELDS, SEGMENT_OPTIONAL
from relationships.forms.versioned import VersionedForm
from relationships.models import Canvas, CostItem, Relationship, Segment
from relationships.numbers import LocalDecimalField, LocalIntegerField, MoneyField

__all__ = [
    "CanvasCreateForm",
    "CanvasForm",
    "CanvasRenameForm",
    "CostItemForm",
    "RelationshipForm",
    "SegmentForm",
    "VersionedForm",
]


class CanvasCreateForm(forms.ModelForm):
    class Meta:
        model = Canvas
        fields = ["title"]
        widgets = {"title": forms.TextInput(attrs={"placeholder": _("e.g. Corner bakery")})}


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
        fields = [*SEGMENT_FIELDS, *SEGMENT_OPTIONAL]  # a segment's answers, as its document
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
