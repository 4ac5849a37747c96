"""Assignments: what a class hands in, and by when."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classrooms.models.classes import Classroom
from classrooms.models.reviews import Submission
from classrooms.models.teams import Team
from relationships.block import Block
from relationships.models import Canvas


class Assignment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(_("title"), max_length=160)
    instructions = models.TextField(_("instructions"), max_length=4000, blank=True)
    due_at = models.DateTimeField(_("due"))
    team_work = models.BooleanField(
        _("team assignment"),
        default=False,
        help_text=_("Students hand in one canvas per team, and every member sees the feedback."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="assignment_title_not_empty")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past_due(self) -> bool:
        """Whether a hand-in now would be marked late."""
        return timezone.now() > self.due_at

    def team_of(self, student) -> Team | None:
        """The team ``student`` is in for this assignment, with its canvas; None. One query."""
        return (
            Team.objects.select_related("canvas")
            .filter(assignment=self, members__student=student)
            .first()
        )

    @transaction.atomic
    def submit(self, student, canvas: Canvas, team: Team | None = None) -> Submission:
        """Freeze ``canvas`` as it is now into a new submission by ``student`` (for ``team``)."""
        block = Block.load(canvas.pk)
        now = timezone.now()
        return Submission.objects.create(
            assignment=self,
            student=student,
            team=team,
            canvas=canvas,
            document=block.document,
            submitted_at=now,
            is_late=now > self.due_at,
            completeness_score=block.completeness.score,
            segment_count=len(block.segments),
            relationship_count=len(block.relationships),
            yearly_cost=block.yearly_cost,
            currency=block.currency,
            viability_warnings=sum(len(v.broken) for v in block.viabilities.values()),
        )

    def mark_late_submissions(self) -> tuple[int, int]:
        """Mark late exactly the submissions handed in after ``due_at``. Four queries.

        ``is_late`` is written at hand-in; after the due date moves, this makes it follow the new
        one, for every submission (older ones too). Returns how many newest submissions became
        late and how many became on time: the rows of the dashboard that changed. On a team
        assignment that is a count of teams (each team's newest hand-in, whichever member handed
        it in), with a student who handed in alone, before it was team work, as a team of one.
        """
        submissions = Submission.objects.filter(assignment=self)
        now_late = submissions.filter(submitted_at__gt=self.due_at, is_late=False)
        now_on_time = submissions.filter(submitted_at__lte=self.due_at, is_late=True)
        counts = (self._changed_rows(now_late), self._changed_rows(now_on_time))
        now_late.update(is_late=True)
        now_on_time.update(is_late=False)
        return counts

    def _changed_rows(self, submissions) -> int:
        """How many rows of the dashboard ``submissions`` are the newest of. One query."""
        if not self.team_work:
            return submissions.latest_per_student().count()
        of_teams = submissions.latest_per_team().values("pk")
        alone = submissions.filter(team__isnull=True).latest_per_student().values("pk")
        return submissions.filter(Q(pk__in=of_teams) | Q(pk__in=alone)).count()
