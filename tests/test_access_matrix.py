"""Every URL of the URL configuration, for every kind of person, with every verb.

``RULES`` says, for each named URL, which methods it answers and who may use it. The walk asks
each URL as each person, GET, POST, PUT and DELETE, and checks the answer: a person with the
right gets the page (or a redirect, or a form error), anyone else a 404 (never a 403 that would
confirm the object exists), a visitor without an account the log-in page, and a method the URL
does not answer a 405. A URL added without a rule here fails ``test_every_url_has_an_access_rule``.

Every request runs in a savepoint that is rolled back, so that a deletion by one person does not
change what the next one sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from classrooms.models import Comment, CoTeacher, SavedComment, Team
from teams.models import CanvasComment, CanvasMember, Invitation, ShareLink
from tests.classrooms.factories import make_assignment, make_classroom
from tests.factories import make_canvas, make_cost, make_relationship, make_segment, make_user

pytestmark = pytest.mark.django_db

PEOPLE = (
    "owner",  # owns the canvas; a student of the class who handed it in
    "editor",
    "commenter",
    "viewer",
    "teacher",  # owns the class
    "co_teacher",
    "removed_student",  # was in the class, removed by the teacher
    "team_member",  # a student of the class, in the owner's team for a team assignment
    "stranger",  # has an account, nothing to do with any of it
    "anonymous",
    "anonymous_with_token",  # opened the read-only link first
)
LOGGED_IN = set(PEOPLE) - {"anonymous", "anonymous_with_token"}
CANVAS_ROLES = {
    "read": {"owner", "editor", "commenter", "viewer"},
    "export": {"owner", "editor", "commenter", "viewer"},
    "comment": {"owner", "editor", "commenter"},
    "edit": {"owner", "editor"},
    "duplicate": {"owner", "editor"},
    "manage": {"owner"},
}
TEACHERS = {"teacher", "co_teacher"}
STUDENTS = {"owner", "team_member"}  # in the class now
EVERYONE = set(PEOPLE)


@dataclass
class World:
    """One canvas shared three ways, handed in to a class, with every object a URL names."""

    people: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    w = World()
    p = w.people = {name: make_user(name) for name in sorted(LOGGED_IN)}
    canvas = make_canvas(owner=p["owner"], title="Bakery")
    segment = make_segment(canvas)
    relationship = make_relationship(segment)
    cost = make_cost(relationship)
    members = {
        role: CanvasMember.objects.create(canvas=canvas, user=p[role], role=role)
        for role in ("editor", "commenter", "viewer")
    }
    invitation = Invitation.objects.create(canvas=canvas, invited_by=p["owner"], role="viewer")
    share = ShareLink.objects.create(canvas=canvas, created_by=p["owner"])
    member_comment = CanvasComment.objects.create(canvas=canvas, author=p["editor"], body="Hm")
    classroom = make_classroom(teacher=p["teacher"])
    co_teacher = CoTeacher.objects.create(classroom=classroom, user=p["co_teacher"])
    classroom.join(p["owner"])
    removed = classroom.join(p["removed_student"])
    removed.removed_at = timezone.now()
    removed.save(update_fields=["removed_at"])
    assignment = make_assignment(classroom)
    submission = assignment.submit(p["owner"], canvas)
    comment = Comment.objects.create(submission=submission, author=p["teacher"], body="Good")
    saved = SavedComment.objects.create(teacher=p["teacher"], text="Add a cost")
    owner_membership = classroom.memberships.get(student=p["owner"])
    classroom.join(p["team_member"])
    team = Team.start(
        make_assignment(classroom, team_work=True), "Owls", [p["owner"], p["team_member"]]
    )
    w.ids = {
        "canvas": canvas.pk,
        "segment": segment.pk,
        "relationship": relationship.pk,
        "cost": cost.pk,
        "member": members["viewer"].pk,
        "invitation": invitation.pk,
        "invitation_token": invitation.token,
        "share": share.pk,
        "member_comment": member_comment.pk,
        "share_token": share.token,
        "classroom": classroom.pk,
        "co_teacher": co_teacher.pk,
        "membership": owner_membership.pk,
        "join_code": classroom.join_code,
        "assignment": assignment.pk,
        "submission": submission.pk,
        "comment": comment.pk,
        "saved_comment": saved.pk,
        "team": team.pk,
        "team_student": p["team_member"].pk,
    }
    return w


@dataclass(frozen=True)
class Rule:
    methods: frozenset[str]
    who: frozenset[str]  # who gets an answer; everyone else logged in gets a 404
    args: tuple[str, ...] = ()  # keys of World.ids, in the URL's order
    public: bool = False  # answers visitors without an account
    lands: str = "answered"  # what a person with the right sees
    verbs: tuple[str, ...] = ("GET", "POST", "PUT", "DELETE")  # asked with each


# Django's own views (log in and out, passwords, the language) take PUT as POST: only GET and
# POST are ours to pin there.
DJANGOS = ("GET", "POST")


def rule(methods: str, who, *args: str, public: bool = False, lands: str = "answered", verbs=None):
    verbs = verbs or Rule.verbs
    return Rule(frozenset(methods.split()), frozenset(who), args, public, lands, verbs)


RULES = {
    # --- accounts and the site: public, or any account ----------------------------------------
    "healthz": rule("GET", EVERYONE, public=True),
    "healthz_live": rule("GET", EVERYONE, public=True),
    "signup": rule("GET POST", EVERYONE, public=True),
    "login": rule("GET POST", EVERYONE, public=True, verbs=DJANGOS),
    "logout": rule(
        "POST", LOGGED_IN, lands="log in", verbs=DJANGOS
    ),  # done: back to the log-in page
    "password_reset": rule("GET POST", EVERYONE, public=True, verbs=DJANGOS),
    "password_reset_done": rule("GET", EVERYONE, public=True),
    "password_reset_complete": rule("GET", EVERYONE, public=True),
    "password_change": rule("GET POST", LOGGED_IN, verbs=DJANGOS),
    "password_change_done": rule("GET", LOGGED_IN),
    "set_language": rule("GET POST", EVERYONE, public=True, verbs=DJANGOS),
    "help": rule("GET", LOGGED_IN),
    "canvas_list": rule("GET POST", LOGGED_IN),
    # --- the canvas and its rows (teams.access); a delete's GET asks first, without htmx ------
    "canvas_detail": rule("GET", CANVAS_ROLES["read"], "canvas"),
    "canvas_pdf": rule("GET", CANVAS_ROLES["export"], "canvas"),
    "canvas_edit": rule("GET POST", CANVAS_ROLES["edit"], "canvas"),
    "canvas_rename": rule("GET POST", CANVAS_ROLES["edit"], "canvas"),
    "canvas_duplicate": rule("POST", CANVAS_ROLES["duplicate"], "canvas"),
    "canvas_delete": rule("GET POST", CANVAS_ROLES["manage"], "canvas"),
    "segment_create": rule("GET POST", CANVAS_ROLES["edit"], "canvas"),
    "segment_edit": rule("GET POST", CANVAS_ROLES["edit"], "segment"),
    "segment_delete": rule("GET POST", CANVAS_ROLES["edit"], "segment"),
    "segment_move": rule("POST", CANVAS_ROLES["edit"], "segment"),
    "relationship_create": rule("GET POST", CANVAS_ROLES["edit"], "segment"),
    "relationship_detail": rule("GET", CANVAS_ROLES["edit"], "relationship"),
    "relationship_edit": rule("GET POST", CANVAS_ROLES["edit"], "relationship"),
    "relationship_delete": rule("GET POST", CANVAS_ROLES["edit"], "relationship"),
    "relationship_move": rule("POST", CANVAS_ROLES["edit"], "relationship"),
    "cost_create": rule("GET POST", CANVAS_ROLES["edit"], "relationship"),
    "cost_edit": rule("GET POST", CANVAS_ROLES["edit"], "cost"),
    "cost_delete": rule("GET POST", CANVAS_ROLES["edit"], "cost"),
    "cost_move": rule("POST", CANVAS_ROLES["edit"], "cost"),
    # --- members, invitations, read-only links (teams) ----------------------------------------
    "canvas_members": rule("GET", CANVAS_ROLES["read"], "canvas"),
    "canvas_live": rule("GET", CANVAS_ROLES["read"], "canvas"),
    "canvas_comment_create": rule("POST", CANVAS_ROLES["comment"], "canvas"),
    "canvas_comment_resolve": rule("POST", CANVAS_ROLES["comment"], "member_comment"),
    "invite": rule("POST", CANVAS_ROLES["manage"], "canvas"),
    "invitation_link": rule("POST", CANVAS_ROLES["manage"], "canvas"),
    "hand_over": rule("POST", CANVAS_ROLES["manage"], "canvas"),
    "leave": rule("POST", CANVAS_ROLES["read"] - {"owner"}, "canvas"),
    "share_link_create": rule("POST", CANVAS_ROLES["manage"], "canvas"),
    "invitation_revoke": rule("POST", CANVAS_ROLES["manage"], "invitation"),
    "invitation": rule("GET POST", LOGGED_IN, "invitation_token"),  # a link: anyone it reaches
    "canvas_member_role": rule("POST", CANVAS_ROLES["manage"], "member"),
    "canvas_member_remove": rule("POST", CANVAS_ROLES["manage"], "member"),
    "share_link_revoke": rule("POST", CANVAS_ROLES["manage"], "share"),
    "shared": rule("GET", EVERYONE, "share_token", public=True),
    "shared_pdf": rule("GET", EVERYONE, "share_token", public=True),
    # --- classes (classrooms) -----------------------------------------------------------------
    "class_list": rule("GET POST", LOGGED_IN),
    "join": rule("GET POST", LOGGED_IN),
    "join_with_code": rule("GET POST", LOGGED_IN, "join_code"),
    "class_detail": rule("GET", TEACHERS | STUDENTS, "classroom"),
    "class_joining": rule("POST", TEACHERS, "classroom"),
    "member_remove": rule("POST", TEACHERS, "classroom", "membership"),
    "member_restore": rule("POST", TEACHERS, "classroom", "membership"),
    "co_teacher_add": rule("POST", {"teacher"}, "classroom"),
    "co_teacher_remove": rule("GET POST", {"teacher"}, "classroom", "co_teacher"),
    "co_teacher_leave": rule("GET POST", {"co_teacher"}, "classroom"),
    "co_teacher_notice_dismiss": rule("POST", {"co_teacher"}, "classroom"),
    "assignment_create": rule("POST", TEACHERS, "classroom"),
    "assignment_dashboard": rule("GET", TEACHERS | STUDENTS, "assignment"),
    "assignment_edit": rule("GET POST", TEACHERS, "assignment"),
    "assignment_csv": rule("GET", TEACHERS, "assignment"),
    "assignment_xlsx": rule("GET", TEACHERS, "assignment"),
    "assignment_submit": rule("GET POST", STUDENTS, "assignment"),
    "assignment_next": rule("GET", TEACHERS, "assignment"),
    "team_create": rule("POST", STUDENTS, "assignment"),  # the class's current students
    "team_form": rule("POST", TEACHERS, "assignment"),
    "team_join": rule("POST", STUDENTS, "team"),
    "team_leave": rule("POST", STUDENTS, "team"),  # its members
    # A team's page, and what a teacher changes there: only the class's teachers.
    "team_detail": rule("GET", TEACHERS, "team"),
    "team_rename": rule("POST", TEACHERS, "team"),
    "team_move_in": rule("POST", TEACHERS, "team"),
    "team_move_out": rule("POST", TEACHERS, "team", "team_student"),
    "team_delete": rule("GET POST", TEACHERS, "team"),
    "submission_feedback": rule("GET", {"owner"}, "submission"),
    "submission_review": rule("GET", TEACHERS, "submission"),
    "submission_pdf": rule("GET", TEACHERS | {"owner"}, "submission"),
    "comment_create": rule("POST", TEACHERS, "submission"),
    "comment_answer": rule("POST", {"owner"}, "submission"),
    "comment_resolve": rule("POST", TEACHERS, "comment"),
    "review_save": rule("POST", TEACHERS, "submission"),
    "saved_comment_create": rule("POST", LOGGED_IN),  # one's own comment bank
    "saved_comment_delete": rule("POST", {"teacher"}, "saved_comment"),
}
# Django's reset link carries a signed token: with a made-up one it says the link is invalid.
RULES["password_reset_confirm"] = rule("GET POST", EVERYONE, public=True, verbs=DJANGOS)
FAKE_ARGS = {"password_reset_confirm": ("MQ", "set-password")}


def url_names() -> set[str]:
    """Every named URL of the site but the admin (Django's, staff only)."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_an_access_rule():
    missing = url_names() - set(RULES)
    assert not missing, f"URLs without a rule in {__name__}.RULES: {sorted(missing)}"
    assert not set(RULES) - url_names(), "rules for URLs that no longer exist"


def client_of(world: World, person: str) -> Client:
    client = Client()
    if person in LOGGED_IN:
        client.force_login(world.people[person])
    elif person == "anonymous_with_token":
        client.get(reverse("shared", args=[world.ids["share_token"]]))
    return client


def outcome(response) -> str:
    """What a person sees: the page (or a form error), nothing (404), log in, or a 405."""
    if response.status_code == 404:
        return "not found"
    if response.status_code == 405:
        return "wrong method"
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "log in"
    assert response.status_code < 500, response
    assert response.status_code != 403, "a refusal is a 404, not a 403"
    return "answered"


def expected(rule: Rule, person: str, method: str) -> str:
    if person not in LOGGED_IN and not rule.public:
        return "log in"
    if method not in rule.methods:
        return "wrong method"
    return rule.lands if person in rule.who else "not found"


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_person_gets_what_the_rule_says(world, name):
    rule = RULES[name]
    args = FAKE_ARGS.get(name) or [world.ids[key] for key in rule.args]
    url = reverse(name, args=args)
    clients = {person: client_of(world, person) for person in PEOPLE}
    wrong = []
    for person, client in clients.items():
        for method in rule.verbs:
            savepoint = transaction.savepoint()
            try:
                response = client.generic(method, url)
            finally:
                transaction.savepoint_rollback(savepoint)
            got, want = outcome(response), expected(rule, person, method)
            if got != want:
                wrong.append(f"{method} {url} as {person}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_a_wrong_token_opens_nothing(world):
    assert Client().get(reverse("shared", args=["x" * 32])).status_code == 404
    client = client_of(world, "stranger")
    assert client.get(reverse("invitation", args=["x" * 32])).status_code == 404


def test_a_personal_invitation_is_a_404_for_anyone_else(world):
    invitation = Invitation.objects.create(
        canvas_id=world.ids["canvas"],
        invited_by=world.people["owner"],
        invitee=world.people["editor"],
        role="editor",
    )
    url = reverse("invitation", args=[invitation.token])
    assert client_of(world, "stranger").get(url).status_code == 404
    assert client_of(world, "editor").get(url).status_code == 200
