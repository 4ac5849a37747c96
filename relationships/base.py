"""What the block's models are made of: bounds, choices, versioned rows kept in order.

``relationships.models`` builds Canvas, Segment, Relationship and CostItem from these."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import connections, models, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

MAX_AMOUNT = Decimal("99999999.99")
NAME_LENGTH = 120  # names and labels
TEXT_LENGTH = 2000  # free texts: descriptions, answers, how we interact
MAX_CUSTOMERS = 1_000_000_000
MAX_HORIZON_YEARS = 20
MAX_PURCHASES_PER_YEAR = Decimal("100000")
ZERO = Decimal("0.00")


def free_text(verbose_name, **options) -> models.TextField:
    """An optional free text of at most TEXT_LENGTH characters.

    A TextField's ``max_length`` only sizes the form's textarea; the validator makes
    ``full_clean`` (forms, the JSON import) refuse a longer text too.
    """
    return models.TextField(
        verbose_name,
        max_length=TEXT_LENGTH,
        validators=[MaxLengthValidator(TEXT_LENGTH)],
        blank=True,
        **options,
    )


def length_limits(table: str, **limits: int) -> list[models.CheckConstraint]:
    """Named constraints that hold each text to its length in the database itself.

    ``max_length`` alone is checked only by forms and ``full_clean``: SQLite ignores VARCHAR
    lengths and a TextField has none in any database.
    """
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(field), limit), name=f"{table}_{field}_length"
        )
        for field, limit in limits.items()
    ]


class Currency(models.TextChoices):
    """ISO 4217 codes offered for a canvas: the euro and the currencies of our users' countries."""

    EUR = "EUR", _("Euro")
    USD = "USD", _("US dollar")
    GBP = "GBP", _("Pound sterling")
    MXN = "MXN", _("Mexican peso")
    ARS = "ARS", _("Argentine peso")
    COP = "COP", _("Colombian peso")
    CLP = "CLP", _("Chilean peso")
    PEN = "PEN", _("Peruvian sol")
    UYU = "UYU", _("Uruguayan peso")
    BOB = "BOB", _("Bolivian boliviano")
    GTQ = "GTQ", _("Guatemalan quetzal")
    DOP = "DOP", _("Dominican peso")
    CRC = "CRC", _("Costa Rican colón")


class RelationshipType(models.TextChoices):
    """The seven ways a venture can relate to a customer segment."""

    PERSONAL = "personal", _("Personal assistance")
    DEDICATED = "dedicated", _("Dedicated personal assistance")
    SELF_SERVICE = "self_service", _("Self-service")
    AUTOMATED = "automated", _("Automated services")
    COMMUNITIES = "communities", _("Communities")
    CO_CREATION = "co_creation", _("Co-creation")
    THIRD_PARTIES = "third_parties", _("Via third parties")


class VersionedUpdate(NamedTuple):
    """One row's versioned UPDATE, ready to run: what ``save_if_current`` would write of
    ``obj`` (its editable fields, as the database takes them) if its row still has
    ``expected``. The write path may run it together with its own bookkeeping
    (``relationships.writes.change_block``)."""

    obj: models.Model
    expected: int
    values: list

    def sql(self, alias: str) -> str:
        """The UPDATE on database ``alias``."""
        return versioned_update_sql(type(self.obj), alias)

    def params(self, assigned: tuple = ()) -> list:
        return [*self.values, *assigned, self.obj.pk, self.expected]

    def written(self) -> None:
        """The UPDATE went through: ``obj`` is at its new version."""
        self.obj.version = self.expected + 1


class VersionedQuerySet(models.QuerySet):
    def versioned_update(self, obj: models.Model, expected_version: int) -> VersionedUpdate:
        """``save_if_current``'s UPDATE of ``obj``, not run (on the default database)."""
        connection = connections[self.db]
        fields = editable_fields(type(obj))
        values = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
        return VersionedUpdate(obj, expected_version, values)

    def save_if_current(self, obj: models.Model, expected_version: int) -> bool:
        """Write the editable fields of ``obj`` only if its row still has ``expected_version``.

        One conditional UPDATE, so two writers can never both win. On success ``obj.version``
        is the new version; on a conflict nothing is written and False is returned.
        """
        fields = editable_fields(type(obj))
        if self.query.where:  # a filtered queryset: the ORM keeps its filters
            values = {f.attname: getattr(obj, f.attname) for f in fields}
            updated = self.filter(pk=obj.pk, version=expected_version).update(
                version=F("version") + 1, **values
            )
        else:
            # The whole table: the UPDATE the ORM would build, built once (the hot path of a
            # save; building it anew each time cost more CPU than running it).
            update = self.versioned_update(obj, expected_version)
            with connections[self.db].cursor() as cursor:
                cursor.execute(update.sql(self.db), update.params())
                updated = cursor.rowcount
        if updated:
            obj.version = expected_version + 1
        return bool(updated)


def editable_fields(model: type[models.Model]) -> list[models.Field]:
    """What a form can change of a row: its editable fields but its id."""
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


@functools.cache
def versioned_update_sql(model: type[models.Model], alias: str, more: str = "") -> str:
    """``save_if_current``'s UPDATE on database ``alias``: every editable field set (and
    ``more`` assignments after them), the version moved one up, only where the row still has
    the version the writer saw."""
    quote = connections[alias].ops.quote_name
    version = quote(model._meta.get_field("version").column)
    assigned = ", ".join(f"{quote(f.column)} = %s" for f in editable_fields(model))
    if more:
        assigned = f"{assigned}, {more}"
    return (
        f"UPDATE {quote(model._meta.db_table)} SET {version} = {version} + 1, {assigned} "
        f"WHERE {quote(model._meta.pk.column)} = %s AND {version} = %s"
    )


class ChoiceConstraintsMixin:
    """Skip re-checking the ``*_known`` and ``*_length`` constraints in ``full_clean``, and the
    check constraints that read a field the caller leaves out.

    The first mirror each field's choices and ``max_length``, which ``clean_fields`` has already
    validated; checking them again would cost one database query per constraint on every save
    through a form. For the others Django builds the query of the condition before it finds the
    left-out field and gives the check up (half a millisecond of a save's CPU, for nothing).
    The database still enforces them all on every write.
    """

    SKIPPED = ("_known", "_length")
    _left_out: frozenset[str] = frozenset()  # the fields of the running validate_constraints

    def validate_constraints(self, exclude=None) -> None:
        self._left_out = frozenset(exclude or ())
        try:
            super().validate_constraints(exclude)
        finally:
            del self._left_out

    def get_constraints(self):
        """The constraints ``validate_constraints`` checks in Python before a save."""
        return [
            (model, [c for c in constraints if self._checked(c)])
            for model, constraints in super().get_constraints()
        ]

    def _checked(self, constraint) -> bool:
        if constraint.name.endswith(self.SKIPPED):
            return False
        if isinstance(constraint, models.CheckConstraint) and self._left_out:
            return not Q(constraint.condition).referenced_base_fields & self._left_out
        return True


class LastChange(models.Model):
    """Who last changed a card of the block (a segment, a relationship with its costs), and when.

    Set by the write path (``relationships.writes.change_block``); None before anyone did.
    """

    changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class Ordered(ChoiceConstraintsMixin, models.Model):
    """A row kept in the order its owner chose, with a version for optimistic locking."""

    position = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    parent_field = ""

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.position:
            last = self.siblings().aggregate(last=Max("position"))["last"]
            self.position = 0 if last is None else last + 1
        super().save(*args, **kwargs)

    def siblings(self) -> models.QuerySet:
        return type(self)._default_manager.filter(
            **{self.parent_field: getattr(self, f"{self.parent_field}_id")}
        )

    @transaction.atomic
    def move(self, offset: int) -> bool:
        """Swap places with the neighbour ``offset`` steps away (-1 up, +1 down).

        Returns False, changing nothing, when the row is already first or last.
        """
        ordered = list(self.siblings().select_for_update().order_by("position", "pk"))
        index = next((i for i, row in enumerate(ordered) if row.pk == self.pk), None)
        if index is None:  # deleted in another tab meanwhile
            return False
        target = index + offset
        if not 0 <= target < len(ordered):
            return False
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, row in enumerate(ordered):
            if row.position != position:
                type(self)._default_manager.filter(pk=row.pk).update(position=position)
        return True
