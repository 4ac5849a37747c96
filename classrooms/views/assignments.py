"""Views of an assignment: the teacher's dashboard, results and edit page, handing in, the
review queue."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_http_methods,
    require_safe,
)

from classrooms.forms import (
    AssignmentForm,
    SubmitForm,
    TeamForm,
)
from classrooms.models import (
    Assignment,
    Submission,
)
from classrooms.results import (
    XLSX_CONTENT_TYPE,
    results_table,
    results_xlsx,
    write_results_csv,
)
from classrooms.roster import column_headings, dashboard_roster, page_links
from classrooms.views.base import (
    _get_assignment_for_teacher,
)
from classrooms.views.classes import _class_for_student
from relationships.block import Block
from relationships.cards import Kept, content_key, kept, render_kept
from relationships.views.base import HtmxHttpRequest

# --- assignments ----------------------------------------------------------------------------


@require_safe
def assignment_dashboard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Teachers: a row per student (per team on a team assignment), ``roster.PAGE_SIZE`` rows at a
    time. Its students go to the class page, where they hand in."""
    assignment = get_object_or_404(Assignment.objects.select_related("classroom"), pk=pk)
    if not assignment.classroom.is_teacher(request.user):
        if not assignment.classroom.has_student(request.user):
            raise Http404
        return redirect(
            f"{reverse('class_detail', args=[assignment.classroom_id])}#assignment-{pk}"
        )
    roster = dashboard_roster(
        assignment,
        status=request.GET.get("status", ""),
        late_only=request.GET.get("late") == "1",
        sort=request.GET.get("sort", "student"),
        page=request.GET.get("page", 1),
        name=request.GET.get("name", ""),
    )
    columns = column_headings(request.GET, roster.sort)
    return render(
        request,
        "classrooms/dashboard.html",
        {
            "assignment": assignment,
            "classroom": assignment.classroom,
            "roster": roster,
            "roster_table": _roster_table(request, assignment, roster, columns),
            "columns": columns,
            "pages": page_links(request.GET, roster.page),
            "team_form": (
                TeamForm(assignment=assignment, pick_students=True)
                if assignment.team_work
                else None
            ),
        },
    )


def _roster_table(request, assignment: Assignment, roster, columns) -> str:
    """The dashboard's table as drawn last for exactly these rows, headings and language
    (``relationships.cards``: kept by a hash of all it shows); drawn now if it was not."""
    headings = [(str(column.label), column.href, column.sort_state) for column in columns]
    rows = [row.shown() for row in roster.rows]
    key = content_key("dashboard-table", assignment.pk, assignment.team_work, headings, rows)
    context = {"assignment": assignment, "roster": roster, "columns": columns}

    def draw() -> Kept:
        return render_kept("classrooms/dashboard.html#roster-table", context)

    return kept(key, draw).served("")


@require_safe
def assignment_results_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The assignment's results as a CSV for the reader's spreadsheet: a row per student."""
    assignment = _get_assignment_for_teacher(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(assignment, "csv")
    write_results_csv(response, results_table(assignment))
    return response


@require_safe
def assignment_results_xlsx(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The assignment's results as an .xlsx workbook: numbers as numbers, dates as dates."""
    assignment = _get_assignment_for_teacher(request, pk)
    response = HttpResponse(results_xlsx(results_table(assignment)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(assignment, "xlsx")
    return response


def _attachment(assignment: Assignment, extension: str) -> str:
    filename = f"results-{assignment.pk}-{timezone.localdate():%Y-%m-%d}.{extension}"
    return f'attachment; filename="{filename}"'


@require_http_methods(["GET", "POST"])
def assignment_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Teachers: change an assignment's title, instructions and due date.

    The same form and checks as creating one. A new due date re-marks which submissions are
    late (``Assignment.mark_late_submissions``), and the message after saving says how many
    changed.
    """
    assignment = _get_assignment_for_teacher(request, pk)
    # The form works on a copy: a refused POST leaves the page's title and breadcrumb as saved.
    form = AssignmentForm(request.POST or None, instance=copy.copy(assignment))
    form.fields["instructions"].widget.attrs["rows"] = 6  # room to reread what is there
    form.fields["due_at"].help_text = _(
        "Whatever was handed in after this date is marked late, and whatever came before it is"
        " on time: also what is already handed in."
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            now_late, now_on_time = saved.mark_late_submissions()
        if saved.team_work:
            messages.success(request, _saved_message_of_teams(now_late, now_on_time))
        else:
            messages.success(request, _saved_message(now_late, now_on_time))
        return redirect("assignment_dashboard", pk=pk)
    return render(
        request,
        "classrooms/assignment_edit.html",
        {"assignment": assignment, "classroom": assignment.classroom, "form": form},
    )


def _saved_message(now_late: int, now_on_time: int) -> str:
    parts = [_("The assignment is saved.")]
    if now_late:
        parts.append(
            ngettext(
                "With the new due date, %(count)s hand-in is now marked late.",
                "With the new due date, %(count)s hand-ins are now marked late.",
                now_late,
            )
            % {"count": now_late}
        )
    if now_on_time:
        parts.append(
            ngettext(
                "With the new due date, %(count)s hand-in is no longer late.",
                "With the new due date, %(count)s hand-ins are no longer late.",
                now_on_time,
            )
            % {"count": now_on_time}
        )
    return " ".join(parts)


def _saved_message_of_teams(now_late: int, now_on_time: int) -> str:
    """As ``_saved_message``, for a team assignment: the dashboard's rows are teams."""
    parts = [_("The assignment is saved.")]
    if now_late:
        parts.append(
            ngettext(
                "With the new due date, the hand-in of %(count)s team is now marked late.",
                "With the new due date, the hand-ins of %(count)s teams are now marked late.",
                now_late,
            )
            % {"count": now_late}
        )
    if now_on_time:
        parts.append(
            ngettext(
                "With the new due date, the hand-in of %(count)s team is no longer late.",
                "With the new due date, the hand-ins of %(count)s teams are no longer late.",
                now_on_time,
            )
            % {"count": now_on_time}
        )
    return " ".join(parts)


@require_http_methods(["GET", "POST"])
def assignment_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: what handing this canvas in would give the teacher, to confirm; POST: hand it in."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("classroom"),
        pk=pk,
        classroom__memberships__student=request.user,
        classroom__memberships__removed_at__isnull=True,
    )
    back = f"{reverse('class_detail', args=[assignment.classroom_id])}#assignment-{pk}"
    team = None
    if assignment.team_work:  # the team's canvas, whoever of its members hands it in
        team = assignment.team_of(request.user)
        if team is None:
            messages.error(request, _("Start or join a team first: a team hands in its canvas."))
            return redirect(back)
        if team.canvas is None:  # its owner deleted it
            messages.error(request, _("Your team's canvas was deleted: ask your teacher for help."))
            return redirect(back)
        canvas = team.canvas
    else:
        data = request.POST if request.method == "POST" else request.GET
        form = SubmitForm(data, student=request.user, assignment=assignment)
        if not form.is_valid():  # the class page again, the error beside the canvas select
            return _class_for_student(request, assignment.classroom, refused=form)
        canvas = form.cleaned_data["canvas"]
    if request.method == "GET":
        context = {
            "assignment": assignment,
            "canvas": Block.load(canvas.pk),
            "back": back,
            "team": team,
        }
        return render(request, "classrooms/submit_confirm.html", context)
    submission = assignment.submit(request.user, canvas, team=team)
    if submission.is_late:
        messages.warning(request, _("Handed in after the due date: it is marked late."))
    else:
        messages.success(request, _("Handed in. You can keep editing your canvas."))
    return redirect(back)


@require_safe
def assignment_next(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assignment = _get_assignment_for_teacher(request, pk)
    submission = Submission.objects.waiting_for_review(assignment).first()
    if submission is None:
        messages.success(request, _("Nothing is waiting for review. Well done!"))
        return redirect("assignment_dashboard", pk=pk)
    return redirect("submission_review", pk=submission.pk)
