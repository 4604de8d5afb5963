"""The results' and hits' own ``job_id`` indexes go: the ``(job, level)`` and ``(job, silent)`` indexes and
the ``(job, row)`` constraint lead with ``job_id`` and serve the same look-ups, and a re-evaluation rewrites
tens of thousands of result and hit rows with every index they have (docs/screening.md, Benchmark)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0010_unscreened_rows_have_no_level"),
    ]

    operations = [
        migrations.AlterField(
            model_name="hit",
            name="job",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="hits", to="screening.screeningjob"),
        ),
        migrations.AlterField(
            model_name="personresult",
            name="job",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="persons", to="screening.screeningjob"),
        ),
    ]
