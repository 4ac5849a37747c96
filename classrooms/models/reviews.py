"""What a student hands in and the teacher's review of it: the frozen submission, who has read
its feedback, comments, the rubric, and the teacher's comment bank."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classrooms.querysets import SubmissionQuerySet
from relationships.block import Block
from relationships.models import Canvas


class Submission(models.Model):
    """A frozen snapshot of a student's canvas, handed in to an assignment."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")

    assignment = models.ForeignKey(
        "classrooms.Assignment", on_delete=models.CASCADE, related_name="submissions"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    canvas = models.ForeignKey(
        Canvas, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    # For a team assignment, the team ``student`` handed it in for: every member reads it.
    team = models.ForeignKey(
        "classrooms.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
    )
    document = models.JSONField()
    submitted_at = models.DateTimeField(default=timezone.now)
    is_late = models.BooleanField(default=False)
    # A summary of the frozen document, written once, for the dashboard.
    completeness_score = models.PositiveSmallIntegerField(default=0)
    segment_count = models.PositiveIntegerField(default=0)
    relationship_count = models.PositiveIntegerField(default=0)
    # Twenty digits: a canvas may have any number of costs of up to 99,999,999.99 a month.
    # How many warnings of the viability rules its segments got; None for hand-ins from before.
    viability_warnings = models.PositiveSmallIntegerField(null=True, blank=True)
    yearly_cost = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="EUR")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    verdict_summary = models.TextField(_("summary for the student"), max_length=4000, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When what the feedback page shows last changed: a verdict, a comment the student can
    # read, the rubric. When each reader last opened it is theirs alone (``FeedbackSeen``).
    feedback_updated_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "changes_requested", "approved"]),
                name="submission_status_known",
            )
        ]
        indexes = [models.Index(fields=["assignment", "student", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.assignment}"

    @cached_property
    def block(self) -> Block:
        """The frozen block, read exactly like a live one (no query)."""
        return Block.from_document(self.document)

    def set_verdict(self, status: str, summary: str, reviewer) -> None:
        self.status = status
        self.verdict_summary = summary
        self.reviewed_at = self.feedback_updated_at = timezone.now()
        self.reviewed_by = reviewer
        self.save(
            update_fields=[
                "status",
                "verdict_summary",
                "reviewed_at",
                "reviewed_by",
                "feedback_updated_at",
            ]
        )

    def feedback_changed(self) -> None:
        """Something the student can read changed: their feedback badge lights up again."""
        self.feedback_updated_at = timezone.now()
        Submission.objects.filter(pk=self.pk).update(feedback_updated_at=self.feedback_updated_at)

    def previous_reviewed(self) -> Submission | None:
        """The student's (for a team's submission, the team's) last reviewed submission to the
        same assignment before this one."""
        whose = {"team_id": self.team_id} if self.team_id else {"student_id": self.student_id}
        return (
            Submission.objects.filter(
                assignment_id=self.assignment_id,
                **whose,
                reviewed_at__isnull=False,
                submitted_at__lt=self.submitted_at,
            )
            .order_by("-submitted_at")
            .first()
        )

    @property
    def has_unread_feedback(self) -> bool:
        """Whether the reader it was loaded for has not opened its feedback since it changed.

        Needs ``reader_seen_at`` (``SubmissionQuerySet.with_seen_by``) once there is feedback:
        without it, an ``AttributeError`` rather than a guess about whose badge it is.
        """
        if self.feedback_updated_at is None:
            return False
        seen = self.reader_seen_at
        return seen is None or seen < self.feedback_updated_at

    def mark_feedback_seen(self, reader) -> None:
        """``reader`` opened the feedback now: their badge goes, a teammate's stays. One query."""
        FeedbackSeen.objects.bulk_create(
            [FeedbackSeen(submission=self, student=reader, seen_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["submission", "student"],
            update_fields=["seen_at"],
        )


class FeedbackSeen(models.Model):
    """When one reader of a submission last opened its feedback page.

    One row per submission and student: the student who handed it in, or each member of the
    team it was handed in for, so that one member reading the feedback leaves the "new feedback"
    badge on for the others until they read it too. No row: never opened.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="seen_by")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "student"], name="feedback_seen_once_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.submission_id} · {self.seen_at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    """A remark on a submission, on the whole canvas or anchored to one row: a teacher's, or
    the student's answer. A teacher marks it resolved when a later hand-in deals with it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # "" for the whole canvas, else "segment-<id>" or "relationship-<id>" of the snapshot.
    anchor = models.CharField(max_length=40, blank=True)
    body = models.TextField(_("comment"), max_length=4000)
    is_private = models.BooleanField(_("private note (only teachers see it)"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_not_empty")]

    def __str__(self) -> str:
        return self.body[:60]


class RubricScore(models.Model):
    """One criterion of the rubric, scored on a submission: a level and a remark."""

    class Criterion(models.TextChoices):
        EXPECTATIONS = "expectations", _("Knows what each segment expects")
        ESTABLISHED = "established", _("Tells established from planned relationships")
        COSTS = "costs", _("Quantifies set-up and running costs")
        INTEGRATION = "integration", _("Fits the rest of the business model")
        INTERACTION = "interaction", _("Says how, how often and who interacts")
        MARKET_EFFECT = "market_effect", _("States the effect wanted on the market")

    class Level(models.IntegerChoices):
        BEGINNING = 1, _("Beginning")
        DEVELOPING = 2, _("Developing")
        PROFICIENT = 3, _("Proficient")
        EXEMPLARY = 4, _("Exemplary")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="rubric_scores"
    )
    criterion = models.CharField(max_length=20, choices=Criterion.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "criterion"], name="rubric_one_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="rubric_level_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"


class SavedComment(models.Model):
    """A remark a teacher makes often, kept in their comment bank."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_comments"
    )
    text = models.CharField(_("remark"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "text"], name="saved_comment_unique")
        ]

    def __str__(self) -> str:
        return self.text[:60]
