"""The results of an assignment as a teacher opens them: a CSV in their spreadsheet's own
conventions, or an .xlsx workbook, read back as a spreadsheet would."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from classrooms.models import RubricScore, Submission
from tests.classrooms.factories import make_student_submission
from tests.factories import make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

# The columns of the exports before the full name and the rubric total: they keep their places.
EARLIER_COLUMNS = [
    "student",
    "status",
    "late",
    "completeness",
    "segments",
    "relationships",
    "yearly cost",
    "currency",
    "submitted at",
    "reviewed at",
    "verdict summary",
    "Knows what each segment expects",
    "Tells established from planned relationships",
    "Quantifies set-up and running costs",
    "Fits the rest of the business model",
    "Says how, how often and who interacts",
    "States the effect wanted on the market",
    "in the class",
]
NEW_COLUMNS = [
    "full name",
    "rubric total (out of 24)",
    "criteria scored (out of 6)",
    "viability warnings",
    "team",
]

# 08:30 UTC on 2 March is 09:30 in Madrid (winter); 07:05 UTC on 1 July is 09:05 (summer).
HANDED_IN = datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=UTC)
REVIEWED = datetime(2026, 7, 1, 7, 5, 59, tzinfo=UTC)


@pytest.fixture
def spanish_client(teacher):
    client = client_for(teacher)
    client.cookies["django_language"] = "es"
    return client


@pytest.fixture
def ana(assignment, teacher):
    """Ana García handed in the sample canvas (26,400 a year) and has three criteria scored."""
    submission = make_student_submission(assignment, "ana")
    get_user_model().objects.filter(pk=submission.student_id).update(
        first_name="Ana", last_name="García"
    )
    submission.set_verdict(Submission.Status.APPROVED, "Bien hecho", teacher)
    Submission.objects.filter(pk=submission.pk).update(submitted_at=HANDED_IN, reviewed_at=REVIEWED)
    for criterion, level in [("costs", 3), ("expectations", 4), ("integration", 2)]:
        RubricScore.objects.create(submission=submission, criterion=criterion, level=level)
    return submission


def read_csv(response, delimiter: str) -> list[dict[str, str]]:
    """The rows as a spreadsheet reads them, each by its column's heading."""
    assert response.content.startswith("\ufeff".encode()), "no BOM: accents would read wrong"
    text = response.content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    assert all(len(row) == len(header) for row in rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_of(client, assignment):
    response = client.get(reverse("assignment_csv", args=[assignment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    return response


def workbook_of(client, assignment):
    response = client.get(reverse("assignment_xlsx", args=[assignment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(io.BytesIO(response.content)).active


# --- the CSV --------------------------------------------------------------------------------


def test_a_spanish_csv_has_semicolons_and_decimal_commas(spanish_client, assignment, ana):
    text = csv_of(spanish_client, assignment).content.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("estudiante;estado;con retraso;completitud;")
    (row,) = read_csv(csv_of(spanish_client, assignment), ";")
    assert row["estudiante"] == "ana"
    assert row["estado"] == "Aprobada"
    assert row["con retraso"] == "no"
    assert row["coste anual"] == "26400,00"
    assert row["moneda"] == "EUR"
    assert row["entregado el"] == "2026-03-02 09:30"
    assert row["revisado el"] == "2026-07-01 09:05"
    assert row["nombre completo"] == "Ana García"
    assert row["total de la rúbrica (sobre 24)"] == "9"
    assert row["criterios puntuados (de 6)"] == "3"


def test_an_english_csv_has_commas_and_decimal_points(teacher_client, assignment, ana):
    (row,) = read_csv(csv_of(teacher_client, assignment), ",")
    assert row["status"] == "Approved"
    assert row["yearly cost"] == "26400.00"
    assert row["submitted at"] == "2026-03-02 09:30"  # the class's time zone, to the minute
    assert row["reviewed at"] == "2026-07-01 09:05"
    assert row["full name"] == "Ana García"
    assert row["Quantifies set-up and running costs"] == "3"  # each criterion's level too
    assert row["rubric total (out of 24)"] == "9"
    assert row["criteria scored (out of 6)"] == "3"


def test_earlier_columns_keep_their_places_and_new_ones_come_last(teacher_client, assignment):
    make_student_submission(assignment, "ana")
    header = next(csv.reader(io.StringIO(csv_of(teacher_client, assignment).text[1:])))
    assert header == EARLIER_COLUMNS + NEW_COLUMNS


def test_every_student_has_a_row_with_the_same_columns(teacher_client, assignment, ana):
    unscored = make_student_submission(assignment, "ben")
    assignment.classroom.join(make_user("cai"))  # in the class, nothing handed in
    rows = {row["student"]: row for row in read_csv(csv_of(teacher_client, assignment), ",")}
    assert set(rows) == {"ana", "ben", "cai"}
    ben, cai = rows["ben"], rows["cai"]
    assert rows["ana"]["rubric total (out of 24)"] == "9"
    assert ben["status"] == "Waiting for review"
    assert ben["late"] == "no"
    assert ben["completeness"] == str(unscored.completeness_score)
    assert (ben["segments"], ben["relationships"]) == ("2", "4")
    assert ben["reviewed at"] == ""
    assert ben["full name"] == ""  # no name given at sign-up
    # Handed in, nothing scored yet: no total (a 0 would read as the lowest mark), 0 criteria.
    assert (ben["rubric total (out of 24)"], ben["criteria scored (out of 6)"]) == ("", "0")
    assert ben["viability warnings"] == str(unscored.viability_warnings)
    assert cai["status"] == "Not submitted"
    assert {cai[column] for column in EARLIER_COLUMNS[2:-1] + NEW_COLUMNS} == {""}
    assert {row["in the class"] for row in rows.values()} == {"yes"}


def test_the_csv_counts_the_viability_warnings_and_leaves_old_hand_ins_empty(
    teacher_client, assignment, ana
):
    ben = make_student_submission(assignment, "ben")
    Submission.objects.filter(pk=ana.pk).update(viability_warnings=2)
    Submission.objects.filter(pk=ben.pk).update(viability_warnings=None)  # from before
    rows = {row["student"]: row for row in read_csv(csv_of(teacher_client, assignment), ",")}
    assert (rows["ana"]["viability warnings"], rows["ben"]["viability warnings"]) == ("2", "")


def test_the_csv_shows_the_newest_hand_in_of_each_student(teacher_client, assignment, ana):
    again = assignment.submit(ana.student, ana.canvas)
    (row,) = read_csv(csv_of(teacher_client, assignment), ",")
    assert row["status"] == "Waiting for review"
    assert row["submitted at"] == f"{timezone.localtime(again.submitted_at):%Y-%m-%d %H:%M}"


def test_the_csv_keeps_the_latest_scores_until_the_new_hand_in_is_scored(
    teacher_client, assignment, ana
):
    costs, expectations = (
        str(RubricScore.Criterion.COSTS.label),
        str(RubricScore.Criterion.EXPECTATIONS.label),
    )
    again = assignment.submit(ana.student, ana.canvas)
    (row,) = read_csv(csv_of(teacher_client, assignment), ",")
    assert (row[costs], row["rubric total (out of 24)"]) == ("3", "9")  # the last round's
    RubricScore.objects.create(submission=again, criterion="costs", level=4)
    (row,) = read_csv(csv_of(teacher_client, assignment), ",")
    assert (row[costs], row[expectations], row["rubric total (out of 24)"]) == ("4", "", "4")


def test_no_user_text_runs_as_a_formula_in_the_csv(teacher_client, assignment, teacher):
    submission = make_student_submission(assignment, "+1+2")
    get_user_model().objects.filter(pk=submission.student_id).update(first_name="@SUM(A1)")
    submission.set_verdict(Submission.Status.APPROVED, "=HYPERLINK(1)", teacher)
    (row,) = read_csv(csv_of(teacher_client, assignment), ",")
    assert row["student"] == "'+1+2"
    assert row["full name"] == "'@SUM(A1)"
    assert row["verdict summary"] == "'=HYPERLINK(1)"


# --- the workbook ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "cost", "handed_in", "total"),
    [
        ("en", "student", "yearly cost", "submitted at", "rubric total (out of 24)"),
        ("es", "estudiante", "coste anual", "entregado el", "total de la rúbrica (sobre 24)"),
    ],
)
def test_the_workbook_has_numbers_dates_and_a_bold_header(
    teacher, assignment, ana, language, heading, cost, handed_in, total
):
    client = client_for(teacher)
    client.cookies["django_language"] = language
    sheet = workbook_of(client, assignment)
    header = [cell.value for cell in sheet[1]]
    assert header[0] == heading
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "B2"
    row = dict(zip(header, sheet[2], strict=True))
    assert row[heading].value == "ana"
    assert row[cost].value == 26400  # a number the sheet can add up, not text
    assert row[cost].number_format == "#,##0.00"
    assert row[handed_in].value == datetime(2026, 3, 2, 9, 30, 15)  # a date, Madrid's time
    assert row[handed_in].number_format == "yyyy-mm-dd hh:mm"
    assert row[total].value == 9
    assert row[header[3]].value == ana.completeness_score  # completeness, a number


def test_the_workbook_has_the_csvs_columns_and_rows(teacher_client, assignment, ana):
    assignment.classroom.join(make_user("cai"))
    sheet = workbook_of(teacher_client, assignment)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == EARLIER_COLUMNS + NEW_COLUMNS
    cai = dict(zip(rows[0], rows[2], strict=True))
    assert (cai["student"], cai["status"], cai["in the class"]) == ("cai", "Not submitted", "yes")
    assert cai["yearly cost"] is None


def test_no_user_text_runs_as_a_formula_in_the_workbook(teacher_client, assignment, teacher):
    submission = make_student_submission(assignment, "ana")
    submission.set_verdict(Submission.Status.APPROVED, "=HYPERLINK(1)", teacher)
    sheet = workbook_of(teacher_client, assignment)
    header = [cell.value for cell in sheet[1]]
    summary = sheet[2][header.index("verdict summary")]
    # Kept as the teacher typed it, and as text: the workbook has no formula to run.
    assert (summary.value, summary.data_type) == ("=HYPERLINK(1)", "s")


def test_the_dashboard_offers_both_downloads(spanish_client, assignment):
    page = spanish_client.get(reverse("assignment_dashboard", args=[assignment.pk])).text
    assert f'href="{reverse("assignment_csv", args=[assignment.pk])}"' in page
    assert f'href="{reverse("assignment_xlsx", args=[assignment.pk])}"' in page
    # Each link names what it downloads, also to a screen reader: "Descargar los resultados en CSV".
    hidden = '<span class="visually-hidden">Descargar los resultados en </span>'
    assert f"{hidden}CSV</a>" in page
    assert f"{hidden}Excel</a>" in page


@pytest.mark.parametrize("url_name", ["assignment_csv", "assignment_xlsx"])
@pytest.mark.parametrize("students", [3, 30])
def test_an_export_takes_as_many_queries_for_3_students_as_for_30(
    django_assert_num_queries, teacher_client, assignment, url_name, students
):
    for n in range(students):
        submission = make_student_submission(assignment, f"student{n:02}")
        RubricScore.objects.create(submission=submission, criterion="costs", level=2)
    # Session, user, assignment, memberships, newest submissions, their rubric scores.
    with django_assert_num_queries(6):
        response = teacher_client.get(reverse(url_name, args=[assignment.pk]))
    assert response.status_code == 200


def test_amounts_have_no_thousands_separator_a_spreadsheet_could_misread(
    spanish_client, assignment
):
    submission = make_student_submission(assignment, "ana")
    Submission.objects.filter(pk=submission.pk).update(yearly_cost=Decimal("1234567.89"))
    (row,) = read_csv(csv_of(spanish_client, assignment), ";")
    assert row["coste anual"] == "1234567,89"
