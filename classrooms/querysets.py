"""The questions asked of classes and submissions: who teaches, who may read, the review queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery

if TYPE_CHECKING:
    from classrooms.models import Assignment, Classroom, Submission


class ClassroomQuerySet(models.QuerySet):
    def for_teacher(self, user) -> ClassroomQuerySet:
        """Classes the user teaches, as owner or co-teacher."""
        return self.filter(Q(teacher=user) | Q(co_teachers=user)).distinct()

    def for_student(self, user) -> ClassroomQuerySet:
        """Classes the user is a current member of."""
        return self.filter(memberships__student=user, memberships__removed_at__isnull=True)


class CoTeacherQuerySet(models.QuerySet):
    def unseen_by(self, user) -> CoTeacherQuerySet:
        """The classes ``user`` was added to as co-teacher and has not been told about yet.

        With each class and its owner (the one who added them) in the same query.
        """
        return self.filter(user=user, seen_at__isnull=True).select_related("classroom__teacher")


class SubmissionQuerySet(models.QuerySet):
    def latest_per_student(self) -> SubmissionQuerySet:
        """Only each student's newest submission to its assignment."""
        newest = (
            self.model.objects.filter(
                assignment=OuterRef("assignment"), student=OuterRef("student")
            )
            .order_by("-submitted_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=Subquery(newest))

    def latest_per_team(self) -> SubmissionQuerySet:
        """Only each team's newest submission to its assignment (team submissions only)."""
        newest = (
            self.model.objects.filter(team=OuterRef("team"))
            .order_by("-submitted_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(team__isnull=False, pk=Subquery(newest))

    def of_student(self, user) -> SubmissionQuerySet:
        """The submissions ``user`` handed in, and those of the teams they are in."""
        from classrooms.models import TeamMember

        teams = TeamMember.objects.filter(student=user).values("team")
        return self.filter(Q(student=user) | Q(team__in=teams))

    def readable_by(self, user) -> SubmissionQuerySet:
        """Submissions ``user`` may read: their own, their teams', and those of the classes
        they teach."""
        from classrooms.models import Classroom, TeamMember

        teams = TeamMember.objects.filter(student=user).values("team")
        return self.filter(
            Q(student=user)
            | Q(team__in=teams)
            | Q(assignment__classroom__in=Classroom.objects.for_teacher(user))
        )

    def newest_of_each_student(self, classroom: Classroom) -> list[Submission]:
        """Each student's newest submission to any of the class's assignments. One query."""
        newest: dict[int, Submission] = {}
        latest = (
            self.filter(assignment__classroom=classroom)
            .latest_per_student()
            .order_by("student_id", "-submitted_at")
        )
        for submission in latest:
            newest.setdefault(submission.student_id, submission)
        return list(newest.values())

    def waiting_for_review(self, assignment: Assignment) -> SubmissionQuerySet:
        """The review queue: each current student's newest submission still waiting for a verdict.

        In the order they were handed in (``submitted_at``, then ``pk``), the document deferred.
        Students removed from the class are not in it, even if they handed something in. A team
        is in it once: with its newest submission, whoever of its members handed it in.
        """
        newer_of_team = self.model.objects.filter(
            team=OuterRef("team"), submitted_at__gt=OuterRef("submitted_at")
        )
        return (
            self.exclude(Exists(newer_of_team))
            .filter(
                assignment=assignment,
                status=self.model.Status.SUBMITTED,
                student__memberships__classroom=assignment.classroom_id,
                student__memberships__removed_at__isnull=True,
            )
            .latest_per_student()
            .defer("document")
            .order_by("submitted_at", "pk")
        )

    def next_after(self, submission: Submission | None = None) -> Submission | None:
        """The one handed in next after ``submission`` (the first if None), or None if no other.

        After the last comes the first again, so that a teacher who skips a submission goes
        round the whole queue and never back and forth between two. One or two queries.
        """
        queue = self.order_by("submitted_at", "pk")
        if submission is None:
            return queue.first()
        later = queue.filter(
            Q(submitted_at__gt=submission.submitted_at)
            | Q(submitted_at=submission.submitted_at, pk__gt=submission.pk)
        )
        return later.first() or queue.exclude(pk=submission.pk).first()

    def with_seen_by(self, reader) -> SubmissionQuerySet:
        """Each with ``reader_seen_at``: when ``reader`` last opened its feedback (None: never),
        which ``Submission.has_unread_feedback`` reads. A subquery: no query of its own."""
        from classrooms.models import FeedbackSeen

        seen = FeedbackSeen.objects.filter(submission=OuterRef("pk"), student=reader)
        return self.annotate(reader_seen_at=Subquery(seen.values("seen_at")[:1]))

    def with_unread_feedback(self, student) -> SubmissionQuerySet:
        """The student's (and their teams') submissions with feedback they have not opened
        since it last changed: a teammate's reading it does not count."""
        from classrooms.models import FeedbackSeen

        seen_since = FeedbackSeen.objects.filter(
            submission=OuterRef("pk"),
            student=student,
            seen_at__gte=OuterRef("feedback_updated_at"),
        )
        return (
            self.of_student(student)
            .filter(feedback_updated_at__isnull=False)
            .exclude(Exists(seen_since))
        )
