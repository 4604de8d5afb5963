"""Let a re-evaluation rewrite a result row in place (a PostgreSQL HOT update: the new row version on the same
page, no new index entry): the ``(job, level)`` index goes, and the results table leaves room in its pages
(``fillfactor`` FILLFACTOR).

A re-evaluation rewrites every changed person's ``level``, rules, reasons and explanation (a day's movement
records: ~95,000 of 1,000,000 rows). With ``level`` in an index no such update could be HOT, so each new row
version went into all three indexes of the table (0 of 125,024 updates were HOT in issue 10's benchmark). No read
needs ``level`` in the index: a job's rows are found through the ``(job, row)`` constraint's index (a job's
few dozen rows, then filtered by level: the job page, the per-level counts, the police's flagged list per job),
and nothing looks results up by level across jobs through it (its leading column is the job).

The room applies to pages written from now on: a new database has it from the start (a screening's ``COPY``
fills pages only to the fill factor); an existing one's rows get it as they are rewritten, or at once by
``VACUUM FULL screening_personresult`` (locks the table while it copies it). The index is dropped at once. The
reverse recreates the index and resets the default fill factor (100).
"""

from django.db import migrations, models

FILLFACTOR = 80


def _set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE screening_personresult SET (fillfactor = {FILLFACTOR})")


def _reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE screening_personresult RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("screening", "0019_job_fillfactor")]

    operations = [
        migrations.RemoveIndex(model_name="personresult", name="screening_p_job_id_d1f726_idx"),
        migrations.RunPython(_set, _reset),
    ]
