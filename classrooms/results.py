"""An assignment's results as a spreadsheet: a row per student, as a CSV or an .xlsx workbook.

``results_table`` holds the values (text, whole numbers, amounts as ``Decimal``, moments as aware
datetimes); ``write_results_csv`` and ``results_xlsx`` write them in the reader's language: a
Spanish CSV has the ``;`` and decimal comma that a Spanish spreadsheet opens by double-click, an
English one ``,`` and ``.``; the workbook keeps numbers as numbers and dates as dates.

A new column goes last, so that a teacher's sheets built on earlier exports keep their columns.
"""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from classrooms.models import Assignment, RubricScore, Submission
from classrooms.roster import roster_rows, status_choices
from relationships.numbers import separators

CSV_MOMENT = "%Y-%m-%d %H:%M"
XLSX_MOMENT = "yyyy-mm-dd hh:mm"
XLSX_AMOUNT = "#,##0.00"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | Decimal | datetime | None


def _header() -> list[str]:
    criteria, top_level = len(RubricScore.Criterion.values), max(RubricScore.Level.values)
    return [
        _("student"),
        _("status"),
        _("late"),
        _("completeness"),
        _("segments"),
        _("relationships"),
        _("yearly cost"),
        _("currency"),
        _("submitted at"),
        _("reviewed at"),
        _("verdict summary"),
        *[str(label) for label in RubricScore.Criterion.labels],
        _("in the class"),
        # Added later, so after the columns earlier exports had.
        _("full name"),
        _("rubric total (out of %(top)s)") % {"top": criteria * top_level},
        _("criteria scored (out of %(count)s)") % {"count": criteria},
        _("viability warnings"),
        _("team"),
    ]


def latest_scores(assignment: Assignment, by: str = "student") -> dict[int, dict[str, int]]:
    """Each student's (``by="team"``: each team's) scores from their newest hand-in that was
    scored. One query.

    A resubmission the teacher has not scored yet keeps showing the last round's scores.
    """
    key = f"submission__{by}_id"
    scores = RubricScore.objects.filter(submission__assignment=assignment).order_by(
        key, "-submission__submitted_at", "-submission_id"
    )
    if by == "team":
        scores = scores.filter(submission__team__isnull=False)
    latest: dict[int, dict[str, int]] = {}
    chosen: dict[int, int] = {}
    for score in scores.values(key, "submission_id", "criterion", "level"):
        student = score[key]
        if chosen.setdefault(student, score["submission_id"]) == score["submission_id"]:
            latest.setdefault(student, {})[score["criterion"]] = score["level"]
    return latest


def _submission_cells(
    submission: Submission, levels: dict[str, int]
) -> tuple[list[Cell], list[Cell]]:
    """The cells between the status and "in the class", and those after the full name: the
    rubric's total and count, and the viability warnings (empty for a hand-in from before they
    were counted)."""
    between = [
        _("yes") if submission.is_late else _("no"),
        submission.completeness_score,
        submission.segment_count,
        submission.relationship_count,
        submission.yearly_cost,
        submission.currency,
        submission.submitted_at,
        submission.reviewed_at,
        submission.verdict_summary,
        *[levels.get(criterion) for criterion in RubricScore.Criterion.values],
    ]
    # A total of nothing scored stays empty: a 0 would read as the lowest of marks.
    total = sum(levels.values()) if levels else None
    return between, [total, len(levels), submission.viability_warnings]


def results_table(assignment: Assignment) -> list[list[Cell]]:
    """A header, then a row per student of the roster (``None`` for an empty cell). Three queries;
    seven for a team assignment, whose members each get their team's name and result.

    The scores are each student's latest (``latest_scores``), or their team's.

    The rubric's total adds up the levels scored; beside it, how many criteria were scored, so
    that a total of 9 from three criteria is not read as a poor mark on all six.
    """
    header = _header()
    labels = {status: str(label) for status, label in status_choices()}
    table: list[list[Cell]] = [header]
    scores = latest_scores(assignment)
    team_scores = latest_scores(assignment, by="team") if assignment.team_work else {}
    for row in roster_rows(assignment):
        levels = team_scores.get(row.team.pk, {}) if row.team else scores.get(row.student.pk, {})
        if row.submission:
            between, after = _submission_cells(row.submission, levels)
        else:
            between, after = [None] * (header.index(_("in the class")) - 2), [None, None, None]
        table.append(
            [
                row.student.get_username(),
                labels[row.status],
                *between,
                _("no") if row.removed else _("yes"),
                row.student.get_full_name(),
                *after,
                row.team.name if row.team else None,
            ]
        )
    return table


def write_results_csv(out, table: list[list[Cell]]) -> None:
    """Write ``table`` to the text stream ``out`` as a CSV for the reader's spreadsheet.

    UTF-8 with a byte-order mark (so the accents read right); where the reader's language writes
    a decimal comma, ``;`` between the cells, as its spreadsheets expect. Moments in the class's
    time zone, to the minute. No user text can run as a formula.
    """
    decimal_symbol, _group = separators()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";" if decimal_symbol == "," else ",")
    for row in table:
        writer.writerow([_csv_cell(value, decimal_symbol) for value in row])


def _csv_cell(value: Cell, decimal_symbol: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime(CSV_MOMENT)
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", decimal_symbol)
    if isinstance(value, int):
        return str(value)
    return _csv_safe(value)


def _csv_safe(text: str) -> str:
    """Keep a spreadsheet from running user text as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def results_xlsx(table: list[list[Cell]]) -> bytes:
    """``table`` as an .xlsx workbook: a bold, frozen header row, then typed cells.

    Amounts and counts are numbers, moments are dates (in the class's time zone, which the
    format has no room for), and text is text: never a formula, whatever it starts with.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Results")
    header, *rows = table
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            _format_xlsx_cell(cell)
    sheet.freeze_panes = "B2"  # the header row and the students' names stay in sight
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column[:50])
        sheet.column_dimensions[column[0].column_letter].width = min(max(width, 10) + 2, 50)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, datetime):
        # The format holds no time zone; microseconds would only come back rounded.
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    return value


def _format_xlsx_cell(cell) -> None:
    if isinstance(cell.value, datetime):
        cell.number_format = XLSX_MOMENT
    elif isinstance(cell.value, Decimal):
        cell.number_format = XLSX_AMOUNT
    elif cell.data_type == "f":
        cell.data_type = "s"  # text that starts with "=" is text, not a formula
