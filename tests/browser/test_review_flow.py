"""A teacher and a student, each in their own browser, from class to verdict."""

import re

import pytest
from playwright.sync_api import expect

from relationships.sample import create_sample_canvas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pan-de-masa-madre-42"


def log_in(browser, live_server, username):
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My canvases")).to_be_visible()
    return context, page


def test_from_class_to_verdict(browser, live_server, django_user_model, screenshot_dir):
    django_user_model.objects.create_user("teacher", password=PASSWORD)
    student = django_user_model.objects.create_user("ana", password=PASSWORD)
    create_sample_canvas(student)

    teacher_context, teacher = log_in(browser, live_server, "teacher")
    teacher.get_by_role("banner").get_by_role("link", name="My classes").click()
    teacher.get_by_label("Class").fill("Startups 101")
    teacher.get_by_role("button", name="Create class").click()
    teacher.get_by_label("Title").fill("Customer relationships block")
    teacher.get_by_label("Due").fill("2030-06-01T12:00")
    teacher.get_by_role("button", name="Create assignment").click()
    expect(teacher.get_by_role("heading", name="Customer relationships block")).to_be_visible()
    teacher.get_by_role("link", name="Startups 101").click()
    code = teacher.locator(".join-code").inner_text()

    student_context, student_page = log_in(browser, live_server, "ana")
    student_page.get_by_role("banner").get_by_role("link", name="My classes").click()
    student_page.get_by_role("button", name="Join a class with a code").click()
    student_page.get_by_label("Join code").fill(code.lower())
    student_page.get_by_role("button", name="Join").click()
    student_page.get_by_role("button", name="Hand in").click()
    # The next page shows what the teacher will get and asks to confirm.
    expect(student_page.locator("h1")).to_contain_text("Hand in “")
    student_page.get_by_role("button", name=re.compile("^Hand in")).click()
    expect(student_page.locator("#flash")).to_contain_text("Handed in")

    teacher.get_by_role("link", name="Customer relationships block", exact=True).click()
    teacher.get_by_role("button", name="Review the next submission").click()
    card = teacher.locator("article.relationship-card").first
    comments = teacher.locator(".relationship-list > li").first.locator(".anchor-comments")
    comments.get_by_text("Comment on this row").click()
    comments.get_by_role("textbox").fill("How many hours a week is this?")
    comments.get_by_role("button", name="Add comment").click()
    expect(comments.locator(".comment")).to_contain_text("How many hours a week is this?")
    expect(card).to_be_visible()
    teacher.get_by_label("Approve").check()
    teacher.get_by_label("Summary for the student").fill("Clear block, well costed.")
    teacher.get_by_role("button", name="Save review", exact=True).click()
    expect(teacher.locator("#flash")).to_contain_text("Review saved for ana")
    teacher.screenshot(path=str(screenshot_dir / "10-review.png"), full_page=True)
    teacher.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Customer relationships block"
    ).click()
    row = teacher.locator("tr", has_text="ana")
    expect(row).to_contain_text("Approved")
    teacher.screenshot(path=str(screenshot_dir / "12-dashboard.png"), full_page=True)

    student_page.get_by_role("banner").get_by_role("link", name="My classes").click()
    expect(student_page.locator(".badge.new").locator("visible=true").first).to_be_visible()
    student_page.get_by_role("link", name="Startups 101").click()
    student_page.locator("a[href^='/submissions/']").first.click()
    expect(student_page.locator(".verdict-box")).to_contain_text("Clear block, well costed.")
    first_row = student_page.locator(".relationship-list > li").first
    expect(first_row.locator(".comment")).to_contain_text("How many hours a week is this?")
    student_page.screenshot(path=str(screenshot_dir / "11-feedback.png"), full_page=True)
    teacher_context.close()
    student_context.close()
