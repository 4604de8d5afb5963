"""The latest-finished-job pointer (``ScreeningJob.is_latest``), back-filled for the jobs already stored.

The back-fill marks, for each premises, its ``done`` job with the highest id — the rule that
``pingan.screening.services.screening_job_latest_refresh`` keeps from then on. Two UPDATEs, whatever the
number of premises; the constraints are added afterwards, so the database checks the back-fill.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def backfill_latest(apps, schema_editor):
    job = apps.get_model("screening", "ScreeningJob")
    db = schema_editor.connection.alias
    newer = job.objects.using(db).filter(premises=OuterRef("premises"), status="done", pk__gt=OuterRef("pk"))
    latest = job.objects.using(db).filter(status="done", premises__isnull=False).exclude(Exists(newer))
    job.objects.using(db).filter(pk__in=latest.values("pk")).update(is_latest=True)


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0002_rejected_row_given_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="screeningjob",
            name="is_latest",
            field=models.BooleanField(default=False, editable=False,
                                      help_text="the premises' latest finished job (set by the screening services)"),
        ),
        migrations.RunPython(backfill_latest, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="screeningjob",
            constraint=models.UniqueConstraint(condition=models.Q(("is_latest", True)), fields=("premises",),
                                               name="one_latest_job_per_premises"),
        ),
        migrations.AddConstraint(
            model_name="screeningjob",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_latest", False), models.Q(("premises__isnull", False), ("status", "done")),
                                   _connector="OR"),
                name="latest_job_is_done"),
        ),
    ]
