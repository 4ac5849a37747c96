"""Teams of a team assignment: who works on one canvas and hands it in together."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from relationships.base import NAME_LENGTH
from relationships.models import Canvas
from relationships.writes import change_block
from teams.models import CanvasMember, Role
from teams.sharing import hand_over

if TYPE_CHECKING:
    from classrooms.models.assignments import Assignment


class Team(models.Model):
    """Students who work on one canvas for a team assignment and hand it in together.

    The canvas belongs to the member who started the team (or, when a teacher forms it, to its
    first member); the others are its editors (``teams.models.CanvasMember``). A student is in
    at most one team per assignment (``TeamMember``).

    Team membership leads, canvas membership follows: joining, leaving and a teacher's moves
    change both at once (``add``, ``remove``, ``move_in``, ``move_out``). On the canvas's
    members page (``teams.views.members``) its owner cannot remove a teammate nor change their role
    (only a teacher takes a student out of a team), and a teammate leaving the canvas leaves
    the team. One exception, on purpose: a student removed from the class loses the canvas but
    stays in the team, so that letting them back gives it back (``Membership.remove``).
    """

    assignment = models.ForeignKey(
        "classrooms.Assignment", on_delete=models.CASCADE, related_name="teams"
    )
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
        canvas = Canvas.objects.create(owner=owner, title=canvas_title(name, assignment.title))
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

    @transaction.atomic
    def rename(self, name: str) -> bool:
        """Call the team ``name``; its canvas follows, if its title still bears the old name.

        The title the team got (``canvas_title``) becomes the one of the new name; a title the
        students wrote themselves keeps their words, with the old name, where it stands as a
        word of its own, replaced by the new one; a title without the old name stays as it is.
        The canvas changes through the write path (its revision moves on, so its PDF and the
        open editors follow). Returns whether the canvas's title changed.
        """
        old, self.name = self.name, name
        self.save(update_fields=["name"])
        if self.canvas_id is None:
            return False
        current = self.canvas.title
        title = retitled(current, old, name, self.assignment.title)
        if title == current:
            return False

        def write() -> bool:  # unless a member retitled it meanwhile: theirs then stands
            return bool(
                Canvas.objects.filter(pk=self.canvas_id, title=current).update(
                    title=title, version=F("version") + 1
                )
            )

        if change_block(self.canvas_id, write) is None:
            return False
        self.canvas.title = title
        return True

    # --- a teacher manages the team ----------------------------------------------------------
    #
    # The team is the class's: a teacher renames it, moves students in and out and deletes it.
    # Its canvas is the team's work, so it stays with the team: a student moved out loses it,
    # even its owner (it passes to the member longest in the team, as a hand-over does). Only
    # a canvas owner who is the team's last member cannot be moved out: nobody would be left
    # to hold the canvas (delete the team instead, if it has handed nothing in).

    def why_not_move_out(self, student, handed_in: int | None = None) -> str | None:
        """Why a teacher may not move ``student`` out of the team; None if they may. One query
        at most (loaded members are counted without one), and one more for a refusal unless
        the caller knows ``handed_in``, how many times the team handed in: a team that has
        handed in cannot be deleted (``why_not_delete``), so the refusal does not offer it."""
        if self.owns_canvas(student) and self.members.exclude(student=student).count() == 0:
            if handed_in is None:
                handed_in = self.submissions.count()
            if handed_in:
                text = gettext(
                    "%(name)s owns the canvas of “%(team)s” and is its only member: move someone"
                    " else into the team first."
                )
            else:
                text = gettext(
                    "%(name)s owns the canvas of “%(team)s” and is its only member: move someone"
                    " else into the team first, or delete the team."
                )
            return text % {"name": student.get_username(), "team": self.name}
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


def canvas_title(team_name: str, assignment_title: str) -> str:
    """The title a team's canvas starts with: the team's name and the assignment's."""
    return f"{team_name} · {assignment_title}"[:NAME_LENGTH]


def retitled(title: str, old: str, new: str, assignment_title: str) -> str:
    """``title`` of a team's canvas after the team ``old`` is renamed ``new`` (``Team.rename``)."""
    if title == canvas_title(old, assignment_title):
        return canvas_title(new, assignment_title)
    # The old name as a word of its own: renaming "Owl" leaves "Owls" and "Bowl" alone.
    word = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)")
    return word.sub(lambda _match: new, title, count=1)[:NAME_LENGTH]


class TeamMember(models.Model):
    """A student in a team. ``assignment`` repeats the team's, so that the database keeps a
    student in one team per assignment."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    assignment = models.ForeignKey(
        "classrooms.Assignment", on_delete=models.CASCADE, related_name="+"
    )
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
