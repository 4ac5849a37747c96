"""Who has read a submission's feedback, per reader: one member of a team reading it no longer
clears the badge of the others.

What was read before the change stays read: a submission its student or team had opened since
its feedback last changed counts as read by the student who handed it in and by each member of
its team now, since nobody can tell which member it was. Any later feedback lights the badge
again for every one of them, each on their own.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def seen_per_reader(apps, schema_editor):
    Submission = apps.get_model("classrooms", "Submission")
    TeamMember = apps.get_model("classrooms", "TeamMember")
    FeedbackSeen = apps.get_model("classrooms", "FeedbackSeen")
    seen = Submission.objects.filter(feedback_seen_at__isnull=False)
    members: dict[int, set[int]] = {}
    for team_id, student_id in TeamMember.objects.filter(team__in=seen.values("team")).values_list(
        "team_id", "student_id"
    ):
        members.setdefault(team_id, set()).add(student_id)
    rows = [
        FeedbackSeen(submission_id=pk, student_id=reader, seen_at=seen_at)
        for pk, student_id, team_id, seen_at in seen.values_list(
            "pk", "student_id", "team_id", "feedback_seen_at"
        ).iterator()
        for reader in {student_id} | members.get(team_id, set())
    ]
    FeedbackSeen.objects.bulk_create(rows, batch_size=1000)


def seen_per_submission(apps, schema_editor):
    """Back to one time per submission: the latest any of its readers opened it."""
    Submission = apps.get_model("classrooms", "Submission")
    FeedbackSeen = apps.get_model("classrooms", "FeedbackSeen")
    latest = (
        FeedbackSeen.objects.filter(submission=models.OuterRef("pk"))
        .order_by("-seen_at")
        .values("seen_at")[:1]
    )
    Submission.objects.update(feedback_seen_at=models.Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("classrooms", "0007_teams"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedbackSeen",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seen_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "student",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="seen_by",
                        to="classrooms.submission",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("submission", "student"), name="feedback_seen_once_per_student"
                    )
                ],
            },
        ),
        migrations.RunPython(seen_per_reader, seen_per_submission),
        migrations.RemoveField(model_name="submission", name="feedback_seen_at"),
    ]
