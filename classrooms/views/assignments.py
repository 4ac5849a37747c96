"""Views of an assignment: the teacher's dashboard and CSV, handing in, the review queue."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_POST,
    require_safe,
)

from classrooms.forms import (
    SubmitForm,
)
from classrooms.models import (
    Assignment,
    Submission,
)
from classrooms.roster import column_headings, dashboard_roster, results_table
from classrooms.views.base import (
    _get_assignment_for_teacher,
)
from relationships.views.base import HtmxHttpRequest

# --- assignments ----------------------------------------------------------------------------


@require_safe
def assignment_dashboard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Teachers: a row per student. Its students go to the class page, where they hand in."""
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
    )
    return render(
        request,
        "classrooms/dashboard.html",
        {
            "assignment": assignment,
            "classroom": assignment.classroom,
            "roster": roster,
            "columns": column_headings(request.GET, roster.sort),
        },
    )


@require_safe
def assignment_results_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The assignment's results as a spreadsheet: a row per student."""
    assignment = _get_assignment_for_teacher(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"results-{assignment.pk}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheets read the accents right
    csv.writer(response).writerows(results_table(assignment))
    return response


@require_POST
def assignment_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("classroom"),
        pk=pk,
        classroom__memberships__student=request.user,
        classroom__memberships__removed_at__isnull=True,
    )
    form = SubmitForm(request.POST, student=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["canvas"]))
        return redirect(
            f"{reverse('class_detail', args=[assignment.classroom_id])}#assignment-{pk}"
        )
    submission = assignment.submit(request.user, form.cleaned_data["canvas"])
    if submission.is_late:
        messages.warning(request, _("Handed in after the due date: it is marked late."))
    else:
        messages.success(request, _("Handed in. You can keep editing your canvas."))
    return redirect(f"{reverse('class_detail', args=[assignment.classroom_id])}#assignment-{pk}")


@require_safe
def assignment_next(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assignment = _get_assignment_for_teacher(request, pk)
    submission = Submission.objects.waiting_for_review(assignment).first()
    if submission is None:
        messages.success(request, _("Nothing is waiting for review. Well done!"))
        return redirect("assignment_dashboard", pk=pk)
    return redirect("submission_review", pk=submission.pk)
