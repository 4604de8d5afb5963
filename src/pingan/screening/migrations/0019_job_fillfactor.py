"""Leave room in the jobs table's pages (PostgreSQL ``fillfactor`` 50) so that rewriting a job's ``counts`` and
``reevaluated_at`` — neither is indexed — is a HOT update: the new row version goes on the same page and none
of the table's seven indexes gets a new entry. A re-evaluation rewrites every changed job once (a day's movement
records: ~43,000 jobs at 1,000,000 screened people); with full pages only 22,122 of 158,935 such updates were
HOT and each of the others wrote seven index entries (docs/screening.md, "Continuous re-screening").

The setting applies to pages written from now on: a new database has it from the start; an existing one's rows
get the room as they are rewritten, or at once by ``VACUUM FULL screening_screeningjob`` (locks the table while
it copies it: one row per screening, small beside the results). The reverse resets the default (100).
"""

from django.db import migrations


def _set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE screening_screeningjob SET (fillfactor = 50)")


def _reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE screening_screeningjob RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("screening", "0018_off_roster_corrected_rows")]

    operations = [migrations.RunPython(_set, _reset)]
