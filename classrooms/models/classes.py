"""Classes and who is in them: the class, its co-teachers, its students."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classrooms.join_codes import new_join_code
from classrooms.querysets import ClassroomQuerySet, CoTeacherQuerySet
from relationships.models import Canvas


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
