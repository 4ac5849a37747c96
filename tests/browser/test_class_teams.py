"""A team of two students, each in their own browser: start, join, hand in, read the verdict."""

import re

import pytest
from playwright.sync_api import expect

from classrooms.models import Submission
from tests.browser.test_review_flow import PASSWORD, log_in
from tests.classrooms.factories import make_assignment, make_classroom

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_team_hands_in_and_both_members_see_the_verdict(
    browser, live_server, django_user_model, screenshot_dir
):
    teacher = django_user_model.objects.create_user("teacher", password=PASSWORD)
    classroom = make_classroom(teacher, name="Startups 101")
    assignment = make_assignment(classroom, title="Pitch", team_work=True)
    for name in ("ana", "ben"):
        classroom.join(django_user_model.objects.create_user(name, password=PASSWORD))
    class_url = f"{live_server.url}/classes/{classroom.pk}/"

    ana_context, ana = log_in(browser, live_server, "ana")
    ana.goto(class_url)
    ana.get_by_label("Team name").fill("Owls")
    ana.get_by_role("button", name="Start a team").click()
    expect(ana.locator("#flash")).to_contain_text("You started the team “Owls”")
    expect(ana.get_by_role("heading", name="Your team: Owls")).to_be_visible()

    ben_context, ben = log_in(browser, live_server, "ben")
    ben.goto(class_url)
    ben.get_by_role("button", name="Join “Owls”").click()
    expect(ben.get_by_text("Members: ana, ben")).to_be_visible()
    ben.get_by_role("button", name="Hand in for the team").click()
    expect(ben.locator("h1")).to_contain_text("Hand in “Owls · Pitch”?")
    expect(ben.get_by_text("You hand it in for the team “Owls”")).to_be_visible()
    ben.get_by_role("button", name=re.compile("^Hand in")).click()
    expect(ben.locator("#flash")).to_contain_text("Handed in")

    submission = Submission.objects.get(assignment=assignment)
    submission.set_verdict(Submission.Status.APPROVED, "A sound plan, Owls.", teacher)

    for page in (ana, ben):
        page.goto(class_url)
        team_article = page.locator(f"#assignment-{assignment.pk}")
        expect(team_article.get_by_text("Approved")).to_be_visible()
        team_article.get_by_role("link", name=re.compile(r"\d")).first.click()
        expect(page.get_by_text("A sound plan, Owls.")).to_be_visible()
    ana.goto(class_url)
    ana.screenshot(path=str(screenshot_dir / "class-team-student.png"), full_page=True)
    ana_context.close()
    ben_context.close()
