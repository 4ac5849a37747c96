"""Classes, assignments, frozen submissions and the teacher's review of them."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from classrooms.join_codes import new_join_code
from classrooms.querysets import ClassroomQuerySet, CoTeacherQuerySet, SubmissionQuerySet
from relationships.block import Block
from relationships.models import Canvas
from teams.models import CanvasMember, Role
from teams.sharing import hand_over


class Classroom(models.Model):
    name = models.CharField(_("class"), max_length=120)
    term = models.CharField(_("term"), max_length=60, blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="taught_classes",
        verbose_name=_("teacher"),
    )
    co_teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_taught_classes",
        through="CoTeacher",
        verbose_name=_("co-teachers"),
    )
    join_code = models.CharField(_("join code"), max_length=12, unique=True, editable=False)
    joining_open = models.BooleanField(_("students can join"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="classroom_name_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.term})" if self.term else self.name

    def save(self, *args, **kwargs) -> None:
        if not self.join_code:
            self.join_code = new_join_code()
            while Classroom.objects.filter(join_code=self.join_code).exists():
                self.join_code = new_join_code()
        super().save(*args, **kwargs)

    def is_owner(self, user) -> bool:
        """Whether ``user`` owns the class (no query): only the owner picks co-teachers."""
        return user.pk == self.teacher_id

    def is_teacher(self, user) -> bool:
        return self.is_owner(user) or self.co_teachers.filter(pk=user.pk).exists()

    def has_student(self, user) -> bool:
        """Whether ``user`` is in the class now (joined, and not removed since)."""
        return self.memberships.filter(student=user, removed_at__isnull=True).exists()

    def has_removed(self, user) -> bool:
        """Whether the teacher removed ``user`` from the class (and has not let them back)."""
        return self.memberships.filter(student=user, removed_at__isnull=False).exists()

    def join(self, user) -> Membership:
        """Make ``user`` a member again or for the first time. The caller checks joining_open."""
        membership, _created = Membership.objects.update_or_create(
            classroom=self, student=user, defaults={"removed_at": None}
        )
        return membership


class CoTeacher(models.Model):
    """A teacher the class's owner added to teach it with them; they see everything its owner does.

    ``seen_at`` is when they dismissed the notice that told them; None until then. Removing a
    co-teacher, or their leaving, deletes only this row: their reviews and comments stay.
    """

    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="co_teacherships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="co_teacherships"
    )
    seen_at = models.DateTimeField(null=True, blank=True)

    objects = CoTeacherQuerySet.as_manager()

    class Meta:
        # The table of the plain many-to-many this model took over (migration 0006).
        db_table = "classrooms_classroom_co_teachers"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "user"], name="co_teacher_once_per_class")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.classroom}"

    def mark_seen(self) -> None:
        """The co-teacher read the notice: it is not shown again. One query."""
        self.seen_at = timezone.now()
        self.save(update_fields=["seen_at"])


class Membership(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["student__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "student"], name="membership_one_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.classroom}"

    @transaction.atomic
    def remove(self) -> None:
        """Take the student out of the class, and out of its team canvases they do not own
        (they stay in their teams, so that letting them back gives the canvases back)."""
        from teams.models import CanvasMember

        self.removed_at = timezone.now()
        self.save(update_fields=["removed_at"])
        CanvasMember.objects.filter(user=self.student_id, canvas__in=self._team_canvases()).delete()

    def _team_canvases(self):
        return Canvas.objects.filter(
            class_teams__assignment__classroom=self.classroom_id,
            class_teams__members__student=self.student_id,
        ).exclude(owner=self.student_id)

    def give_back_team_canvases(self) -> None:
        """After the student is let back in: editor again of their teams' canvases."""
        from teams.models import CanvasMember

        for canvas in self._team_canvases():
            CanvasMember.objects.get_or_create(
                canvas=canvas, user_id=self.student_id, defaults={"role": "editor"}
            )


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


class Team(models.Model):
    """Students who work on one canvas for a team assignment and hand it in together.

    The canvas belongs to the member who started the team (or, when a teacher forms it, to its
    first member); the others are its editors (``teams.models.CanvasMember``). A student is in
    at most one team per assignment (``TeamMember``).

    Team membership leads, canvas membership follows: joining, leaving and a teacher's moves
    change both at once (``add``, ``remove``, ``move_in``, ``move_out``). On the canvas's
    members page (``teams.views``) its owner cannot remove a teammate nor change their role
    (only a teacher takes a student out of a team), and a teammate leaving the canvas leaves
    the team. One exception, on purpose: a student removed from the class loses the canvas but
    stays in the team, so that letting them back gives it back (``Membership.remove``).
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("team name"), max_length=80)
    canvas = models.ForeignKey(
        Canvas, on_delete=models.SET_NULL, null=True, blank=True, related_name="class_teams"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="team_name_not_empty"),
            models.UniqueConstraint(fields=["assignment", "name"], name="team_name_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    @transaction.atomic
    def start(cls, assignment: Assignment, name: str, students: list) -> Team:
        """A new team of ``students`` with a new canvas owned by the first, the rest editors.

        The canvas is titled after the team and the assignment. The caller checks that none
        of them is in a team of the assignment yet (the database refuses it anyway).
        """
        owner, *others = students
        canvas = Canvas.objects.create(owner=owner, title=f"{name} · {assignment.title}"[:120])
        team = cls.objects.create(assignment=assignment, name=name, canvas=canvas)
        TeamMember.objects.create(team=team, assignment=assignment, student=owner)
        for student in others:
            team.add(student)
        return team

    @transaction.atomic
    def add(self, student) -> TeamMember:
        """Put ``student`` in the team and make them an editor of its canvas."""
        member = TeamMember.objects.create(
            team=self, assignment_id=self.assignment_id, student=student
        )
        if self.canvas_id and self.canvas.owner_id != student.pk:
            CanvasMember.objects.update_or_create(
                canvas_id=self.canvas_id, user=student, defaults={"role": Role.EDITOR}
            )
        return member

    @classmethod
    def of_canvas_member(cls, canvas_id: int, user_id: int) -> Team | None:
        """The team whose canvas ``canvas_id`` is and that ``user_id`` is in; None. One query."""
        return (
            cls.objects.select_related("assignment")
            .filter(canvas_id=canvas_id, members__student_id=user_id)
            .first()
        )

    def owns_canvas(self, student) -> bool:
        """Whether ``student`` owns the team's canvas (no query): they cannot just leave."""
        return self.canvas_id is not None and self.canvas.owner_id == student.pk

    @transaction.atomic
    def remove(self, student) -> None:
        """Take ``student`` out of the team and off its canvas (never its owner: see
        ``owns_canvas``). What the team handed in stays."""
        TeamMember.objects.filter(team=self, student=student).delete()
        if self.canvas_id and not self.owns_canvas(student):
            CanvasMember.objects.filter(canvas_id=self.canvas_id, user=student).delete()

    # --- a teacher manages the team ----------------------------------------------------------
    #
    # The team is the class's: a teacher renames it, moves students in and out and deletes it.
    # Its canvas is the team's work, so it stays with the team: a student moved out loses it,
    # even its owner (it passes to the member longest in the team, as a hand-over does). Only
    # a canvas owner who is the team's last member cannot be moved out: nobody would be left
    # to hold the canvas (delete the team instead, if it has handed nothing in).

    def why_not_move_out(self, student) -> str | None:
        """Why a teacher may not move ``student`` out of the team; None if they may. One query
        at most (loaded members are counted without one)."""
        if self.owns_canvas(student) and self.members.exclude(student=student).count() == 0:
            return gettext(
                "%(name)s owns the canvas of “%(team)s” and is its only member: move someone"
                " else into the team first, or delete the team."
            ) % {"name": student.get_username(), "team": self.name}
        return None

    @transaction.atomic
    def move_out(self, student) -> None:
        """A teacher takes ``student`` out of the team and off its canvas, which stays with the
        team: if it was theirs, it passes to the member longest in the team, and the student
        keeps no access to it. The caller asks ``why_not_move_out`` first. The team's hand-ins
        stay the team's: the student no longer reads them, but for one they handed in
        themselves."""
        if self.owns_canvas(student):
            heir = (
                self.members.exclude(student=student)
                .select_related("student")
                .order_by("joined_at", "pk")
                .first()
            )
            member, _created = CanvasMember.objects.get_or_create(
                canvas_id=self.canvas_id, user=heir.student, defaults={"role": Role.EDITOR}
            )
            hand_over(self.canvas, member)
            self.canvas.owner = heir.student
        self.remove(student)

    @transaction.atomic
    def move_in(self, student) -> Team | None:
        """A teacher puts ``student`` in this team, out of the one of the assignment they were in
        (returned; None if none). The caller asks ``why_not_move_out`` of that team first."""
        current = self.assignment.team_of(student)
        if current is not None:
            current.move_out(student)
        self.add(student)
        return current

    def why_not_delete(self, count: int | None = None) -> str | None:
        """Why a teacher may not delete the team; None if they may. One query, none if the
        caller knows ``count``, how many times it handed in.

        A team that has handed something in stays: its hand-ins, their reviews and who may read
        them hang on it. Its members can still be moved to other teams.
        """
        if count is None:
            count = self.submissions.count()
        if count:
            return ngettext(
                "“%(team)s” has handed in %(count)s time: its hand-in and its review stay with"
                " the team, so it cannot be deleted. You can still move its members to other"
                " teams.",
                "“%(team)s” has handed in %(count)s times: its hand-ins and their reviews stay"
                " with the team, so it cannot be deleted. You can still move its members to other"
                " teams.",
                count,
            ) % {"team": self.name, "count": count}
        return None

    @transaction.atomic
    def delete_for_teacher(self) -> None:
        """Delete a team that has handed nothing in (``why_not_delete``): its members are in no
        team any more. Its canvas is not deleted: it stays with its owner, shared as it was with
        the former members (the owner can take them off on its members page), so that no one's
        work is lost."""
        self.delete()


class TeamMember(models.Model):
    """A student in a team. ``assignment`` repeats the team's, so that the database keeps a
    student in one team per assignment."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_teams"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["student__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="team_member_once_per_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.team}"

    def save(self, *args, **kwargs) -> None:
        self.assignment_id = self.team.assignment_id
        super().save(*args, **kwargs)


class Submission(models.Model):
    """A frozen snapshot of a student's canvas, handed in to an assignment."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    canvas = models.ForeignKey(
        Canvas, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    # For a team assignment, the team ``student`` handed it in for: every member reads it.
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
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
