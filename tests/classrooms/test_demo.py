from io import StringIO

import pytest
from django.core.management import call_command

from classrooms.models import Classroom, Submission

pytestmark = pytest.mark.django_db


def test_demo_class_shows_every_state_and_is_created_once():
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())
    assert "Demo teacher login: profe / " in out.getvalue()
    classroom = Classroom.objects.get(teacher__username="profe")
    assert classroom.memberships.count() == 12
    latest = Submission.objects.filter(assignment__classroom=classroom).latest_per_student()
    statuses = {s.status for s in latest}
    assert statuses == {"submitted", "changes_requested", "approved"}
    assert [s.student.username for s in latest if s.is_late] == ["camila"]  # the one sent late
    assert latest.count() == 10  # two students have not handed in
    unread = [
        s.student.username
        for s in latest
        if Submission.objects.with_unread_feedback(s.student).filter(pk=s.pk).exists()
    ]
    assert unread == ["demo"]  # the others have read theirs
