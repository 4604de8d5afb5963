"""A finished job kept how its roster was read and whether the risk data covered its window twice: as codes
and parameters (``notes``, ``risk_data_notes``, which pages say in their reader's language) and as bilingual
text ("中文 / English": ``warnings``, ``risk_data_warnings``). The text goes where the codes are (issue 11:
store codes, render at display time); a job stored before the codes keeps its text, of which a page shows the
half of its reader's language (``pingan.core.texts.legacy``).

Reverse: nothing to undo — the codes hold everything the text said, and code of either version reads them
first."""

from django.db import migrations


def drop_text_beside_codes(apps, schema_editor):
    ScreeningJob = apps.get_model("screening", "ScreeningJob")
    for job in ScreeningJob.objects.filter(status="done").only("pk", "stats").iterator(chunk_size=500):
        stats = dict(job.stats or {})
        kept = {k: v for k, v in stats.items()
                if not (k == "warnings" and "notes" in stats) and not (k == "risk_data_warnings"
                                                                      and "risk_data_notes" in stats)}
        if kept != stats:
            ScreeningJob.objects.filter(pk=job.pk).update(stats=kept)


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0011_job_indexes_lead_composites"),
    ]

    operations = [
        migrations.RunPython(drop_text_beside_codes, migrations.RunPython.noop),
    ]
