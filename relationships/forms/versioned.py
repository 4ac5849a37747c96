"""The versioned form every form of the block is: it saves only over the version it opened
with, and merges what someone else saved meanwhile into fields the user left alone.

A form carries ``version`` (the row's, when it was opened) and ``opened`` (a digest per field of
the values it opened with). A save over a newer row keeps the other person's change to every
field this user did not touch; a field both changed is a conflict, shown beside the field with
what is saved now, and what the user typed is kept."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from canvas_site.forms import CopiedFieldsMetaclass
from relationships.base import editable_fields
from relationships.models import Canvas, CostItem, Relationship, Revision, Segment
from relationships.numbers import (
    in_own_words,
    show_number,
)

MERGE_ATTEMPTS = 3  # a save that keeps losing the race to others ends as a conflict


def _canonical(value) -> str:
    """A value as the merge compares it: ``1200.5`` and ``1200.50`` alike, a text's line ends
    and outer spaces as a browser and the form's cleaning leave them, goals in any order."""
    if isinstance(value, Decimal):
        return "d" + format(value.normalize(), "f")
    if isinstance(value, str):
        return "s" + value.replace("\r\n", "\n").strip()
    if isinstance(value, list | tuple):
        return "l" + "\x1f".join(sorted(str(v) for v in value))
    return "r" + repr(value)


def fingerprint(name: str, value) -> str:
    """A short digest of one field's value: what the form remembers it held when opened."""
    return hashlib.blake2b(f"{name}\x1e{_canonical(value)}".encode(), digest_size=6).hexdigest()


class MergingBoundField(forms.BoundField):
    """A field that can tell what was saved in it meanwhile (``VersionedForm``'s conflicts)."""

    @property
    def saved_meanwhile(self) -> dict | None:
        return self.form.saved_meanwhile.get(self.name)


class VersionedForm(forms.ModelForm, metaclass=CopiedFieldsMetaclass):
    """A model form that never overwrites what someone else saved in the meantime.

    It remembers what each field held when it was opened (``opened``, one digest per field).
    When the row was saved meanwhile, ``save_if_current`` merges: a field the user left alone
    takes the saved value, a field only the user changed takes theirs; only a field both
    changed is a conflict, shown beside the field with what is saved now.
    """

    bound_field_class = MergingBoundField

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # One digest per field (``fingerprint``), in the form's order, of the values it opened with.
    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    conflict_message = _(
        "This was changed in another tab or by someone else while you were editing. Their "
        "changes are in the form now; where you both changed the same field, what is saved "
        "now is shown beside it and your text is kept: save again to replace it with yours."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.saved_meanwhile: dict[str, dict] = {}  # conflicting field: what is saved now
        self.kept_theirs: list[str] = []  # the fields a merged save took from the saved row
        self.editor = None  # who saves (the view sets it): "you" rather than a name
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            # The row as this request loaded it, before validation writes the form's values
            # into the instance: what the merge sets against the user's (no query).
            self._loaded = (self.instance.version, self._values_of(self.instance))
            self.fields["opened"].initial = lambda: self._digest(self._loaded[1])

    # --- what the merge works on ----------------------------------------------------------

    def merged_fields(self) -> list[str]:
        """The fields a user edits, in the form's order."""
        return [name for name in self.fields if name not in ("version", "opened")]

    def _values_of(self, row) -> dict:
        return {name: getattr(row, name) for name in self.merged_fields()}

    def _digest(self, values: dict) -> str:
        return "".join(fingerprint(name, values[name]) for name in self.merged_fields())

    def _opened_with(self) -> dict[str, str] | None:
        """Each field's digest when the form was opened; None if the form did not say (an old
        page, a script): then every field counts as changed by the user."""
        digest, names = self.cleaned_data.get("opened") or "", self.merged_fields()
        width = len(fingerprint("", ""))
        if len(digest) != width * len(names):
            return None
        return {name: digest[i * width : (i + 1) * width] for i, name in enumerate(names)}

    def merge(self, saved: dict) -> tuple[dict, list[str], list[str]]:
        """Three-way merge of the user's values with ``saved`` (the row as it is now).

        Returns the values to write, the fields that take the saved value because only the
        other person changed them, and the fields both changed to different values.
        """
        opened = self._opened_with()
        merged, theirs, conflicts = {}, [], []
        for name in self.merged_fields():
            mine, now = self.cleaned_data.get(name), saved[name]
            if _canonical(mine) == _canonical(now):
                merged[name] = now
                continue
            if opened is not None and fingerprint(name, mine) == opened[name]:
                merged[name] = now  # the user left it alone: the other change stays
                theirs.append(name)
            elif opened is not None and fingerprint(name, now) == opened[name]:
                merged[name] = mine  # only the user changed it
            else:
                merged[name] = mine
                conflicts.append(name)
        return merged, theirs, conflicts

    # --- saving ---------------------------------------------------------------------------

    def save_if_current(self) -> bool:
        """Create, or update without undoing what anyone saved since the form was opened.

        The normal save is one conditional UPDATE. When the row was saved meanwhile, the
        user's changes are merged into it (``merge``) and written if nobody changed the same
        field; else nothing is written, the form shows the saved values beside its own, and
        its version and digest move to the saved row's, so that saving again on purpose
        replaces them. Raises Http404 when the row, or the parent a new row goes under, was
        deleted meanwhile (another tab).
        """
        instance = self.save(commit=False)
        if instance._state.adding:
            try:
                with transaction.atomic():
                    instance.save()
            except IntegrityError:
                raise Http404("The parent of this item was deleted meanwhile.") from None
            return True
        manager = type(instance)._default_manager
        expected = self.cleaned_data.get("version")
        if expected is None:
            expected = manager.values_list("version", flat=True).get(pk=instance.pk)
        version, saved = self._loaded
        if expected == version and manager.save_if_current(instance, expected):
            return True
        for attempt in range(MERGE_ATTEMPTS):
            if attempt or expected == version:  # saved again after this request loaded it
                version, saved = self._reload(instance)
            merged, theirs, conflicts = self.merge(saved)
            if conflicts:
                break
            for name, value in merged.items():
                setattr(instance, name, value)
            if invalid := self._invalid_merge(instance):
                # Each change was valid alone; together they break a rule of the row (a
                # relationship left with no goal): the form shows both and the rule.
                self._show_conflict(version, saved, theirs, [], invalid)
                return False
            if manager.save_if_current(instance, version):
                self.kept_theirs = theirs
                return True
        self._show_conflict(version, saved, theirs, conflicts)
        return False

    @staticmethod
    def _invalid_merge(instance) -> list[str]:
        """What the row's own rules say against the merged row (its constraints, checked with
        queries: only a merged save runs this)."""
        try:
            instance.full_clean(validate_unique=False)
        except ValidationError as error:
            return error.messages
        return []

    def _reload(self, instance) -> tuple[int, dict]:
        """The row as it is now (one query), also into what the form does not edit."""
        row = type(instance)._default_manager.filter(pk=instance.pk).first()
        if row is None:
            raise Http404("This item was deleted meanwhile.")
        for field in editable_fields(type(row)):
            setattr(instance, field.attname, getattr(row, field.attname))
        return row.version, self._values_of(row)

    def _show_conflict(
        self, version: int, saved: dict, theirs: list, conflicts: list, invalid=()
    ) -> None:
        self.data = data = self.data.copy()
        data[self.add_prefix("version")] = str(version)
        data[self.add_prefix("opened")] = self._digest(saved)
        for name in theirs:  # what only the other person changed shows as they left it
            self._put(data, name, saved[name])
        if conflicts:
            heading = self._who_saved()
            for name in conflicts:
                self.saved_meanwhile[name] = {
                    "heading": heading,
                    "value": self.shown(name, saved[name]),
                }
        self.add_error(None, self.conflict_message)
        for message in invalid:
            self.add_error(None, message)

    def _put(self, data, name: str, value) -> None:
        """Put ``value`` into the form's data as a browser would have sent it."""
        field, key = self.fields[name], self.add_prefix(name)
        if isinstance(field, forms.MultipleChoiceField):
            values = [str(v) for v in value or ()]
            if hasattr(data, "setlist"):
                data.setlist(key, values)
            else:
                data[key] = values
        elif isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
        elif isinstance(field.widget, forms.widgets.ChoiceWidget):
            data[key] = "" if value is None else str(value)
        else:
            data[key] = field.widget.format_value(field.prepare_value(value)) or ""

    def shown(self, name: str, value) -> str:
        """A field's value as a reader reads it: a choice's label, a number their way."""
        field = self.fields[name]
        labels = {str(key): label for key, label in getattr(field, "choices", None) or ()}
        if isinstance(value, list | tuple):
            return ", ".join(str(labels.get(str(v), v)) for v in value) or gettext("(empty)")
        key = "" if value is None else str(value)
        if key in labels:  # a choice, the empty one too where it has a name ("Not sure yet")
            return str(labels[key])
        if key == "":
            return gettext("(empty)")
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, Decimal | int):
            return show_number(value, getattr(field.widget, "places", None))
        return str(value)

    def _who_saved(self) -> str:
        """Who saved the card last (one query), as the note beside a conflict names them."""
        canvas_pk, card, card_pk = _card_of(self.instance)
        changes = Revision.objects.filter(canvas_id=canvas_pk, card=card, card_id=card_pk)
        if isinstance(self.instance, CostItem):  # the cost's own changes, not its card's
            changes = changes.filter(cost_id=self.instance.pk)
        change = changes.select_related("by").order_by("-number").first()
        by = change.by if change else None
        if by is None:
            return gettext("Saved meanwhile:")
        if self.editor is not None and by.pk == self.editor.pk:
            return gettext("Saved meanwhile by you, in another tab:")
        name = by.get_full_name() or by.get_username()
        return gettext("Saved meanwhile by %(name)s:") % {"name": name}

    @property
    def merge_notice(self) -> str:
        """After a merged save: which of the other person's changes were kept, or ""."""
        if not self.kept_theirs:
            return ""
        fields = ", ".join(str(self.fields[name].label) for name in self.kept_theirs)
        return gettext(
            "Saved, keeping what was changed meanwhile in another tab or by someone else: "
            "%(fields)s."
        ) % {"fields": fields}

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
        the version this request loaded (``relationships.base.VersionedUpdate``); else None.

        The write path may run it in one statement with its bookkeeping; when it finds the
        row moved on, it calls ``save_if_current``, which merges or refuses as always.
        """
        expected = self.cleaned_data.get("version")
        if not self.instance.pk or expected is None or expected != self._loaded[0]:
            return None
        instance = self.save(commit=False)
        return type(instance)._default_manager.versioned_update(instance, expected)


def _card_of(row) -> tuple[int, str, int | None]:
    """The canvas of a row, and the card its changes are recorded under (``Revision``)."""
    if isinstance(row, Canvas):
        return row.pk, Revision.Card.CANVAS, None
    if isinstance(row, Segment):
        return row.canvas_id, Revision.Card.SEGMENT, row.pk
    if isinstance(row, Relationship):
        return row.segment.canvas_id, Revision.Card.RELATIONSHIP, row.pk
    return row.relationship.segment.canvas_id, Revision.Card.RELATIONSHIP, row.relationship_id
