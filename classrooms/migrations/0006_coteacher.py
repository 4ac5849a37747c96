"""Co-teachers get a row of their own, to remember whether they were told they were added.

The plain many-to-many's table becomes the ``CoTeacher`` model's as it is (same table, same
columns, no copy); its unnamed unique index gives way to a named constraint; ``seen_at`` is new,
and co-teachers added before this were there already, so they are not told again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def mark_existing_seen(apps, schema_editor):
    CoTeacher = apps.get_model("classrooms", "CoTeacher")
    CoTeacher.objects.filter(seen_at__isnull=True).update(seen_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("classrooms", "0005_submission_viability_warnings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CoTeacher",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "classroom",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="co_teacherships",
                                to="classrooms.classroom",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="co_teacherships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "classrooms_classroom_co_teachers",
                        "ordering": ["pk"],
                        # What the many-to-many's table has: undone just below.
                        "unique_together": {("classroom", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="classroom",
                    name="co_teachers",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="co_taught_classes",
                        through="classrooms.CoTeacher",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="co-teachers",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterUniqueTogether(name="coteacher", unique_together=set()),
        migrations.AddConstraint(
            model_name="coteacher",
            constraint=models.UniqueConstraint(
                fields=("classroom", "user"), name="co_teacher_once_per_class"
            ),
        ),
        migrations.AddField(
            model_name="coteacher",
            name="seen_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing_seen, migrations.RunPython.noop),
    ]
