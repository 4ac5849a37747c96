"""The Customer Relationships block: a canvas, its segments, their relationships and costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relationships.base import (
    MAX_AMOUNT,
    MAX_CUSTOMERS,
    MAX_HORIZON_YEARS,
    MAX_PURCHASES_PER_YEAR,
    NAME_LENGTH,
    TEXT_LENGTH,
    ZERO,
    ChoiceConstraintsMixin,
    Currency,
    LastChange,
    Ordered,
    RelationshipType,
    VersionedQuerySet,
    free_text,
    length_limits,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class CanvasQuerySet(VersionedQuerySet):
    def for_user(self, user: User) -> CanvasQuerySet:
        return self.filter(owner=user)

    def with_block(self) -> CanvasQuerySet:
        """Prefetch the whole block: segments, relationships, cost items (one query each)."""
        return self.prefetch_related(
            Prefetch(
                "segments",
                queryset=Segment.objects.select_related("changed_by").prefetch_related(
                    Prefetch(
                        "relationships",
                        queryset=Relationship.objects.select_related("changed_by").prefetch_related(
                            "cost_items"
                        ),
                    )
                ),
            )
        )


class Canvas(ChoiceConstraintsMixin, models.Model):
    """One venture's Customer Relationships block."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="canvases",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("venture"), max_length=NAME_LENGTH)
    description = free_text(
        _("venture and value proposition"),
        help_text=_("One paragraph: what the venture offers and to whom."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    business_fit = free_text(
        _("fit with the rest of the business model"),
        help_text=_(
            "How do these relationships fit your value proposition, channels, segments and costs?"
        ),
    )
    market_effect = free_text(
        _("effect wanted on the market"),
        help_text=_("What image, prestige or brand should these relationships build?"),
    )
    horizon_years = models.PositiveSmallIntegerField(
        _("years to spread set-up costs over"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HORIZON_YEARS)],
        help_text=_("What is paid once counts a share of itself in each of these years."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # of this row: the header form
    # Of the whole block: bumped by every write (relationships.writes); caches key on it.
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now, editable=False)

    objects = CanvasQuerySet.as_manager()

    class Meta:
        verbose_name = _("canvas")
        verbose_name_plural = _("canvases")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="canvas_currency_known"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="canvas_title_not_empty"),
            models.CheckConstraint(
                condition=Q(horizon_years__gte=1, horizon_years__lte=MAX_HORIZON_YEARS),
                name="canvas_horizon_years_bounded",
            ),
            *length_limits(
                "canvas",
                title=NAME_LENGTH,
                description=TEXT_LENGTH,
                business_fit=TEXT_LENGTH,
                market_effect=TEXT_LENGTH,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @transaction.atomic
    def duplicate(self, title: str, owner: User | None = None) -> Canvas:
        """Copy the canvas with every segment, relationship and cost item under a new title,
        for ``owner`` (its own owner unless given). Its members and links are not copied.

        Goes through the canvas document, like every other copy of a block.
        """
        from relationships.document import canvas_document, create_canvas_from_document

        block = Canvas.objects.with_block().get(pk=self.pk)
        document = {**canvas_document(block), "title": title}
        return create_canvas_from_document(owner or self.owner, document)


class Segment(Ordered, LastChange):
    """A customer segment of the canvas, with what it is worth in a year."""

    canvas = models.ForeignKey(
        Canvas, on_delete=models.CASCADE, related_name="segments", verbose_name=_("canvas")
    )
    name = models.CharField(_("segment"), max_length=NAME_LENGTH)
    description = free_text(_("who they are"))
    expected_type = models.CharField(
        _("relationship they expect"),
        max_length=20,
        choices=RelationshipType.choices,
        blank=True,
        help_text=_("The kind of relationship this segment expects from you, if there is one."),
    )
    expectation = free_text(_("what they expect, in your words"))
    customer_count = models.PositiveIntegerField(
        _("estimated customers"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_CUSTOMERS)],
    )
    purchases_per_year = models.DecimalField(
        _("purchases per customer per year"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(MAX_PURCHASES_PER_YEAR)],
    )
    average_spend = models.DecimalField(
        _("average spend per purchase"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(MAX_AMOUNT)],
    )
    new_customers_per_year = models.PositiveIntegerField(
        _("expected new customers a year"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_CUSTOMERS)],
        help_text=_(
            "Optional: how many customers the acquisition relationships should win a year."
        ),
    )

    parent_field = "canvas"

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="segment_name_not_empty"),
            *length_limits(
                "segment", name=NAME_LENGTH, description=TEXT_LENGTH, expectation=TEXT_LENGTH
            ),
            models.CheckConstraint(
                condition=Q(expected_type="") | Q(expected_type__in=RelationshipType.values),
                name="segment_expected_type_known",
            ),
            models.CheckConstraint(
                condition=Q(customer_count__isnull=True) | Q(customer_count__lte=MAX_CUSTOMERS),
                name="segment_customer_count_bounded",
            ),
            models.CheckConstraint(
                condition=Q(new_customers_per_year__isnull=True)
                | Q(new_customers_per_year__lte=MAX_CUSTOMERS),
                name="segment_new_customers_per_year_bounded",
            ),
            models.CheckConstraint(
                condition=Q(purchases_per_year__isnull=True)
                | Q(purchases_per_year__gte=0, purchases_per_year__lte=MAX_PURCHASES_PER_YEAR),
                name="segment_purchases_per_year_bounded",
            ),
            models.CheckConstraint(
                condition=Q(average_spend__isnull=True)
                | Q(average_spend__gte=0, average_spend__lte=MAX_AMOUNT),
                name="segment_average_spend_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def anchor(self) -> str:
        """The id of the segment's column on a page, and of comments anchored to it."""
        return f"segment-{self.pk}"


class Relationship(Ordered, LastChange):
    """One way the venture relates to a segment: its type, form, goals and state."""

    Type = RelationshipType

    class Contact(models.TextChoices):
        DIRECT = "direct", _("Direct (face to face, phone)")
        REMOTE = "remote", _("Remote (e-mail, messaging, online)")

    class Reach(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        COLLECTIVE = "collective", _("Collective (groups)")

    class Bond(models.TextChoices):
        LONG_TERM = "long_term", _("Long-term")
        TRANSACTIONAL = "transactional", _("Transactional")

    class Goal(models.TextChoices):
        ACQUISITION = "acquisition", _("Acquisition")
        RETENTION = "retention", _("Retention")
        BOOSTING_SALES = "boosting_sales", _("Boosting sales")

    class State(models.TextChoices):
        ESTABLISHED = "established", pgettext_lazy("relationship state", "Established")
        PLANNED = "planned", pgettext_lazy("relationship state", "Planned")

    segment = models.ForeignKey(
        Segment,
        on_delete=models.CASCADE,
        related_name="relationships",
        verbose_name=_("segment"),
    )
    type = models.CharField(_("type"), max_length=20, choices=RelationshipType.choices)
    contact = models.CharField(_("contact"), max_length=10, choices=Contact.choices)
    reach = models.CharField(_("reach"), max_length=10, choices=Reach.choices)
    bond = models.CharField(_("bond"), max_length=15, choices=Bond.choices)
    goal_acquisition = models.BooleanField(_("acquisition"), default=False)
    goal_retention = models.BooleanField(_("retention"), default=False)
    goal_boosting_sales = models.BooleanField(_("boosting sales"), default=False)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    interaction = free_text(
        _("how we interact"),
        help_text=_("Format, how often, and who on your side does it."),
    )

    parent_field = "segment"

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=RelationshipType.values), name="relationship_type_known"
            ),
            models.CheckConstraint(
                condition=Q(contact__in=["direct", "remote"]), name="relationship_contact_known"
            ),
            models.CheckConstraint(
                condition=Q(reach__in=["individual", "collective"]),
                name="relationship_reach_known",
            ),
            models.CheckConstraint(
                condition=Q(bond__in=["long_term", "transactional"]),
                name="relationship_bond_known",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["established", "planned"]),
                name="relationship_state_known",
            ),
            models.CheckConstraint(
                condition=Q(goal_acquisition=True)
                | Q(goal_retention=True)
                | Q(goal_boosting_sales=True),
                name="relationship_has_a_goal",
                violation_error_message=_("Pick at least one goal."),
            ),
            *length_limits("relationship", interaction=TEXT_LENGTH),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.segment}"

    @property
    def anchor(self) -> str:
        """The id of the relationship's card on a page, and of comments anchored to it."""
        return f"relationship-{self.pk}"

    @property
    def goals(self) -> list[str]:
        """The goal values this relationship serves, in the order of ``Goal``."""
        return [g for g in GOAL_VALUES if getattr(self, f"goal_{g}")]

    @goals.setter
    def goals(self, values: list[str]) -> None:
        for goal in GOAL_VALUES:
            setattr(self, f"goal_{goal}", goal in values)

    def get_goals_display(self) -> list[str]:
        return [str(self.Goal(g).label) for g in self.goals]


# The goals' values in order, once (``Goal.values`` builds the list of them on every call).
GOAL_VALUES = tuple(Relationship.Goal.values)


class CostItem(Ordered):
    """What one relationship costs: a set-up amount, or a running one per month or year."""

    class Frequency(models.TextChoices):
        ONE_OFF = "one_off", _("One-off (set-up)")
        MONTHLY = "monthly", _("Per month")
        YEARLY = "yearly", _("Per year")

    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.CASCADE,
        related_name="cost_items",
        verbose_name=_("relationship"),
    )
    label = models.CharField(_("what it is"), max_length=NAME_LENGTH)
    amount = models.DecimalField(
        _("amount"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(MAX_AMOUNT)],
    )
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)

    parent_field = "relationship"

    class Meta:
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(label=""), name="costitem_label_not_empty"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=MAX_AMOUNT), name="costitem_amount_bounded"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["one_off", "monthly", "yearly"]),
                name="costitem_frequency_known",
            ),
            *length_limits("costitem", label=NAME_LENGTH),
        ]

    def __str__(self) -> str:
        return self.label


class Revision(models.Model):
    """One change to a block: who made it, to which card, and the canvas revision it made.

    Written by the write path (``relationships.writes``) in the change's own transaction; read
    by the live view of a canvas (``teams.live``) to tell its other readers what changed.
    """

    class Card(models.TextChoices):
        CANVAS = "", _("the venture and its answers")
        SEGMENT = "segment", _("segment")
        RELATIONSHIP = "relationship", _("relationship")

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    card = models.CharField(max_length=20, choices=Card.choices, blank=True)
    card_id = models.PositiveBigIntegerField(null=True)
    # The cost changed, when the change was to one of a relationship card's costs (None: to
    # the card itself, or before costs were told apart).
    cost_id = models.PositiveBigIntegerField(null=True)
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number", "pk"]
        indexes = [models.Index(fields=["canvas", "number"], name="revision_canvas_number")]

    def __str__(self) -> str:
        return f"{self.canvas_id} r{self.number}"
