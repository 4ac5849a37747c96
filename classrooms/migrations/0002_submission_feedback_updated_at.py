from django.db import migrations, models


def feedback_changed_when_reviewed(apps, schema_editor):
    """Until now only a verdict lit the student's badge: start from the time of the verdict."""
    Submission = apps.get_model("classrooms", "Submission")
    Submission.objects.filter(reviewed_at__isnull=False).update(
        feedback_updated_at=models.F("reviewed_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("classrooms", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="feedback_updated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(feedback_changed_when_reviewed, migrations.RunPython.noop),
    ]
