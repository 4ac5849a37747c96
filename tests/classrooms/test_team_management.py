"""A teacher manages a team from its page: renames it, moves students in and out, deletes it."""

import pytest
from django.urls import reverse

from classrooms.models import CoTeacher, Submission, Team, TeamMember
from relationships.models import Canvas
from teams.access import Action, canvases
from teams.models import CanvasMember
from tests.classrooms.factories import make_assignment, make_classroom
from tests.factories import make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def student_of(classroom, username):
    student = make_user(username)
    classroom.join(student)
    return student


@pytest.fixture
def team_assignment(classroom):
    return make_assignment(classroom, title="Pitch", team_work=True)


@pytest.fixture
def owls(classroom, team_assignment):
    """Ana (owns the canvas), Ben and Carl are the Owls."""
    students = [student_of(classroom, name) for name in ("ana", "ben", "carl")]
    return Team.start(team_assignment, "Owls", students)


def members(team) -> list[str]:
    return sorted(team.members.values_list("student__username", flat=True))


def can_edit(student, team) -> bool:
    return canvases(student, Action.EDIT).filter(pk=team.canvas_id).exists()


def test_the_dashboard_leads_to_the_teams_page(teacher_client, owls):
    dashboard = reverse("assignment_dashboard", args=[owls.assignment_id])
    page = teacher_client.get(dashboard).text
    assert reverse("team_detail", args=[owls.pk]) in page
    page = teacher_client.get(reverse("team_detail", args=[owls.pk])).text
    assert "Team “Owls”" in page
    assert "Its canvas belongs to ana" in page
    for name in ("ana", "ben", "carl"):
        assert reverse("team_move_out", args=[owls.pk, make_pk(owls, name)]) in page


def make_pk(team, username) -> int:
    return team.members.get(student__username=username).student_id


def test_a_teacher_renames_a_team_and_a_taken_name_is_refused(teacher_client, owls):
    Team.start(owls.assignment, "Larks", [student_of(owls.assignment.classroom, "dan")])
    url = reverse("team_rename", args=[owls.pk])
    response = teacher_client.post(url, {"name": "larks"})
    assert response.status_code == 422
    assert "There is already a team called “larks”." in response.text
    assert "Team “Owls”" in response.text  # the heading keeps the saved name
    owls.refresh_from_db()
    assert owls.name == "Owls"

    response = teacher_client.post(url, {"name": "owls"}, follow=True)  # its own name, recased
    assert "The team is called “owls” now, and its canvas “owls · Pitch”." in response.text
    response = teacher_client.post(url, {"name": "  Night owls "}, follow=True)
    owls.refresh_from_db()
    assert owls.name == "Night owls"


def test_renaming_a_team_renames_its_canvas_where_its_members_see_it(teacher_client, owls):
    revision = owls.canvas.revision
    teacher_client.post(reverse("team_rename", args=[owls.pk]), {"name": "Falcons"})
    owls.canvas.refresh_from_db()
    assert owls.canvas.title == "Falcons · Pitch"
    assert owls.canvas.revision == revision + 1  # its PDF and open editors follow
    ben = client_for(owls.members.get(student__username="ben").student)
    class_page = ben.get(reverse("class_detail", args=[owls.assignment.classroom_id])).text
    assert "Open the team's canvas “Falcons · Pitch”" in class_page
    assert "Falcons · Pitch" in ben.get(reverse("canvas_list")).text


@pytest.mark.parametrize(
    ("title", "renamed"),
    [
        ("Owls - final pitch", "Falcons - final pitch"),  # the students' words, new name
        ("Our bowling app", "Our bowling app"),  # no team name in it: theirs, left alone
        ("Owlsome", "Owlsome"),  # "Owls" inside a word is not the team's name
    ],
)
def test_a_title_the_members_wrote_keeps_their_words(teacher_client, owls, title, renamed):
    Canvas.objects.filter(pk=owls.canvas_id).update(title=title)
    response = teacher_client.post(
        reverse("team_rename", args=[owls.pk]), {"name": "Falcons"}, follow=True
    )
    owls.canvas.refresh_from_db()
    assert owls.canvas.title == renamed
    if renamed == title:
        assert f"its canvas keeps its title, “{title}”." in response.text
    else:
        assert f"and its canvas “{renamed}”." in response.text


def test_a_co_teacher_manages_the_team_too_and_another_teacher_gets_a_404(classroom, owls):
    colleague = make_user("colleague")
    CoTeacher.objects.create(classroom=classroom, user=colleague)
    url = reverse("team_rename", args=[owls.pk])
    client_for(colleague).post(url, {"name": "Barn owls"})
    owls.refresh_from_db()
    assert owls.name == "Barn owls"
    other_teacher = make_user("other")
    make_classroom(other_teacher)
    client = client_for(other_teacher)
    assert client.get(reverse("team_detail", args=[owls.pk])).status_code == 404
    assert client.post(url, {"name": "Mine"}).status_code == 404
    ana = owls.members.get(student__username="ana").student
    assert client_for(ana).get(reverse("team_detail", args=[owls.pk])).status_code == 404


def test_a_student_in_no_team_is_moved_in_and_edits_the_canvas(teacher_client, classroom, owls):
    dan = student_of(classroom, "dan")
    page = teacher_client.get(reverse("team_detail", args=[owls.pk])).text
    assert "dan (in no team)" in page
    response = teacher_client.post(
        reverse("team_move_in", args=[owls.pk]), {"student": dan.pk}, follow=True
    )
    assert "dan is in “Owls” now." in response.text
    assert members(owls) == ["ana", "ben", "carl", "dan"]
    assert can_edit(dan, owls)
    # Dan hands in the team's canvas as any member does.
    client_for(dan).post(reverse("assignment_submit", args=[owls.assignment_id]))
    assert Submission.objects.get().team == owls


def test_a_student_moved_from_another_team_leaves_its_canvas(teacher_client, classroom, owls):
    dan, eva = student_of(classroom, "dan"), student_of(classroom, "eva")
    larks = Team.start(owls.assignment, "Larks", [dan, eva])
    page = teacher_client.get(reverse("team_detail", args=[owls.pk])).text
    assert "eva (now in “Larks”)" in page
    response = teacher_client.post(
        reverse("team_move_in", args=[owls.pk]), {"student": eva.pk}, follow=True
    )
    assert "eva moved from “Larks” to “Owls”." in response.text
    assert members(larks) == ["dan"]
    assert can_edit(eva, owls)
    assert not canvases(eva, Action.READ).filter(pk=larks.canvas_id).exists()


def test_the_only_member_owning_another_teams_canvas_cannot_be_moved_in(
    teacher_client, classroom, owls
):
    dan = student_of(classroom, "dan")
    larks = Team.start(owls.assignment, "Larks", [dan])
    response = teacher_client.post(reverse("team_move_in", args=[owls.pk]), {"student": dan.pk})
    assert response.status_code == 422
    assert "dan owns the canvas of “Larks” and is its only member" in response.text
    assert members(larks) == ["dan"]
    assert members(owls) == ["ana", "ben", "carl"]


def test_a_member_moved_out_loses_the_canvas_and_the_feedback(teacher, teacher_client, owls):
    ben = owls.members.get(student__username="ben").student
    carl = owls.members.get(student__username="carl").student
    client_for(carl).post(reverse("assignment_submit", args=[owls.assignment_id]))
    submission = Submission.objects.get()
    submission.set_verdict(Submission.Status.APPROVED, "Good.", teacher)
    response = teacher_client.post(reverse("team_move_out", args=[owls.pk, ben.pk]), follow=True)
    assert "ben is no longer in “Owls”." in response.text
    assert members(owls) == ["ana", "carl"]
    assert not can_edit(ben, owls)
    feedback = reverse("submission_feedback", args=[submission.pk])
    assert client_for(ben).get(feedback).status_code == 404
    ana = owls.members.get(student__username="ana").student
    assert client_for(ana).get(feedback).status_code == 200  # the hand-in stays the team's
    # Carl, moved out in turn, still reads what he handed in himself.
    teacher_client.post(reverse("team_move_out", args=[owls.pk, carl.pk]))
    assert client_for(carl).get(feedback).status_code == 200


def test_moving_out_the_canvas_owner_hands_the_canvas_to_the_longest_member(teacher_client, owls):
    ana = owls.canvas.owner
    response = teacher_client.post(reverse("team_move_out", args=[owls.pk, ana.pk]), follow=True)
    assert "canvas now belongs to ben." in response.text
    owls.refresh_from_db()
    assert owls.canvas.owner.username == "ben"
    assert members(owls) == ["ben", "carl"]
    assert not canvases(ana, Action.READ).filter(pk=owls.canvas_id).exists()
    carl = owls.members.get(student__username="carl").student
    assert CanvasMember.objects.get(canvas=owls.canvas, user=carl).role == "editor"


def test_the_last_member_owning_the_canvas_cannot_be_moved_out(teacher_client, classroom):
    dan = student_of(classroom, "dan")
    larks = Team.start(make_assignment(classroom, team_work=True), "Larks", [dan])
    page = teacher_client.get(reverse("team_detail", args=[larks.pk])).text
    assert "is its only member" in page
    assert reverse("team_move_out", args=[larks.pk, dan.pk]) not in page
    response = teacher_client.post(reverse("team_move_out", args=[larks.pk, dan.pk]), follow=True)
    assert "is its only member" in response.text
    assert members(larks) == ["dan"]


def test_the_last_member_of_a_team_that_handed_in_is_not_told_to_delete_it(
    teacher_client, classroom
):
    """A team that handed in cannot be deleted: the refusal offers only to move someone in."""
    dan = student_of(classroom, "dan")
    larks = Team.start(make_assignment(classroom, team_work=True), "Larks", [dan])
    url = reverse("team_detail", args=[larks.pk])
    assert "or delete the team" in teacher_client.get(url).text  # nothing handed in: it may go
    client_for(dan).post(reverse("assignment_submit", args=[larks.assignment_id]))
    page = teacher_client.get(url).text
    assert "is its only member: move someone else into the team first." in page
    assert "or delete the team" not in page
    response = teacher_client.post(reverse("team_move_out", args=[larks.pk, dan.pk]), follow=True)
    assert "is its only member: move someone else into the team first." in response.text
    assert members(larks) == ["dan"]


def test_someone_not_in_the_team_is_not_moved_out(teacher_client, classroom, owls):
    dan = student_of(classroom, "dan")
    url = reverse("team_move_out", args=[owls.pk, dan.pk])
    assert teacher_client.post(url).status_code == 404


def test_deleting_a_team_asks_first_and_keeps_its_canvas_with_its_owner(teacher_client, owls):
    canvas = owls.canvas
    url = reverse("team_delete", args=[owls.pk])
    page = teacher_client.get(url).text
    assert "Delete the team “Owls”?" in page
    assert "it stays with ana" in page
    assert Team.objects.filter(pk=owls.pk).exists()  # asking deletes nothing

    response = teacher_client.post(url, follow=True)
    assert "The team “Owls” is deleted" in response.text
    assert response.redirect_chain[-1][0].startswith(
        reverse("assignment_dashboard", args=[owls.assignment_id])
    )
    assert not Team.objects.filter(pk=owls.pk).exists()
    assert not TeamMember.objects.exists()
    canvas.refresh_from_db()
    assert canvas.owner.username == "ana"
    assert set(
        CanvasMember.objects.filter(canvas=canvas).values_list("user__username", flat=True)
    ) == {
        "ben",
        "carl",
    }


def test_a_team_that_handed_in_is_not_deleted(teacher_client, owls):
    ana = owls.canvas.owner
    client_for(ana).post(reverse("assignment_submit", args=[owls.assignment_id]))
    team_page = teacher_client.get(reverse("team_detail", args=[owls.pk])).text
    assert "has handed in 1 time" in team_page
    url = reverse("team_delete", args=[owls.pk])
    assert url not in team_page
    page = teacher_client.get(url).text
    assert "“Owls” cannot be deleted" in page
    assert "has handed in 1 time" in page
    assert "Yes, delete the team" not in page
    response = teacher_client.post(url, follow=True)
    assert "cannot be deleted" in response.text
    assert Team.objects.filter(pk=owls.pk).exists()
    assert Submission.objects.get().team_id == owls.pk


@pytest.mark.parametrize("students", [3, 30])
def test_the_team_page_takes_as_many_queries_for_3_members_as_for_30(
    django_assert_num_queries, teacher, classroom, team_assignment, students
):
    team = Team.start(
        team_assignment, "Owls", [student_of(classroom, f"s{i:02}") for i in range(students)]
    )
    for i in range(students):
        student_of(classroom, f"other{i:02}")
    client = client_for(teacher)
    client.get(reverse("canvas_list"))  # the session is made
    # The session with its user, team (with its assignment, class, canvas and owner), members,
    # is the owner the last member, hand-ins, students to move in (asked, then listed), badge.
    with django_assert_num_queries(8):
        page = client.get(reverse("team_detail", args=[team.pk])).text
    assert page.count("Move out of the team") == students
    assert page.count("(in no team)") == students
