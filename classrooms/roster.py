"""An assignment's roster: a row per student and their newest submission, as the teacher reads it.

For a team assignment the dashboard has a row per team instead (its members and the team's newest
submission), then a row per student in no team; the results keep a row per student, with their
team's name and result.

The dashboard filters, counts and sorts the rows; the results (``results.py``) write them out.
Both take a fixed number of queries whatever the size of the class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
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


@dataclass
class TeamMate:
    student: AbstractBaseUser
    removed: bool  # from the class


@dataclass
class RosterRow:
    """A student of the assignment's class and their newest submission to it, if any; or, on a
    team assignment's dashboard, a team (``student`` None) and the team's newest submission."""

    student: AbstractBaseUser | None
    submission: Submission | None
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


def roster_rows(
    assignment: Assignment,
    with_rubric: bool = False,
    teams: tuple[list[Team], dict[int, Submission]] | None = None,
) -> list[RosterRow]:
    """One row per student, in username order: their newest submission (or none).

    Current students all; students removed from the class only if they handed something in.
    Two queries whatever the size of the class, three ``with_rubric`` (the rubric scores
    prefetched); the submissions' documents are not loaded.

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
    by_student = {submission.student_id: submission for submission in latest}
    team_of: dict[int, Team] = {}
    by_team: dict[int, Submission] = {}
    if assignment.team_work:
        all_teams, by_team = teams or _teams_and_submissions(assignment)
        team_of = {m.student_id: team for team in all_teams for m in team.members.all()}
    rows = []
    for membership in assignment.classroom.memberships.select_related("student"):
        team = team_of.get(membership.student_id)
        if team is not None:
            submission = by_team.get(team.pk)
        else:
            submission = by_student.get(membership.student_id)
        removed = membership.removed_at is not None
        if not (removed and submission is None):
            rows.append(RosterRow(membership.student, submission, removed, team))
    return rows


def _teams_and_submissions(assignment: Assignment) -> tuple[list[Team], dict[int, Submission]]:
    """The assignment's teams with their members, and each team's newest submission. Three
    queries."""
    teams = list(Team.objects.filter(assignment=assignment).prefetch_related("members"))
    latest = Submission.objects.filter(assignment=assignment).latest_per_team().defer("document")
    return teams, {submission.team_id: submission for submission in latest}


def team_roster_rows(assignment: Assignment) -> list[RosterRow]:
    """A team assignment's dashboard: a row per team, then one per student in no team.

    A team's row lists its members (those removed from the class marked so) and carries its
    newest submission; a team whose members were all removed shows only if it handed something
    in. Students in no team follow the rules of ``roster_rows``. Five queries whatever the
    number of teams and students.
    """
    teams, by_team = _teams_and_submissions(assignment)
    rows = roster_rows(assignment, teams=(teams, by_team))
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


@dataclass
class Roster:
    """The dashboard's rows, filtered and sorted, and how many of the whole roster have each status.

    ``status`` ("" for every one), ``late_only`` and ``sort`` (a key of ``SORT_KEYS``, "-" in
    front for high to low) are the filters and order the rows were given.
    """

    rows: list[RosterRow]
    counts: dict[str, int]
    status: str
    late_only: bool
    sort: str

    @property
    def status_choices(self) -> list[tuple[str, str, int]]:
        """Each status with its label and how many students have it, filters aside."""
        return [(key, label, self.counts[key]) for key, label in status_choices()]


def dashboard_roster(
    assignment: Assignment, status: str = "", late_only: bool = False, sort: str = "student"
) -> Roster:
    """The roster with only the rows of ``status`` (and late ones if ``late_only``), sorted.

    An unknown status shows every row, an unknown sort sorts by student. Two queries; five
    for a team assignment (a row per team, ``team_roster_rows``).
    """
    rows = team_roster_rows(assignment) if assignment.team_work else roster_rows(assignment)
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in rows:
        counts[row.status] += 1
    if status not in counts:
        status = ""
    if status:
        rows = [row for row in rows if row.status == status]
    if late_only:
        rows = [row for row in rows if row.is_late]
    if sort.removeprefix("-") not in SORT_KEYS:
        sort = "student"
    rows.sort(key=SORT_KEYS[sort.removeprefix("-")], reverse=sort.startswith("-"))
    return Roster(rows, counts, status, late_only, sort)


@dataclass
class ColumnHeading:
    label: str
    href: str
    sort_state: str  # "ascending", "descending" or "" (aria-sort), as the rows are now


def column_headings(query: QueryDict, sort: str) -> list[ColumnHeading]:
    """Each column's heading: a link that sorts by it, the other way round if it already does.

    The links keep the rest of ``query`` (the page's filters).
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
        headings.append(ColumnHeading(label, f"?{link_query.urlencode()}", state))
    return headings
