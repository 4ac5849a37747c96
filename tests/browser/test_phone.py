"""Every main page on a 390 px phone: nothing scrolls sideways and every control can be hit
(at least 24 x 24 px, WCAG 2.5.8; links inside a sentence are the standard's exception)."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from classrooms.models import Comment, Submission, Team
from relationships.models import Canvas
from relationships.sample import create_sample_canvas
from teams.models import CanvasMember, Invitation, ShareLink
from tests.classrooms.factories import make_assignment, make_classroom
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a person taps, and which of it is exempt: a link that is part of a line of text.
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      "a, button, input:not([type=hidden]), select, textarea, summary")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") continue;
    if (el.closest("[hidden], .visually-hidden")) continue;
    let target = box;
    if (el.matches("input[type=radio], input[type=checkbox]")) {
      const label = el.closest("label") || document.querySelector(`label[for="${el.id}"]`);
      if (label) target = label.getBoundingClientRect();
    }
    const inline = el.tagName === "A" && getComputedStyle(el).display === "inline"
      && el.closest("p, li, dd, small, td, .help, .prose")
      && !el.closest(".item-actions, .form-actions, .site-menu, .cost-add");
    if (inline) continue;
    if (target.width < 24 || target.height < 24) {
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.name || el.id).trim()
        .slice(0, 30)}" ${Math.round(target.width)}x${Math.round(target.height)}`);
    }
  }
  return small;
}"""

# A button whose label breaks inside a word ("Entr|egar"): main's overflow-wrap lets a squeezed
# button do that unless the button keeps its words whole.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const el of document.querySelectorAll("button, [role=button]")) {
    if (!el.getBoundingClientRect().width) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        if (range.getClientRects().length > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def log_in(context, base_url, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            },
            {"name": "django_language", "value": "es", "url": base_url},
        ]
    )


@pytest.fixture
def school():
    teacher, student = make_user("profe"), make_user("ana")
    classroom = make_classroom(teacher, name="Emprendimiento")
    assignment = make_assignment(classroom, title="Bloque de relaciones")
    classroom.join(student)
    canvas = create_sample_canvas(student)
    # A long title widens the class page's select of canvases to hand in, beside the one-word
    # button of an assignment not handed in yet ("Entregar").
    Canvas.objects.create(owner=student, title="Academia de idiomas Babel · segundo trimestre")
    make_assignment(classroom, title="Segunda entrega")
    # A team, for its teacher's page: the long title of its assignment in the breadcrumb.
    title = "Relaciones de vuestro negocio (en equipo)"
    team_work = make_assignment(classroom, title=title, team_work=True)
    Team.start(team_work, "Masa Madre y Cía.", [student])
    submission = assignment.submit(student, canvas)
    anchor = submission.block.relationships[0].anchor
    Comment.objects.create(submission=submission, author=teacher, anchor=anchor, body="¿Cuánto?")
    submission.set_verdict(Submission.Status.CHANGES_REQUESTED, "Pon cifras", teacher)
    # The canvas is shared: the teacher reads it, a link waits, and an investor has a link.
    CanvasMember.objects.create(canvas=canvas, user=teacher, role="viewer")
    Invitation.objects.create(canvas=canvas, invited_by=student, role="editor")
    ShareLink.objects.create(canvas=canvas, created_by=student)
    return teacher, student, classroom, assignment, canvas, submission


def pages(school):
    teacher, student, classroom, assignment, canvas, submission = school
    yield student, reverse("canvas_members", args=[canvas.pk])
    yield teacher, reverse("canvas_detail", args=[canvas.pk])  # read-only, as a viewer
    yield teacher, reverse("invitation", args=[canvas.invitations.get().token])
    yield None, reverse("shared", args=[canvas.share_links.get().token])
    yield student, reverse("canvas_list")
    yield student, reverse("canvas_detail", args=[canvas.pk])
    yield student, reverse("help")
    yield student, reverse("class_list")
    yield student, reverse("class_detail", args=[classroom.pk])
    yield student, f"{reverse('assignment_submit', args=[assignment.pk])}?canvas={canvas.pk}"
    yield student, reverse("submission_feedback", args=[submission.pk])
    yield teacher, reverse("class_detail", args=[classroom.pk])
    yield teacher, reverse("assignment_dashboard", args=[assignment.pk])
    yield teacher, reverse("assignment_edit", args=[assignment.pk])
    yield teacher, reverse("submission_review", args=[submission.pk])
    yield teacher, reverse("team_detail", args=[Team.objects.get().pk])
    yield None, reverse("login")
    yield None, reverse("signup")


def test_no_page_scrolls_sideways_has_a_tiny_control_or_a_broken_word(browser, live_server, school):
    problems = {}
    for user, url in pages(school):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
        if user is not None:
            log_in(context, live_server.url, user)
        page = context.new_page()
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        # The cards' lists of costs, as someone who opens them sees them.
        page.evaluate("document.querySelectorAll('details.costs').forEach(d => d.open = true)")
        width = page.evaluate("document.documentElement.scrollWidth")
        small = page.evaluate(SMALL_TARGETS)
        broken = page.evaluate(BROKEN_WORDS)
        if width > 390 or small or broken:
            problems[url] = {"width": width, "small": small, "broken words": broken}
        context.close()
    assert problems == {}, "\n".join(f"{u}: {p}" for u, p in problems.items())


def test_the_header_folds_into_a_menu_on_a_phone_and_still_shows_new_feedback(
    browser, live_server, school
):
    _teacher, student, *_rest = school
    for width, folded in [(390, True), (1366, False)]:
        context = browser.new_context(viewport={"width": width, "height": 844}, locale="es-ES")
        log_in(context, live_server.url, student)
        page = context.new_page()
        page.goto(live_server.url + reverse("canvas_list"))
        menu = page.locator("details.site-menu")
        assert menu.evaluate("m => m.open") is (not folded)
        classes = page.get_by_role("link", name=re.compile("Mis clases"))
        if folded:
            assert not classes.is_visible()
            assert page.locator("details.site-menu > summary .badge.new").is_visible()
            page.locator("details.site-menu > summary").click()
        assert classes.is_visible()
        context.close()


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_language_select_keeps_its_name_clear_of_its_arrow(browser, live_server, language):
    """The header's select of languages: "English" ran into the arrow drawn at its right."""
    context = browser.new_context(viewport={"width": 1366, "height": 844})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    text_end, arrow_start = page.evaluate("""() => {
      const select = document.querySelector("#language-select");
      const style = getComputedStyle(select);
      const measure = document.createElement("canvas").getContext("2d");
      measure.font = style.font;
      const name = select.options[select.selectedIndex].text;
      const width = select.getBoundingClientRect().width;
      const fromRight = parseFloat(style.backgroundPosition.match(/100% - ([\\d.]+)px/)[1]);
      return [
        parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft)
          + measure.measureText(name).width,
        width - fromRight - parseFloat(style.backgroundSize),
      ];
    }""")
    context.close()
    assert text_end <= arrow_start


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_new_canvas_box_shows_its_whole_example_and_a_one_line_button(
    browser, live_server, language, width
):
    context = browser.new_context(viewport={"width": width, "height": 844})
    log_in(context, live_server.url, make_user("ana"))
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("canvas_list"))
    room, example, lines = page.evaluate("""() => {
      const input = document.querySelector(".new-canvas input[name=title]");
      const style = getComputedStyle(input);
      const measure = document.createElement("canvas").getContext("2d");
      measure.font = style.font;
      const button = document.querySelector(".new-canvas button");
      const b = getComputedStyle(button);
      const inner = button.clientHeight - parseFloat(b.paddingTop) - parseFloat(b.paddingBottom);
      return [
        input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
        measure.measureText(input.placeholder).width,
        Math.round(inner / parseFloat(b.lineHeight)),
      ];
    }""")
    context.close()
    assert example <= room
    assert lines == 1


@pytest.mark.parametrize("width", [390, 1366])
def test_the_class_page_keeps_each_students_button_on_their_line(
    browser, live_server, school, screenshot_dir, width
):
    """On the teacher's class page each student's "Quitar" stood on a line of its own."""
    teacher, _student, classroom, *_rest = school
    for name in ("bea", "maria-jose-fernandez-de-cordoba"):
        classroom.join(make_user(name))
    removed = make_user("dario")
    classroom.join(removed)
    classroom.memberships.get(student=removed).remove()
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="es-ES")
    log_in(context, live_server.url, teacher)
    page = context.new_page()
    page.goto(live_server.url + reverse("class_detail", args=[classroom.pk]))
    page.screenshot(path=str(screenshot_dir / f"class-teacher-{width}.png"), full_page=True)
    rows = page.evaluate("""() => [...document.querySelectorAll(".student-list li")].map(li => {
      const name = document.createRange();
      name.selectNodeContents(li.firstChild);
      const text = name.getBoundingClientRect(), button = li.querySelector("button");
      const box = button.getBoundingClientRect(), row = li.getBoundingClientRect();
      return [li.innerText.trim(), Math.abs((text.top + text.bottom - box.top - box.bottom) / 2),
              Math.round(row.right - box.right)];
    })""")
    width_used = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert len(rows) == 4  # three students in the class, one removed from it
    for label, off_centre, from_end in rows:
        assert off_centre < 4, label  # the button beside the name, not under it
        assert from_end == 0, label  # and at the end of the line, the buttons in a column
    assert width_used <= width


@pytest.mark.parametrize("width", [390, 1366])
def test_the_select_of_canvases_shows_what_tells_two_long_titles_apart(
    browser, live_server, school, screenshot_dir, width
):
    """Two canvases whose long titles share their start read alike in a phone's select."""
    _teacher, student, classroom, *_rest = school
    Canvas.objects.create(owner=student, title="Academia de idiomas Babel · primer trimestre")
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="es-ES")
    log_in(context, live_server.url, student)
    page = context.new_page()
    page.goto(live_server.url + reverse("class_detail", args=[classroom.pk]))
    select = page.locator("select[name=canvas]").first
    seen = {}
    for option in select.locator("option").all():
        select.select_option(option.get_attribute("value"))
        # What the closed select shows of its choice: as much of the label as its box holds.
        seen[option.get_attribute("title") or option.inner_text()] = select.evaluate("""s => {
          const style = getComputedStyle(s), measure = document.createElement("canvas")
            .getContext("2d");
          measure.font = style.font;
          const room = s.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          const label = s.options[s.selectedIndex].text;
          let shown = label.length;
          while (measure.measureText(label.slice(0, shown)).width > room) shown--;
          return label.slice(0, shown);
        }""")
    select.select_option(str(Canvas.objects.get(title__contains="primer").pk))
    page.locator("article footer form").first.screenshot(
        path=str(screenshot_dir / f"class-student-select-{width}.png")
    )
    context.close()
    assert "primer" in seen["Academia de idiomas Babel · primer trimestre"]
    assert "segundo" in seen["Academia de idiomas Babel · segundo trimestre"]
    assert len(set(seen.values())) == len(seen)
