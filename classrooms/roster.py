"""An assignment's roster: a row per student and their newest submission, as the teacher reads it.

For a team assignment the dashboard has a row per team instead (its members and the team's newest
submission), then a row per student in no team; the results keep a row per student, with their
team's name and result.

The dashboard filters, counts, sorts and pages the rows; the results (``results.py``) write them
out. Both take a fixed number of queries whatever the size of the class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classrooms.models import Assignment, Classroom, Membership, Submission, Team

STATUS_NOT_SUBMITTED = "not_submitted"
# The way a submission goes: sorting by status follows it, not the alphabet.
STATUS_ORDER = [STATUS_NOT_SUBMITTED, *Submission.Status.values]


def status_choices() -> list[tuple[str, str]]:
    """Every status a row can have, with its label: "not submitted" first, then the way on."""
    return [(STATUS_NOT_SUBMITTED, _("Not submitted")), *Submission.Status.choices]


@dataclass(frozen=True, slots=True)
class SubmissionSummary:
    """What the dashboard shows of a submission, read from its row alone (``values_list``):
    a fraction of the time of a ``Submission``, which a class of 1,000 students notices."""

    pk: int
    student_id: int
    team_id: int | None
    status: str
    is_late: bool
    completeness_score: int
    segment_count: int
    relationship_count: int
    yearly_cost: Decimal
    currency: str
    viability_warnings: int | None
    submitted_at: datetime

    def get_status_display(self) -> str:
        return Submission.Status(self.status).label


SUMMARY_FIELDS = list(SubmissionSummary.__dataclass_fields__)


def summaries(submissions) -> list[SubmissionSummary]:
    """Each submission of the queryset as a ``SubmissionSummary``: the same one query."""
    return [SubmissionSummary(*values) for values in submissions.values_list(*SUMMARY_FIELDS)]


@dataclass(frozen=True, slots=True)
class StudentName:
    """What the dashboard shows of a student: who they are, not their account."""

    pk: int
    username: str

    def get_username(self) -> str:
        return self.username


@dataclass
class TeamMate:
    student: AbstractBaseUser | StudentName
    removed: bool  # from the class


@dataclass
class RosterRow:
    """A student of the assignment's class and their newest submission to it, if any; or, on a
    team assignment's dashboard, a team (``student`` None) and the team's newest submission."""

    student: AbstractBaseUser | StudentName | None
    submission: Submission | SubmissionSummary | None
    # Removed from the class: listed only because what they handed in stays with the teacher.
    removed: bool = False
    team: Team | None = None
    members: list[TeamMate] = field(default_factory=list)  # of ``team``, on the dashboard

    @property
    def name(self) -> str:
        return self.team.name if self.student is None else self.student.get_username()

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else STATUS_NOT_SUBMITTED

    @property
    def is_late(self) -> bool:
        return bool(self.submission and self.submission.is_late)

    def shown(self) -> tuple:
        """All the dashboard's row shows (its kept table's key reads it): the name, the
        submission's summary (every field of it), the team and each member as listed."""
        team = (self.team.pk, self.team.name) if self.team else None
        mates = [(mate.student.get_username(), mate.removed) for mate in self.members]
        return (self.name, self.student is None, self.removed, repr(self.submission), team, mates)


def roster_rows(
    assignment: Assignment,
    with_rubric: bool = False,
    teams: tuple[list[Team], dict[int, Submission]] | None = None,
    summary: bool = False,
) -> list[RosterRow]:
    """One row per student, in username order: their newest submission (or none).

    Current students all; students removed from the class only if they handed something in.
    Two queries whatever the size of the class, three ``with_rubric`` (the rubric scores
    prefetched); the submissions' documents are not loaded. With ``summary``, what the
    dashboard shows and no more: each submission a ``SubmissionSummary``, each student a
    ``StudentName``.

    On a team assignment, a team's member gets the team's newest submission, and the row its
    ``team``: three more queries (the teams, their members, their submissions), none if
    ``teams`` brings them (``_teams_and_submissions``).
    """
    latest = Submission.objects.filter(assignment=assignment).defer("document")
    if assignment.team_work:
        latest = latest.filter(team__isnull=True)
    latest = latest.latest_per_student()
    if with_rubric:
        latest = latest.prefetch_related("rubric_scores")
    latest = summaries(latest) if summary else latest
    by_student = {submission.student_id: submission for submission in latest}
    team_of: dict[int, Team] = {}
    by_team: dict[int, Submission | SubmissionSummary] = {}
    if assignment.team_work:
        all_teams, by_team = teams or _teams_and_submissions(assignment, summary)
        team_of = {m.student_id: team for team in all_teams for m in team.members.all()}
    memberships = assignment.classroom.memberships
    if summary:
        members = (
            (StudentName(pk, username), removed_at is not None)
            for pk, username, removed_at in memberships.values_list(
                "student_id", "student__username", "removed_at"
            )
        )
    else:
        members = (
            (membership.student, membership.removed_at is not None)
            for membership in memberships.select_related("student")
        )
    rows = []
    for student, removed in members:
        team = team_of.get(student.pk)
        submission = by_team.get(team.pk) if team is not None else by_student.get(student.pk)
        if not (removed and submission is None):
            rows.append(RosterRow(student, submission, removed, team))
    return rows


def _teams_and_submissions(
    assignment: Assignment, summary: bool = False
) -> tuple[list[Team], dict[int, Submission | SubmissionSummary]]:
    """The assignment's teams with their members, and each team's newest submission (as a
    ``SubmissionSummary`` with ``summary``). Three queries."""
    teams = list(Team.objects.filter(assignment=assignment).prefetch_related("members"))
    latest = Submission.objects.filter(assignment=assignment).latest_per_team().defer("document")
    latest = summaries(latest) if summary else latest
    return teams, {submission.team_id: submission for submission in latest}


def team_roster_rows(assignment: Assignment, summary: bool = False) -> list[RosterRow]:
    """A team assignment's dashboard: a row per team, then one per student in no team.

    A team's row lists its members (those removed from the class marked so) and carries its
    newest submission; a team whose members were all removed shows only if it handed something
    in. Students in no team follow the rules of ``roster_rows`` (and so does ``summary``). Five
    queries whatever the number of teams and students.
    """
    teams, by_team = _teams_and_submissions(assignment, summary)
    rows = roster_rows(assignment, teams=(teams, by_team), summary=summary)
    removed = {row.student.pk for row in rows if row.removed}
    listed = {row.student.pk for row in rows}
    students = {row.student.pk: row.student for row in rows}
    team_rows = []
    for team in teams:
        members = [
            TeamMate(students[m.student_id], m.student_id in removed)
            for m in team.members.all()
            if m.student_id in listed
        ]
        submission = by_team.get(team.pk)
        if submission is None and members and all(mate.removed for mate in members):
            continue
        team_rows.append(RosterRow(None, submission, False, team, members))
    return team_rows + [row for row in rows if row.team is None]


def class_members(classroom: Classroom) -> tuple[list[Membership], list[Membership]]:
    """The class's current members and those removed from it, each by username. One query."""
    memberships = list(classroom.memberships.select_related("student"))
    return (
        [m for m in memberships if m.removed_at is None],
        [m for m in memberships if m.removed_at is not None],
    )


# --- the dashboard -------------------------------------------------------------------------


def _submitted(attribute: str, missing=-1) -> Callable[[RosterRow], object]:
    return lambda row: getattr(row.submission, attribute) if row.submission else missing


SORT_KEYS: dict[str, Callable[[RosterRow], object]] = {
    "student": lambda row: (row.student is not None, row.name.lower()),
    "status": lambda row: STATUS_ORDER.index(row.status),
    "score": _submitted("completeness_score"),
    "segments": _submitted("segment_count"),
    "relationships": _submitted("relationship_count"),
    "cost": _submitted("yearly_cost"),
    "warnings": lambda row: (row.submission.viability_warnings or 0) if row.submission else -1,
    "late": _submitted("is_late"),
    "submitted": lambda row: row.submission.submitted_at.timestamp() if row.submission else 0,
}
# The dashboard's columns: label, sort key, whether the first click sorts high to low.
COLUMNS = [
    (gettext_lazy("Student"), "student", False),
    (gettext_lazy("Status"), "status", False),
    (gettext_lazy("Late"), "late", True),
    (gettext_lazy("Complete"), "score", True),
    (gettext_lazy("Segments"), "segments", True),
    (gettext_lazy("Relationships"), "relationships", True),
    (gettext_lazy("Cost per year"), "cost", True),
    (gettext_lazy("Viability warnings"), "warnings", True),
    (gettext_lazy("Last change"), "submitted", True),
]


# The rows a page of the dashboard shows: a class of 200 fits on one, and a page of a bigger one
# takes the same time to show however big the class.
PAGE_SIZE = 200


@dataclass
class Roster:
    """A page of the dashboard's rows, filtered and sorted, and how many of the whole roster have
    each status.

    ``status`` ("" for every one), ``late_only``, ``name`` (part of a name; "" for any) and
    ``sort`` (a key of ``SORT_KEYS``, "-" in front for high to low) are the filters and order the
    rows were given; ``page`` is the page of them that ``rows`` holds.
    """

    rows: list[RosterRow]
    counts: dict[str, int]
    status: str
    late_only: bool
    sort: str
    page: Page
    name: str = ""

    @property
    def filtered(self) -> bool:
        """Whether the rows were filtered: an empty page then says nobody matches."""
        return bool(self.status or self.late_only or self.name)

    @property
    def status_choices(self) -> list[tuple[str, str, int]]:
        """Each status with its label and how many students have it, filters aside."""
        return [(key, label, self.counts[key]) for key, label in status_choices()]


def _named(row: RosterRow, name: str) -> bool:
    """Whether ``name`` (casefolded) is part of the row's name or, for a team, of a member's."""
    names = [row.name, *(mate.student.get_username() for mate in row.members)]
    return any(name in candidate.casefold() for candidate in names)


def dashboard_roster(
    assignment: Assignment,
    status: str = "",
    late_only: bool = False,
    sort: str = "student",
    page: int | str = 1,
    name: str = "",
) -> Roster:
    """The ``page`` of the roster with only the rows of ``status`` (and late ones if
    ``late_only``, and those with ``name`` in their name), sorted.

    An unknown status shows every row, an unknown sort sorts by student, a page that is not one
    shows the first (or the last, past the end). Two queries; five for a team assignment (a row
    per team, ``team_roster_rows``). Every row of the class is read (the counts and the order
    need them all), but only as ``SubmissionSummary`` and ``StudentName``.
    """
    if assignment.team_work:
        rows = team_roster_rows(assignment, summary=True)
    else:
        rows = roster_rows(assignment, summary=True)
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in rows:
        counts[row.status] += 1
    if status not in counts:
        status = ""
    if status:
        rows = [row for row in rows if row.status == status]
    if late_only:
        rows = [row for row in rows if row.is_late]
    name = " ".join(name.split())
    if name:
        rows = [row for row in rows if _named(row, name.casefold())]
    if sort.removeprefix("-") not in SORT_KEYS:
        sort = "student"
    rows.sort(key=SORT_KEYS[sort.removeprefix("-")], reverse=sort.startswith("-"))
    shown = Paginator(rows, PAGE_SIZE).get_page(page)
    return Roster(list(shown), counts, status, late_only, sort, shown, name)


@dataclass
class PageLinks:
    """The way between the dashboard's pages: links that keep its filters and order."""

    page: Page
    previous_href: str = ""
    next_href: str = ""


def page_links(query: QueryDict, page: Page) -> PageLinks:
    """Links to the pages before and after ``page`` ("" where there is none), with ``query``."""

    def href(number: int) -> str:
        link_query = query.copy()
        link_query["page"] = str(number)
        return f"?{link_query.urlencode()}"

    return PageLinks(
        page,
        href(page.previous_page_number()) if page.has_previous() else "",
        href(page.next_page_number()) if page.has_next() else "",
    )


@dataclass
class ColumnHeading:
    label: str
    href: str
    sort_state: str  # "ascending", "descending" or "" (aria-sort), as the rows are now


def column_headings(query: QueryDict, sort: str) -> list[ColumnHeading]:
    """Each column's heading: a link that sorts by it, the other way round if it already does.

    The links keep the rest of ``query`` (the page's filters) but its page number: sorted
    anew, the rows start again from the first page.
    """
    headings = []
    for label, key, descending_first in COLUMNS:
        if sort == key:
            next_sort, state = f"-{key}", "ascending"
        elif sort == f"-{key}":
            next_sort, state = key, "descending"
        else:
            next_sort, state = f"-{key}" if descending_first else key, ""
        link_query = query.copy()
        link_query["sort"] = next_sort
        link_query.pop("page", None)
        headings.append(ColumnHeading(label, f"?{link_query.urlencode()}", state))
    return headings
