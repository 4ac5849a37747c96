"""Team assignments: students start, join and leave teams; a member hands in the team's canvas
and every member reads the feedback; a teacher forms teams."""

import csv

import pytest
from django.db import IntegrityError
from django.urls import reverse

from classrooms.models import Submission, Team, TeamMember
from relationships.models import Canvas
from teams.access import Action, canvases
from teams.models import CanvasMember
from tests.classrooms.factories import make_assignment
from tests.factories import make_user
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_assignment(classroom):
    return make_assignment(classroom, title="Pitch", team_work=True)


def student_of(classroom, username):
    student = make_user(username)
    classroom.join(student)
    return student


def test_starting_a_team_gives_it_a_canvas_owned_by_its_first_member(team_assignment):
    ana, ben = make_user("ana"), make_user("ben")
    team = Team.start(team_assignment, "Owls", [ana, ben])
    assert team.canvas.owner == ana
    assert team.canvas.title == "Owls · Pitch"
    assert CanvasMember.objects.get(canvas=team.canvas, user=ben).role == "editor"
    assert list(canvases(ben, Action.EDIT)) == [team.canvas]


def test_a_student_is_in_one_team_per_assignment(team_assignment):
    ana = make_user("ana")
    Team.start(team_assignment, "Owls", [ana])
    other = Team.start(team_assignment, "Larks", [make_user("ben")])
    with pytest.raises(IntegrityError):
        other.add(ana)


def test_a_student_starts_a_team_on_the_class_page(classroom, team_assignment):
    ana = student_of(classroom, "ana")
    client = client_for(ana)
    response = client.post(reverse("team_create", args=[team_assignment.pk]), {"name": "Owls"})
    assert response.status_code == 302
    team = Team.objects.get(assignment=team_assignment)
    assert team.name == "Owls"
    assert team.canvas.owner == ana
    page = client.get(reverse("class_detail", args=[classroom.pk])).text
    assert "Your team: Owls" in page
    assert reverse("canvas_detail", args=[team.canvas.pk]) in page


def test_a_team_name_is_taken_once_per_assignment(classroom, team_assignment):
    Team.start(team_assignment, "Owls", [student_of(classroom, "ana")])
    client = client_for(student_of(classroom, "ben"))
    response = client.post(
        reverse("team_create", args=[team_assignment.pk]), {"name": "owls"}, follow=True
    )
    assert "There is already a team called" in response.text
    assert Team.objects.count() == 1


def test_a_classmate_joins_and_edits_the_team_canvas_then_leaves(classroom, team_assignment):
    team = Team.start(team_assignment, "Owls", [student_of(classroom, "ana")])
    ben = student_of(classroom, "ben")
    client = client_for(ben)
    page = client.get(reverse("class_detail", args=[classroom.pk])).text
    assert "Join “Owls”" in page
    client.post(reverse("team_join", args=[team.pk]))
    assert TeamMember.objects.filter(team=team, student=ben).exists()
    assert client.get(reverse("canvas_edit", args=[team.canvas.pk])).status_code == 200
    client.post(reverse("team_leave", args=[team.pk]))
    assert not TeamMember.objects.filter(team=team, student=ben).exists()
    assert not CanvasMember.objects.filter(canvas=team.canvas, user=ben).exists()
    assert client.get(reverse("canvas_detail", args=[team.canvas.pk])).status_code == 404


def test_the_owner_of_the_team_canvas_cannot_just_leave(classroom, team_assignment):
    ana = student_of(classroom, "ana")
    team = Team.start(team_assignment, "Owls", [ana])
    response = client_for(ana).post(reverse("team_leave", args=[team.pk]), follow=True)
    assert "hand it over to a teammate" in response.text
    assert TeamMember.objects.filter(team=team, student=ana).exists()


def test_nobody_outside_the_class_joins_a_team(classroom, team_assignment):
    team = Team.start(team_assignment, "Owls", [student_of(classroom, "ana")])
    stranger = client_for(make_user("stranger"))
    assert stranger.post(reverse("team_join", args=[team.pk])).status_code == 404
    assert stranger.post(reverse("team_create", args=[team_assignment.pk])).status_code == 404


def test_a_student_in_a_team_cannot_join_another(classroom, team_assignment):
    ana = student_of(classroom, "ana")
    Team.start(team_assignment, "Owls", [ana])
    larks = Team.start(team_assignment, "Larks", [student_of(classroom, "ben")])
    response = client_for(ana).post(reverse("team_join", args=[larks.pk]), follow=True)
    assert "already in a team" in response.text
    assert not larks.members.filter(student=ana).exists()


def test_no_team_on_an_assignment_that_is_not_team_work(classroom, assignment):
    client = client_for(student_of(classroom, "ana"))
    client.post(reverse("team_create", args=[assignment.pk]), {"name": "Owls"})
    assert not Team.objects.exists()


@pytest.fixture
def handed_in(classroom, team_assignment, teacher):
    """Ana and Ben are the Owls; Ben hands in the team's canvas and the teacher reviews it."""
    ana, ben = student_of(classroom, "ana"), student_of(classroom, "ben")
    team = Team.start(team_assignment, "Owls", [ana, ben])
    client_for(ben).post(reverse("assignment_submit", args=[team_assignment.pk]))
    submission = Submission.objects.get()
    submission.set_verdict(Submission.Status.APPROVED, "Well argued, Owls.", teacher)
    return ana, ben, team, submission


def test_a_member_hands_in_the_team_canvas(handed_in):
    _ana, ben, team, submission = handed_in
    assert (submission.student, submission.team, submission.canvas) == (ben, team, team.canvas)


def test_the_confirmation_names_the_team(classroom, team_assignment):
    ana = student_of(classroom, "ana")
    Team.start(team_assignment, "Owls", [ana])
    page = client_for(ana).get(reverse("assignment_submit", args=[team_assignment.pk])).text
    assert "for the team “Owls”" in page


def test_a_student_without_a_team_cannot_hand_in_a_team_assignment(classroom, team_assignment):
    ana = student_of(classroom, "ana")
    client = client_for(ana)
    response = client.post(reverse("assignment_submit", args=[team_assignment.pk]), follow=True)
    assert "Start or join a team first" in response.text
    assert not Submission.objects.exists()


def test_every_member_reads_the_verdict_and_feedback(handed_in, teacher):
    ana, _ben, _team, submission = handed_in
    client = client_for(ana)
    page = client.get(reverse("class_detail", args=[submission.assignment.classroom_id])).text
    assert reverse("submission_feedback", args=[submission.pk]) in page
    assert "handed in by ben" in page
    feedback = client.get(reverse("submission_feedback", args=[submission.pk]))
    assert feedback.status_code == 200
    assert "Well argued, Owls." in feedback.text
    pdf = client.get(reverse("submission_pdf", args=[submission.pk]))
    assert pdf.status_code == 200


def test_a_stranger_and_another_team_get_a_404(handed_in, classroom, team_assignment):
    _ana, _ben, _team, submission = handed_in
    carl = student_of(classroom, "carl")
    Team.start(team_assignment, "Larks", [carl])
    for user in (carl, make_user("stranger")):
        client = client_for(user)
        for name in ("submission_feedback", "submission_pdf"):
            assert client.get(reverse(name, args=[submission.pk])).status_code == 404


def test_a_member_who_left_no_longer_reads_the_feedback(handed_in):
    ana, _ben, team, submission = handed_in
    team.remove(ana)  # as if ana did not own the canvas: she handed it over first
    url = reverse("submission_feedback", args=[submission.pk])
    assert client_for(ana).get(url).status_code == 404


def test_a_teacher_forms_a_team_from_the_dashboard(classroom, team_assignment, teacher_client):
    ana, ben = student_of(classroom, "ana"), student_of(classroom, "ben")
    url = reverse("team_form", args=[team_assignment.pk])
    teacher_client.post(url, {"name": "Owls", "students": [ana.pk, ben.pk]})
    team = Team.objects.get()
    assert team.canvas.owner == ana
    assert set(team.members.values_list("student__username", flat=True)) == {"ana", "ben"}
    # Someone already in a team cannot be put in another.
    response = teacher_client.post(url, {"name": "Larks", "students": [ana.pk]}, follow=True)
    assert Team.objects.count() == 1
    assert "Select a valid choice" in response.text


def test_the_assignment_forms_make_team_work(classroom, teacher_client, assignment):
    url = reverse("assignment_edit", args=[assignment.pk])
    data = {"title": "Pitch", "instructions": "", "due_at": "2030-01-01T10:00", "team_work": "on"}
    teacher_client.post(url, data)
    assignment.refresh_from_db()
    assert assignment.team_work


def test_the_dashboard_has_a_row_per_team_with_its_members(handed_in, classroom, teacher_client):
    _ana, _ben, _team, submission = handed_in
    dan = student_of(classroom, "dan")
    Team.start(submission.assignment, "Larks", [student_of(classroom, "carl")])
    page = teacher_client.get(reverse("assignment_dashboard", args=[submission.assignment.pk]))
    rows = page.context["roster"].rows
    assert [row.name for row in rows] == ["Larks", "Owls", "dan"]
    owls = rows[1]
    assert owls.submission.pk == submission.pk  # a summary of it: what the dashboard shows
    assert [mate.student.username for mate in owls.members] == ["ana", "ben"]
    assert "ana, ben" in page.text
    assert "(in no team)" in page.text
    assert reverse("submission_review", args=[submission.pk]) in page.text
    assert rows[2].student.pk == dan.pk
    assert "Form a team" in page.text


def test_the_csv_has_a_row_per_student_with_the_teams_result(handed_in, classroom, teacher_client):
    _ana, _ben, _team, submission = handed_in
    student_of(classroom, "dan")
    response = teacher_client.get(reverse("assignment_csv", args=[submission.assignment.pk]))
    lines = response.content.decode("utf-8-sig").splitlines()
    header, *rows = list(csv.reader(lines))
    by_student = {row[0]: row for row in rows}
    assert set(by_student) == {"ana", "ben", "dan"}
    team, status = header.index("team"), header.index("status")
    assert by_student["ana"][team] == by_student["ben"][team] == "Owls"
    assert by_student["ana"][status] == by_student["ben"][status] == "Approved"
    assert by_student["dan"][team] == ""
    assert by_student["dan"][status] == "Not submitted"


def test_the_review_queue_has_a_team_once_with_its_newest_hand_in(classroom, team_assignment):
    ana, ben = student_of(classroom, "ana"), student_of(classroom, "ben")
    Team.start(team_assignment, "Owls", [ana, ben])
    url = reverse("assignment_submit", args=[team_assignment.pk])
    client_for(ana).post(url)
    client_for(ben).post(url)
    queue = Submission.objects.waiting_for_review(team_assignment)
    assert [s.student for s in queue] == [ben]


def test_the_review_of_a_team_hand_in_starts_from_the_teams_last_round(handed_in):
    ana, _ben, team, first = handed_in
    second = first.assignment.submit(ana, team.canvas, team=team)
    assert second.previous_reviewed() == first


def test_a_team_whose_canvas_was_deleted_cannot_hand_in(classroom, team_assignment):
    ana = student_of(classroom, "ana")
    team = Team.start(team_assignment, "Owls", [ana])
    team.canvas.delete()
    url = reverse("assignment_submit", args=[team_assignment.pk])
    response = client_for(ana).post(url, follow=True)
    assert "canvas was deleted: ask your teacher" in response.text
    assert not Submission.objects.exists()


def test_a_removed_student_stops_editing_the_team_canvas_until_let_back(
    classroom, team_assignment, teacher_client
):
    ana, ben = student_of(classroom, "ana"), student_of(classroom, "ben")
    team = Team.start(team_assignment, "Owls", [ana, ben])
    membership = classroom.memberships.get(student=ben)
    teacher_client.post(reverse("member_remove", args=[classroom.pk, membership.pk]))
    assert not canvases(ben, Action.READ).filter(pk=team.canvas.pk).exists()
    assert canvases(ana, Action.EDIT).filter(pk=team.canvas.pk).exists()  # the owner stays
    teacher_client.post(reverse("member_restore", args=[classroom.pk, membership.pk]))
    assert canvases(ben, Action.EDIT).filter(pk=team.canvas.pk).exists()


def test_the_canvas_owner_cannot_take_a_teammate_off_the_team_canvas(classroom, team_assignment):
    """The team leads: on the members page, a teammate stays an editor while in the team."""
    ana, ben = student_of(classroom, "ana"), student_of(classroom, "ben")
    team = Team.start(team_assignment, "Owls", [ana, ben])
    helper = make_user("helper")  # invited by Ana, in no team: hers to remove
    CanvasMember.objects.create(canvas=team.canvas, user=helper, role="viewer")
    ben_row = CanvasMember.objects.get(canvas=team.canvas, user=ben)
    client = client_for(ana)
    page = client.get(reverse("canvas_members", args=[team.canvas.pk])).text
    assert "in the team “Owls”" in page
    assert reverse("canvas_member_remove", args=[ben_row.pk]) not in page

    response = client.post(reverse("canvas_member_remove", args=[ben_row.pk]), follow=True)
    assert "only your teacher can take them out of the team" in response.text
    client.post(reverse("canvas_member_role", args=[ben_row.pk]), {"role": "viewer"})
    ben_row.refresh_from_db()
    assert ben_row.role == "editor"
    assert team.members.filter(student=ben).exists()
    assert canvases(ben, Action.EDIT).filter(pk=team.canvas.pk).exists()

    helper_row = CanvasMember.objects.get(canvas=team.canvas, user=helper)
    client.post(reverse("canvas_member_remove", args=[helper_row.pk]))
    assert not CanvasMember.objects.filter(pk=helper_row.pk).exists()


def test_a_teammate_leaving_the_team_canvas_leaves_the_team(classroom, team_assignment):
    ana, ben = student_of(classroom, "ana"), student_of(classroom, "ben")
    team = Team.start(team_assignment, "Owls", [ana, ben])
    response = client_for(ben).post(reverse("leave", args=[team.canvas.pk]), follow=True)
    assert "You left “Owls · Pitch” and the team “Owls”." in response.text
    assert not team.members.filter(student=ben).exists()
    assert not CanvasMember.objects.filter(canvas=team.canvas, user=ben).exists()
    page = client_for(ben).get(reverse("class_detail", args=[classroom.pk])).text
    assert "Join “Owls”" in page  # in no team: free to join one again


@pytest.fixture
def ana_in_a_team(classroom, team_assignment):
    """Ana, with a canvas of her own, in the team "Owls", and an individual assignment."""
    ana = student_of(classroom, "ana")
    own = Canvas.objects.create(owner=ana, title="Ana's bakery")
    team = Team.start(team_assignment, "Owls", [ana])
    return ana, own, team, make_assignment(classroom, title="Solo work")


def test_an_individual_assignment_offers_and_takes_only_the_students_own_canvases(
    classroom, ana_in_a_team
):
    ana, own, team, solo = ana_in_a_team
    client = client_for(ana)
    page = client.get(reverse("class_detail", args=[classroom.pk])).text
    assert f'<option value="{own.pk}"' in page
    assert f'<option value="{team.canvas.pk}"' not in page  # offered nowhere as a choice
    url = reverse("assignment_submit", args=[solo.pk])
    response = client.post(url, {"canvas": team.canvas.pk})
    assert response.status_code == 422
    assert "is the canvas of the team “Owls”: it is handed in for the team assignment" in (
        response.text
    )
    assert not Submission.objects.filter(assignment=solo).exists()
    client.post(url, {"canvas": own.pk})
    assert Submission.objects.get(assignment=solo).canvas == own


def test_the_owner_of_a_team_canvas_cannot_invite_outsiders(classroom, team_assignment):
    from teams.models import Invitation

    ana = student_of(classroom, "ana")
    make_user("zoe")
    team = Team.start(team_assignment, "Owls", [ana])
    client = client_for(ana)
    url = reverse("invite", args=[team.canvas.pk])
    response = client.post(url, {"username": "zoe", "role": "editor"})
    assert response.status_code == 422
    assert "This is the canvas of the team “Owls” for “Pitch”" in response.text
    link_url = reverse("invitation_link", args=[team.canvas.pk])
    response = client.post(link_url, {"role": "viewer", "days": 7}, follow=True)
    assert "Classmates join the team on the class page" in response.text
    assert not Invitation.objects.filter(canvas=team.canvas).exists()


def test_a_team_canvas_members_page_gives_the_reason_instead_of_the_invite_forms(
    classroom, team_assignment
):
    ana = student_of(classroom, "ana")
    team = Team.start(team_assignment, "Owls", [ana])
    page = client_for(ana).get(reverse("canvas_members", args=[team.canvas.pk])).text
    assert 'id="invite-refusal"' in page
    assert "This is the canvas of the team “Owls” for “Pitch”" in page
    assert reverse("invite", args=[team.canvas.pk]) not in page
    assert reverse("invitation_link", args=[team.canvas.pk]) not in page
    assert reverse("share_link_create", args=[team.canvas.pk]) in page  # read-only links stay
    own = Canvas.objects.create(owner=ana, title="Ana's bakery")  # her own canvas: invite away
    page = client_for(ana).get(reverse("canvas_members", args=[own.pk])).text
    assert reverse("invite", args=[own.pk]) in page
    assert 'id="invite-refusal"' not in page


def test_an_invitation_open_before_the_canvas_became_a_teams_is_refused(classroom, team_assignment):
    from teams.models import Invitation

    ana, zoe, max_ = student_of(classroom, "ana"), make_user("zoe"), make_user("max")
    canvas = Canvas.objects.create(owner=ana, title="Owls · Pitch")
    personal = Invitation.objects.create(canvas=canvas, invited_by=ana, invitee=zoe, role="editor")
    link = Invitation.objects.create(canvas=canvas, invited_by=ana, role="viewer")
    team = Team.objects.create(assignment=team_assignment, name="Owls", canvas=canvas)
    TeamMember.objects.create(team=team, assignment=team_assignment, student=ana)

    zoes = client_for(zoe)
    url = reverse("invitation", args=[personal.token])
    page = zoes.get(url)
    assert page.status_code == 200
    assert "This is the canvas of the team “Owls” for “Pitch”" in page.text
    assert 'value="accept"' not in page.text
    response = zoes.post(url, {"answer": "accept"})
    assert response.status_code == 409
    assert "This is the canvas of the team “Owls” for “Pitch”" in response.text
    response = client_for(max_).post(reverse("invitation", args=[link.token]), {"answer": "accept"})
    assert response.status_code == 409
    assert not CanvasMember.objects.filter(canvas=canvas).exists()
    zoes.post(url, {"answer": "decline"})  # she can still clear it from her list
    personal.refresh_from_db()
    assert personal.declined_at is not None


def test_a_team_canvas_refused_for_an_individual_hand_in_is_said_beside_the_select(
    ana_in_a_team,
):
    ana, own, team, solo = ana_in_a_team
    url = reverse("assignment_submit", args=[solo.pk])
    response = client_for(ana).get(url, {"canvas": team.canvas.pk})  # the select's own GET
    assert response.status_code == 422
    page = response.text
    select = f'<select name="canvas" id="canvas-{solo.pk}" aria-invalid="true"'
    assert f'aria-describedby="canvas-{solo.pk}_error" autofocus>' in page  # the cursor there
    assert select in page
    error = f'<small class="field-error" id="canvas-{solo.pk}_error">“Owls · Pitch” is the canvas'
    assert error in page
    assert page.index(select) < page.index(error)
    assert f'<option value="{team.canvas.pk}" selected>Owls · Pitch</option>' in page
    assert f'<option value="{own.pk}">' in page
    assert 'class="notice notice-error"' not in page  # not at the top of the page


def test_a_member_whose_teammate_handed_in_reads_who_did(classroom, team_assignment):
    ana, ben = student_of(classroom, "ana"), student_of(classroom, "ben")
    team = Team.start(team_assignment, "Owls", [ana, ben])
    team_assignment.submit(ana, team.canvas, team=team)
    page = client_for(ben).get(reverse("class_detail", args=[classroom.pk])).text
    assert "What your team handed in" in page
    assert "What you handed in" not in page
    assert "handed in by ana" in page
    assert "Last handed in by ana on" in page
    assert "Hand in again for the team" in page
    own_page = client_for(ana).get(reverse("class_detail", args=[classroom.pk])).text
    assert "handed in by you" in own_page
    assert "Last handed in by" not in own_page


def test_a_student_who_left_the_team_reads_what_it_handed_in_as_their_former_teams(
    handed_in, classroom, team_assignment
):
    _ana, ben, team, _submission = handed_in  # ben handed in for the Owls
    team.remove(ben)
    page = client_for(ben).get(reverse("class_detail", args=[classroom.pk])).text
    assert "What your former team handed in" in page
    assert "What your team handed in" not in page
    assert "for the team “Owls”, which you have left" in page
    Team.start(team_assignment, "Larks", [ben])
    page = client_for(ben).get(reverse("class_detail", args=[classroom.pk])).text
    assert "What your team and your former team handed in" in page
    assert "for the team “Owls”, which you have left" in page


def test_the_review_of_a_team_hand_in_writes_its_summary_for_the_team(handed_in, teacher_client):
    _ana, _ben, _team, submission = handed_in
    page = teacher_client.get(reverse("submission_review", args=[submission.pk])).text
    assert "Summary for the team" in page
    assert "for the student" not in page
    assert "<title>Review: Owls" in page


def test_the_review_of_a_team_hand_in_names_the_team(handed_in, teacher_client):
    """The breadcrumb ends with the team, and the header says for which team it came; the
    team comes with the submission, in the lookup's query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _ana, _ben, team, submission = handed_in
    team.rename("Owls & Co")
    with CaptureQueriesContext(connection) as queries:
        page = teacher_client.get(reverse("submission_review", args=[submission.pk])).text
    assert "<li>Owls &amp; Co</li>" in page
    assert "Handed in by ben for the team “Owls &amp; Co” on" in page
    alone = [q["sql"] for q in queries if q["sql"].startswith('SELECT "classrooms_team"."id"')]
    assert alone == []


def test_the_review_of_a_team_hand_in_leads_to_the_next_team(
    classroom, team_assignment, teacher_client
):
    owls = Team.start(team_assignment, "Owls", [student_of(classroom, "ana")])
    larks = Team.start(team_assignment, "Larks", [student_of(classroom, "ben")])
    url = reverse("assignment_submit", args=[team_assignment.pk])
    for team in (owls, larks):
        client_for(team.members.get().student).post(url)
    first, second = Submission.objects.order_by("submitted_at")

    page = teacher_client.get(reverse("submission_review", args=[first.pk])).text
    next_url = reverse("submission_review", args=[second.pk])
    assert f'href="{next_url}">Next team →' in page
    assert "Save and go to the next team" in page
    assert "Next student" not in page
    assert "Save and go to the next student" not in page

    response = teacher_client.post(
        reverse("review_save", args=[first.pk]), {"status": "approved", "next": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == next_url
    assert "Review saved for Owls." in response.text
    # The last team waiting: nothing comes next, and the button still speaks of teams.
    assert "No other submission is waiting." in response.text
    assert "Save and go to the next team" in response.text
