"""Arbitrary input at every form endpoint of the classes (classrooms/urls.py) and at sign-up.

Whatever is sent: never a 500; invalid input gets the form back with its errors (or, where the
view redirects, an error message), and nothing is written; another teacher's class, submission
or comment bank is a 404, and nothing of theirs changes.
"""

from datetime import UTC, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone as django_timezone
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.forms import SignupForm
from classrooms.forms import (
    AnswerForm,
    AssignmentForm,
    ClassroomForm,
    CommentForm,
    CoTeacherForm,
    JoinForm,
    RubricForm,
    SavedCommentForm,
    SubmitForm,
    VerdictForm,
)
from classrooms.models import (
    Assignment,
    Classroom,
    Comment,
    Membership,
    RubricScore,
    SavedComment,
    Submission,
)
from relationships.document import canvas_document
from relationships.models import Canvas
from tests.classrooms.factories import make_assignment, make_classroom, make_student_submission
from tests.factories import make_canvas, make_user
from tests.helpers import HTMX
from tests.production.fuzz import FUZZ, text

pytestmark = pytest.mark.django_db


# Stand-ins for values that only exist once the test's data does: resolved by ``resolve``.
REFS = [
    "§me",
    "§stranger",
    "§pupil",
    "§rival",
    "§open_code",
    "§closed_code",
    "§removed_code",
    "§my_class",
    "§their_class",
    "§my_submission",
    "§their_submission",
    "§my_canvas",
    "§their_canvas",
    "§teacher_canvas",
    "§my_remark",
    "§their_remark",
    "§my_anchor",
    "§their_anchor",
]

junk = st.one_of(
    text,
    st.sampled_from(REFS),  # real values of this test's data, some of them someone else's
    st.sampled_from(["XXX", "telepathy", "", " ", "\x00", "a\x00b", "\r\n", "null", "[]"]),
    st.sampled_from(["x" * 2001, "x" * 4001, "é" * 100_000, "<script>alert(1)</script>"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["1", "2", "0", "-1", "1e999", "99999999999999999999", "١٢", "1_000", "1.0"]),
)


def form_data(fields, **strategies):
    """Any subset of ``fields``, each junk or drawn from its own strategy (valid values)."""
    optional = {name: junk for name in fields}
    for name, strategy in strategies.items():
        optional[name] = st.one_of(strategy, junk)
    return st.fixed_dictionaries({}, optional=optional)


@pytest.fixture
def school(db):
    """Two teachers, each with a class, an assignment and a submission with feedback on it."""
    me, stranger = make_user(), make_user()
    mine, theirs = make_classroom(me), make_classroom(stranger)
    closed = make_classroom(stranger, name="Closed", joining_open=False)
    my_submission = make_student_submission(make_assignment(mine))
    their_submission = make_student_submission(make_assignment(theirs))
    former = make_user()  # a student the teacher took out of the class
    Membership.objects.create(classroom=mine, student=former, removed_at=django_timezone.now())
    Comment.objects.create(submission=their_submission, author=stranger, body="Theirs")
    RubricScore.objects.create(submission=their_submission, criterion="costs", level=2)
    their_submission.set_verdict("approved", "Well done", stranger)
    SavedComment.objects.create(teacher=me, text="My remark")
    SavedComment.objects.create(teacher=stranger, text="Their remark")
    client = Client(raise_request_exception=True)  # a server error fails the test
    client.force_login(me)
    world = SimpleNamespace(
        me=me,
        stranger=stranger,
        mine=mine,
        theirs=theirs,
        closed=closed,
        my_submission=my_submission,
        their_submission=their_submission,
        pupil=my_submission.student,
        rival=their_submission.student,
        former=former,
        teacher_canvas=make_canvas(me),
        client=client,
    )
    my_block, their_block = my_submission.block, their_submission.block
    world.refs = {
        "§me": me.username,
        "§stranger": stranger.username,
        "§pupil": world.pupil.username,
        "§rival": world.rival.username,
        "§open_code": theirs.join_code,
        "§closed_code": closed.join_code,
        "§removed_code": mine.join_code,
        "§my_class": str(mine.pk),
        "§their_class": str(theirs.pk),
        "§my_submission": str(my_submission.pk),
        "§their_submission": str(their_submission.pk),
        "§my_canvas": str(my_submission.canvas_id),
        "§their_canvas": str(their_submission.canvas_id),
        "§teacher_canvas": str(world.teacher_canvas.pk),
        "§my_remark": "My remark",
        "§their_remark": "Their remark",
        "§my_anchor": my_block.segments[0].relationships[0].anchor,
        "§their_anchor": their_block.segments[0].anchor,
    }
    return world


def resolve(world, data: dict) -> dict:
    """The data with each stand-in replaced by the value it stands for."""
    return {
        name: [world.refs.get(v, v) for v in value]
        if isinstance(value, list)
        else world.refs.get(value, value)
        for name, value in data.items()
    }


def client_for(user) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def rows_of(teacher, but_student=None) -> tuple:
    """Everything in the classes ``teacher`` owns, their comment bank and their students' work.

    ``but_student``'s own memberships are left out: joining a class with its code is theirs
    to do.
    """
    classes = Classroom.objects.filter(teacher=teacher)
    memberships = Membership.objects.filter(classroom__in=classes)
    if but_student is not None:
        memberships = memberships.exclude(student=but_student)
    submissions = Submission.objects.filter(assignment__classroom__in=classes)
    canvases = Canvas.objects.filter(owner__in=memberships.values("student")).with_block()
    return (
        list(classes.values()),
        list(Classroom.co_teachers.through.objects.filter(classroom__in=classes).values()),
        list(memberships.values()),
        list(Assignment.objects.filter(classroom__in=classes).values()),
        list(submissions.values()),
        list(Comment.objects.filter(submission__in=submissions).values()),
        list(RubricScore.objects.filter(submission__in=submissions).values()),
        list(SavedComment.objects.filter(teacher=teacher).values()),
        [(c.version, canvas_document(c)) for c in canvases.order_by("pk")],
    )


def shows_errors(response) -> bool:
    return "field-error" in response.text or "form-errors" in response.text


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == message_levels.ERROR]


def class_url(world, target: str) -> int:
    return {
        "mine": world.mine.pk,
        "theirs": world.theirs.pk,
        "missing": 2**63,
        "huge": 10**30,
        "zero": 0,
    }[target]


def submission_pk(world, target: str) -> int:
    return {
        "mine": world.my_submission.pk,
        "theirs": world.their_submission.pk,
        "missing": 2**63,
        "huge": 10**30,
    }[target]


# Half the requests at the user's own object, so that some of them succeed.
TARGETS = st.sampled_from(["mine", "mine", "mine", "theirs", "missing", "huge"])
METHODS = st.sampled_from(["GET", "POST", "POST", "POST"])


def send(client, method, url, data, htmx=False):
    headers = HTMX if htmx else {}
    # A savepoint: a server error fails its own example, not every query after it.
    with transaction.atomic():
        if method == "POST":
            return client.post(url, data, headers=headers)
        return client.get(url, data, headers=headers)


def send_to_my_or_their_class(school, target, method, url, data, htmx=False):
    """``send``, then what must hold whatever was sent: a status we mean to give (a server error
    already raised), a 404 for another teacher's object, and nothing of theirs changed."""
    before_theirs = rows_of(school.stranger)
    response = send(school.client, method, url, data, htmx)
    assert response.status_code in {200, 302, 404, 405}
    if target != "mine":
        assert response.status_code in {404, 405}
    assert rows_of(school.stranger) == before_theirs, "another user's data changed"
    return response


def shows(client, url) -> bool:
    """The page that shows what was just written renders."""
    return send(client, "GET", url, {}).status_code == 200


# --- joining a class ----------------------------------------------------------------------

CODES = ["§open_code", "§closed_code", "§removed_code"]
code_variant = st.tuples(
    st.sampled_from(CODES), st.sampled_from(["exact", "lower", "dashed", "spaced", "padded"])
)


def variant(code: str, how: str) -> str:
    return {
        "exact": code,
        "lower": code.lower(),
        "dashed": f"{code[:3]}-{code[3:]}",
        "spaced": " ".join(code),
        "padded": f"\t {code}\n",
    }[how]


@FUZZ
@given(
    code=st.one_of(code_variant, junk),
    missing=st.booleans(),
    via=st.sampled_from(["form", "form", "link"]),
)
@example(code=("§open_code", "dashed"), missing=False, via="form")
@example(code=("§removed_code", "lower"), missing=False, via="form")
@example(code="a/b", missing=False, via="link")
def test_join_survives_arbitrary_codes(school, code, missing, via):
    """A student removed from one class types any code, in the form or in a join link."""
    student = school.former
    code = variant(school.refs[code[0]], code[1]) if isinstance(code, tuple) else code
    code = school.refs.get(code, code)
    client = client_for(student)
    before_theirs, before_mine = rows_of(school.stranger, but_student=student), rows_of(school.me)
    before_memberships = list(Membership.objects.filter(student=student).values())

    if via == "link":
        code = " " if missing or not code else code
        valid = None  # a join link only fills the form in: the student still presses Join
        response = send(client, "GET", f"/classes/join/{quote(code, safe='')}/", {})
    else:
        data = {} if missing else {"code": code}
        valid = JoinForm(data, student=student).is_valid() if data else None
        response = send(client, "POST", reverse("join"), data)

    assert response.status_code in {200, 302, 404}
    if response.status_code == 404:
        assert via == "link"
        assert "/" in code  # a slash makes it no join link at all
    assert rows_of(school.stranger, but_student=student) == before_theirs
    assert rows_of(school.me) == before_mine, "the removed student got back in with the code"
    if valid:
        assert response.status_code == 302
        assert Membership.objects.filter(
            student=student, classroom=school.theirs, removed_at=None
        ).exists()
    else:
        assert list(Membership.objects.filter(student=student).values()) == before_memberships
    if valid is False:
        assert response.status_code == 200
        assert shows_errors(response), "invalid input without an error message"
    if via == "link" and response.status_code == 200:
        # The link fills the form in, and says at once what is wrong with its code.
        link_valid = JoinForm({"code": code}, student=student).is_valid()
        assert shows_errors(response) != link_valid


# --- starting a class ---------------------------------------------------------------------


class_data = form_data(
    [*ClassroomForm.base_fields, "teacher", "join_code", "joining_open", "co_teachers", "id"],
    name=st.sampled_from(["Entrepreneurship 1", "Économie", " Marketing "]),
    term=st.sampled_from(["Spring 2027", "", "2027/28"]),
)


@FUZZ
@given(data=class_data, htmx=st.booleans())
@example(data={}, htmx=False)  # no field: no submission, not a bad one
@example(data={"name": "A", "teacher": "§stranger", "join_code": "§open_code"}, htmx=False)
def test_new_class_survives_arbitrary_input(school, data, htmx):
    data = resolve(school, data)
    before_theirs, before_mine = rows_of(school.stranger), rows_of(school.me)
    valid = ClassroomForm(data).is_valid() if data else None
    count = Classroom.objects.count()

    response = send(school.client, "POST", reverse("class_list"), data, htmx)

    assert response.status_code in {200, 302}
    assert rows_of(school.stranger) == before_theirs, "another user's data changed"
    if valid:
        assert response.status_code == 302
        new = Classroom.objects.latest("pk")
        assert new.teacher == school.me
        assert new.join_code != data.get("join_code")
        assert new.joining_open
        assert not new.co_teachers.exists()
        assert shows(school.client, response["Location"])  # it shows
    else:
        assert Classroom.objects.count() == count
        assert rows_of(school.me) == before_mine
        if valid is False:
            assert response.status_code == 200
            assert shows_errors(response), "invalid input without an error message"


# --- the teacher's class page: co-teachers, students, assignments ---------------------------

USERNAMES = st.sampled_from(["§stranger", "§pupil", "§rival", "§me", "nobody-at-all"])


@FUZZ
@given(
    target=st.sampled_from(["mine", "mine", "mine", "theirs", "missing", "huge", "zero"]),
    method=METHODS,
    data=form_data(["username", "classroom", "teacher"], username=USERNAMES),
    pad=st.sampled_from(["", " ", "\t", "\n"]),
)
@example(target="mine", method="POST", data={"username": "§stranger"}, pad=" ")
@example(target="theirs", method="POST", data={"username": "§me"}, pad="")
def test_co_teacher_add_survives_arbitrary_input(school, target, method, data, pad):
    data = resolve(school, data)
    if "username" in data and pad:
        data["username"] = f"{pad}{data['username']}{pad}"
    before_mine = rows_of(school.me)
    valid = None
    if method == "POST" and target == "mine":
        valid = CoTeacherForm(data, classroom=school.mine).is_valid()

    url = reverse("co_teacher_add", args=[class_url(school, target)])
    response = send_to_my_or_their_class(school, target, method, url, data)
    if valid:
        assert response.status_code == 302
        assert school.mine.co_teachers.filter(username=data["username"].strip()).exists()
    else:
        assert rows_of(school.me) == before_mine
    if valid is False:
        assert response.status_code == 200
        assert shows_errors(response), "invalid input without an error message"


MEMBERSHIPS = st.sampled_from(["pupil", "former", "pupil", "former", "rival", "missing", "zero"])


@pytest.mark.parametrize("name", ["member_remove", "member_restore"])
@FUZZ
@given(
    target=TARGETS,
    member=MEMBERSHIPS,
    method=METHODS,
    data=form_data(["student", "classroom", "removed_at", "membership"]),
)
@example(target="mine", member="pupil", method="POST", data={})
@example(target="mine", member="former", method="POST", data={})
@example(target="mine", member="rival", method="POST", data={})
@example(target="theirs", member="rival", method="POST", data={"classroom": "§my_class"})
def test_member_endpoints_survive_arbitrary_input(school, name, target, member, method, data):
    data = resolve(school, data)
    memberships = {
        "pupil": Membership.objects.get(classroom=school.mine, student=school.pupil).pk,
        "former": Membership.objects.get(classroom=school.mine, student=school.former).pk,
        "rival": Membership.objects.get(classroom=school.theirs, student=school.rival).pk,
        "missing": 2**63,
        "huge": 10**30,
        "zero": 0,
    }
    membership_pk = memberships[member]
    found = Membership.objects.filter(pk=membership_pk, classroom=school.mine)
    if name == "member_remove":
        found = found.filter(removed_at=None)
    expected = 302 if target == "mine" and found.exists() else 404
    before_theirs = rows_of(school.stranger)

    url = reverse(name, args=[class_url(school, target), membership_pk])
    response = send(school.client, method, url, data)

    assert response.status_code == (expected if method == "POST" else 405)
    assert rows_of(school.stranger) == before_theirs, "another user's data changed"
    if response.status_code == 302:
        membership = Membership.objects.get(pk=membership_pk)
        assert (membership.removed_at is None) == (name == "member_restore")


DATES = st.one_of(
    st.sampled_from(
        [
            "2027-06-30T23:59",
            "2024-02-30T10:00",  # no such day
            "2027-13-01T10:00",
            "2026-03-29T02:30",  # the hour Madrid skips in spring
            "2026-10-25T02:30",  # the hour Madrid lives twice in autumn
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "10000-01-01T00:00",
            "0000-01-01T00:00",
            "1970-01-01",
            "now",
            "tomorrow",
            "2027-06-30T25:00",
            "2027-06-30T23:59:59.999999+14:00",
        ]
    ),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-12))])).map(
        lambda moment: moment.isoformat()
    ),
)


@FUZZ
@given(
    target=TARGETS,
    method=METHODS,
    data=form_data(
        [*AssignmentForm.base_fields, "classroom", "created_at"],
        title=st.sampled_from(["Customer relationships", "Ünïcode ✓"]),
        due_at=DATES,
    ),
)
@example(target="mine", method="POST", data={"title": "Late", "due_at": "2027-06-30T23:59"})
@example(target="mine", method="POST", data={"title": "Early", "due_at": "0001-01-01T00:00+01:00"})
@example(target="mine", method="POST", data={"title": "Last", "due_at": "9999-12-31T23:59-01:00"})
def test_assignment_create_survives_arbitrary_input(school, target, method, data):
    data = resolve(school, data)
    before_mine = rows_of(school.me)
    valid = None
    if method == "POST" and target == "mine":
        valid = AssignmentForm(data).is_valid()

    url = reverse("assignment_create", args=[class_url(school, target)])
    response = send_to_my_or_their_class(school, target, method, url, data)
    if valid:
        assert response.status_code == 302
        new = Assignment.objects.latest("pk")
        assert new.classroom == school.mine
        # The new assignment shows on the dashboard, the class page and the student's page.
        assert shows(school.client, response["Location"])
        class_page = reverse("class_detail", args=[school.mine.pk])
        assert shows(school.client, class_page)
        assert shows(client_for(school.pupil), class_page)
    else:
        assert rows_of(school.me) == before_mine
    if valid is False:
        assert response.status_code == 200
        assert shows_errors(response), "invalid input without an error message"


# --- handing in ----------------------------------------------------------------------------


@FUZZ
@given(
    target=TARGETS,
    method=METHODS,
    data=form_data(
        ["canvas", "student", "assignment", "document", "status"],
        canvas=st.sampled_from(["§my_canvas", "§their_canvas", "§teacher_canvas"]),
    ),
)
@example(target="mine", method="POST", data={"canvas": "§my_canvas"})
@example(target="mine", method="POST", data={"canvas": "§their_canvas"})
@example(target="mine", method="POST", data={"canvas": "99999999999999999999"})
def test_assignment_submit_survives_arbitrary_input(school, target, method, data):
    """The pupil hands in to their own class's assignment, or to one of another class."""
    data = resolve(school, data)
    assignment = {
        "mine": school.my_submission.assignment_id,
        "theirs": school.their_submission.assignment_id,
        "missing": 2**63,
        "huge": 10**30,
    }[target]
    client = client_for(school.pupil)
    before_theirs, before_mine = rows_of(school.stranger), rows_of(school.me)
    teacher_canvas = canvas_document(Canvas.objects.with_block().get(pk=school.teacher_canvas.pk))
    valid = None
    if method == "POST" and target == "mine":
        assignment_row = Assignment.objects.get(pk=assignment)
        valid = SubmitForm(data, student=school.pupil, assignment=assignment_row).is_valid()

    response = send(client, method, reverse("assignment_submit", args=[assignment]), data)

    assert response.status_code in {302, 404, 405, 422}
    if target != "mine":
        assert response.status_code in {404, 405}
    assert rows_of(school.stranger) == before_theirs, "another user's data changed"
    assert canvas_document(Canvas.objects.with_block().get(pk=school.teacher_canvas.pk)) == (
        teacher_canvas
    )
    if valid:
        assert response.status_code == 302
        new = Submission.objects.latest("pk")
        assert (new.student, new.canvas_id) == (school.pupil, school.my_submission.canvas_id)
        assert new.status == Submission.Status.SUBMITTED
    else:
        assert rows_of(school.me) == before_mine
    if valid is False:  # the class page again, the error beside the canvas select
        assert response.status_code == 422
        assert 'class="field-error"' in response.text, "invalid input without an error message"


# --- the teacher's review ------------------------------------------------------------------

ANCHORS = st.sampled_from(
    [
        "§my_anchor",
        "§their_anchor",  # a row of another student's snapshot
        "",
        "segment-",
        "segment-abc",
        "segment-99999999999999999999",
        "relationship--1",
        "segment-1\x00",
        "comments",
        "x" * 41,
    ]
)


@FUZZ
@given(
    target=TARGETS,
    method=METHODS,
    htmx=st.booleans(),
    data=form_data(
        [*CommentForm.base_fields, "submission", "author", "created_at"],
        body=st.sampled_from(["Put a figure on it", "x" * 4000, "x" * 100_000]),
        anchor=ANCHORS,
        is_private=st.sampled_from(["on", "true", "false", "0", "", "yes", "\x00"]),
    ),
)
@example(
    target="mine",
    method="POST",
    htmx=False,
    data={"body": "Good", "anchor": "§my_anchor", "is_private": "on"},
)
@example(target="mine", method="POST", htmx=True, data={"body": "x", "anchor": "§their_anchor"})
@example(target="mine", method="POST", htmx=False, data={"body": "Nice", "anchor": "segment-abc"})
@example(target="mine", method="POST", htmx=True, data={"body": ""})
@example(target="theirs", method="POST", htmx=False, data={"body": "Mine now", "is_private": "on"})
def test_comment_create_survives_arbitrary_input(school, target, method, htmx, data):
    data = resolve(school, data)
    before_mine = rows_of(school.me)
    count = Comment.objects.count()
    valid = None
    if method == "POST" and target == "mine":
        valid = CommentForm(data, submission=school.my_submission).is_valid()

    url = reverse("comment_create", args=[submission_pk(school, target)])
    response = send_to_my_or_their_class(school, target, method, url, data, htmx)
    if valid:
        assert response.status_code == (200 if htmx else 302)
        new = Comment.objects.latest("pk")
        assert (new.submission_id, new.author) == (school.my_submission.pk, school.me)
        feedback = reverse("submission_feedback", args=[school.my_submission.pk])
        assert shows(client_for(school.pupil), feedback)  # it shows
    else:
        assert Comment.objects.count() == count
        assert rows_of(school.me) == before_mine
    if valid is False:
        assert response.status_code == 200
        assert shows_errors(response), "invalid input without an error message"


@FUZZ
@given(
    target=TARGETS,
    method=METHODS,
    htmx=st.booleans(),
    data=form_data(
        [*AnswerForm.base_fields, "submission", "author", "is_private"],
        body=st.sampled_from(["Four hours a week", "x" * 4000, "x" * 100_000, "\x00"]),
        anchor=ANCHORS,
    ),
)
@example(target="mine", method="POST", htmx=True, data={"body": "Done", "anchor": "§my_anchor"})
@example(target="mine", method="POST", htmx=False, data={"body": "x", "anchor": "§their_anchor"})
@example(target="theirs", method="POST", htmx=False, data={"body": "Not mine"})
def test_comment_answer_survives_arbitrary_input(school, target, method, htmx, data):
    """The student's answers: only on their own submission, only where the teacher commented."""
    data = resolve(school, data)
    anchor = resolve(school, {"a": "§my_anchor"})["a"]
    Comment.objects.get_or_create(
        submission=school.my_submission, anchor=anchor, author=school.me, body="How long?"
    )
    count = Comment.objects.count()
    valid = None
    if method == "POST" and target == "mine":
        valid = AnswerForm(data, submission=school.my_submission).is_valid()
    pupil = client_for(school.pupil)
    before_theirs = rows_of(school.stranger)
    response = send(
        pupil, method, reverse("comment_answer", args=[submission_pk(school, target)]), data, htmx
    )
    assert response.status_code in ({200, 302, 404, 405} if target == "mine" else {404, 405})
    assert rows_of(school.stranger) == before_theirs
    if valid:
        new = Comment.objects.latest("pk")
        assert (new.submission_id, new.author, new.is_private) == (
            school.my_submission.pk,
            school.pupil,
            False,
        )
    else:
        assert Comment.objects.count() == count
    if valid is False:
        assert response.status_code == 200
        assert shows_errors(response), "invalid input without an error message"


LEVELS = st.sampled_from(["1", "2", "3", "4", "", "0", "5", "-1", " 3", "3.0", "IV", "04"])
rubric_data = form_data(
    ["submission", "criterion", "level", "bogus_level"],
    **{f"{criterion}_level": LEVELS for criterion in RubricScore.Criterion.values},
    **{f"{criterion}_remark": text for criterion in RubricScore.Criterion.values},
)


review_data = form_data(
    ["submission", "criterion", "level", "bogus_level", "status", "summary", "next", "reviewed_by"],
    **{f"{criterion}_level": LEVELS for criterion in RubricScore.Criterion.values},
    **{f"{criterion}_remark": text for criterion in RubricScore.Criterion.values},
    status=st.sampled_from(
        ["approved", "changes_requested"] * 2 + ["", "submitted", "APPROVED", "approved ", "no"]
    ),
    summary=st.sampled_from(["Good work", "x" * 4000, "x" * 4001]),
)


def scores_of(submission) -> dict:
    return dict(RubricScore.objects.filter(submission=submission).values_list("criterion", "level"))


@FUZZ
@given(target=TARGETS, method=METHODS, data=review_data)
@example(target="mine", method="POST", data={"costs_level": "4", "expectations_level": "1"})
@example(target="mine", method="POST", data={"costs_level": "3", "costs_remark": "a\x00b"})
@example(target="mine", method="POST", data={"costs_level": "5", "status": "approved"})
@example(target="mine", method="POST", data={"status": "approved", "summary": "Ok", "next": "1"})
@example(target="mine", method="POST", data={"status": "submitted", "costs_level": "2"})
@example(target="theirs", method="POST", data={"costs_level": "", "status": "approved"})
def test_review_save_survives_arbitrary_input(school, target, method, data):
    """Rubric and verdict in one form: all of it is kept, or nothing and a message says why."""
    data = resolve(school, data)
    before_mine = rows_of(school.me)
    before_scores = scores_of(school.my_submission)
    before = Submission.objects.get(pk=school.my_submission.pk)
    valid = None
    if method == "POST" and target == "mine":
        rubric = RubricForm(data, submission=school.my_submission)
        verdict = VerdictForm(data)
        valid = all([rubric.is_valid(), verdict.is_valid()])

    url = reverse("review_save", args=[submission_pk(school, target)])
    response = send_to_my_or_their_class(school, target, method, url, data)
    if valid:
        assert response.status_code == 302
        expected = dict(before_scores)
        for criterion in RubricScore.Criterion.values:
            if f"{criterion}_level" in data:  # what the page sent is what is kept
                expected.pop(criterion, None)
                if rubric.cleaned_data[f"{criterion}_level"] is not None:
                    expected[criterion] = rubric.cleaned_data[f"{criterion}_level"]
        assert scores_of(school.my_submission) == expected
        submission = Submission.objects.get(pk=school.my_submission.pk)
        if verdict.cleaned_data["status"]:
            assert (submission.status, submission.reviewed_by) == (data["status"], school.me)
        else:
            assert submission.status == before.status
        feedback = reverse("submission_feedback", args=[submission.pk])
        assert shows(client_for(school.pupil), feedback)  # it shows
    else:
        assert rows_of(school.me) == before_mine
    if valid is False:
        assert response.status_code == 200
        assert shows_errors(response), "invalid input without an error message"


# --- the comment bank ----------------------------------------------------------------------

NEXT_URLS = st.sampled_from(
    [
        "/classes/",
        "/submissions/1/review/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        "/\r\n/evil.example/",
        "/%2F/evil.example/",
        "https://evil.example/",
        "http://testserver/classes/",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: hijacked=1",
        "/\x00",
        "/ /evil.example",
        "/\u3000/evil.example",
        "",
    ]
)


def stays_on_site(location: str) -> bool:
    """What a browser makes of the Location: a path on this site, never another host."""
    seen = location.replace("\\", "/")
    for char in "\t\r\n":
        seen = seen.replace(char, "")
    return seen.startswith("/") and not seen.startswith("//") and "\r" not in location


@FUZZ
@given(
    data=form_data(
        ["text", "teacher", "next_url"],
        text=st.sampled_from(["§my_remark", "§their_remark", " My remark ", "x" * 1001, "Good"]),
        next_url=NEXT_URLS,
    ),
    method=METHODS,
)
@example(data={"text": "§their_remark", "teacher": "§stranger"}, method="POST")
@example(data={"text": "Fine", "next_url": "//evil.example/"}, method="POST")
def test_saved_comment_create_survives_arbitrary_input(school, data, method):
    data = resolve(school, data)
    before_theirs, before_mine = rows_of(school.stranger), rows_of(school.me)
    count = SavedComment.objects.count()
    valid = None
    if method == "POST":
        valid = SavedCommentForm(data, teacher=school.me).is_valid()

    response = send(school.client, method, reverse("saved_comment_create"), data)

    assert response.status_code in {302, 405}
    assert rows_of(school.stranger) == before_theirs, "another user's data changed"
    if response.status_code == 302:
        assert stays_on_site(response["Location"]), "an open redirect"
    if valid:
        assert SavedComment.objects.filter(teacher=school.me, text=data["text"].strip()).exists()
        assert SavedComment.objects.count() == count + 1
    else:
        assert rows_of(school.me) == before_mine
    if valid is False:
        assert error_messages(response), "invalid input without an error message"


@FUZZ
@given(
    target=st.sampled_from(["mine", "mine", "mine", "theirs", "missing", "huge", "zero"]),
    method=METHODS,
    data=form_data(["next_url", "teacher", "text"], next_url=NEXT_URLS),
)
@example(target="mine", method="POST", data={"next_url": "/\\evil.example/"})
@example(target="theirs", method="POST", data={"teacher": "§stranger"})
def test_saved_comment_delete_survives_arbitrary_input(school, target, method, data):
    data = resolve(school, data)
    fresh = SavedComment.objects.create(
        teacher=school.me, text=f"Remark {SavedComment.objects.count()}"
    )
    pk = {
        "mine": fresh.pk,
        "theirs": SavedComment.objects.get(teacher=school.stranger).pk,
        "missing": 2**63,
        "huge": 10**30,
        "zero": 0,
    }[target]
    before_theirs = rows_of(school.stranger)

    url = reverse("saved_comment_delete", args=[pk])
    response = send(school.client, method, url, data)

    assert response.status_code in {302, 404, 405}
    if method == "GET":
        assert response.status_code == 405
    elif target == "mine":
        assert response.status_code == 302
        assert stays_on_site(response["Location"]), "an open redirect"
        assert not SavedComment.objects.filter(pk=fresh.pk).exists()
    else:
        assert response.status_code == 404
    assert rows_of(school.stranger) == before_theirs, "another user's data changed"


# --- sign-up -------------------------------------------------------------------------------

PASSWORDS = st.sampled_from(
    ["a-long-test-password-42", "correct horse battery staple", "password", "12345678", "x"]
)


@FUZZ
@given(
    data=form_data(
        ["username", "password1", "password2", "is_staff", "is_superuser", "email", "id"],
        username=st.sampled_from(["§me", "§stranger", "new.user+1@x", "ÑANDÚ", "a" * 151]),
        password1=PASSWORDS,
        password2=PASSWORDS,
        email=st.sampled_from(["new@example.org", "TAKEN@example.org", "", "not an address"]),
    ),
    same=st.booleans(),
    logged_in=st.sampled_from([False, False, False, True]),
)
@example(
    data={"username": "§stranger", "password1": "a-long-test-password-42"},
    same=True,
    logged_in=False,
)
@example(
    data={"username": "NEWCOMER", "password1": "a-long-test-password-42", "is_superuser": "on"},
    same=True,
    logged_in=False,
)
def test_signup_survives_arbitrary_input(school, data, same, logged_in):
    data = resolve(school, data)
    if same and "password1" in data:
        data["password2"] = data["password1"]
    if data.get("username") in (school.me.username, school.stranger.username) and same:
        data["username"] = data["username"].upper()  # the same name, other case
    client = client_for(school.pupil) if logged_in else Client(raise_request_exception=True)
    users = get_user_model().objects
    users.filter(pk=school.stranger.pk).update(email="taken@example.org")
    before = list(users.order_by("pk").values())
    form = SignupForm(data)
    valid = form.is_valid() if data and not logged_in else None

    response = send(client, "POST", reverse("signup"), data)

    assert response.status_code in {200, 302}
    assert list(users.filter(pk__in=[u["id"] for u in before]).order_by("pk").values()) == before
    if valid:
        assert response.status_code == 302
        new = users.latest("pk")
        assert new.username == form.cleaned_data["username"]
        assert new.email == form.cleaned_data["email"]
        assert not new.is_staff
        assert not new.is_superuser
        assert users.count() == len(before) + 1
    else:
        assert users.count() == len(before)
        if valid is False:
            assert response.status_code == 200
            assert shows_errors(response), "invalid input without an error message"


def test_uploads_too_big_are_refused_not_crashed(school):
    """A body larger than Django accepts is a 400, and nothing is written."""
    size = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    before = rows_of(school.me)
    url = reverse("comment_create", args=[school.my_submission.pk])
    response = send(school.client, "POST", url, {"body": "x" * size})
    assert response.status_code == 400
    assert rows_of(school.me) == before
