"""Jobs that failed before a roster's failure was stored as a code kept a bilingual text ("中文 / English")
under ``unreadable_roster`` or ``empty_roster``, shown in both languages on every page. Their English half is
read back into the code and parameters that pages now render in the reader's language
(``pingan.screening.failures.parse_stored``); a text no pattern fits stays as it was (``error`` is then what
the page shows)."""

from django.db import migrations

#: The English of an empty roster before it named the file (the file's name is the job's ``roster_name``).
_LEGACY = {"empty_roster": "No data rows below the header (row %(header_row)s): add the employees or tenants and "
                           "submit again."}


def failures_as_codes(apps, schema_editor):
    from pingan.screening.failures import parse_stored, parse_stored_roster
    from pingan.screening.roster import english

    ScreeningJob = apps.get_model("screening", "ScreeningJob")
    stale = ScreeningJob.objects.filter(status="failed", error_code__in=("unreadable_roster", "empty_roster"))
    for job in stale.only("pk", "error", "roster_name").iterator():
        # the roster errors' English as it is now and as it was (failures.ROSTER_ERRORS_BEFORE)
        found = parse_stored_roster(job.error) or parse_stored(job.error, _LEGACY)
        if found is None:
            continue
        code, params = found
        if code == "empty_roster":
            params = {"name": job.roster_name, **params}
            text = english(code, params, {"empty_roster": "%(name)s: no data rows below the header (row "
                                                          "%(header_row)s): add the employees or tenants and submit "
                                                          "again."})
        else:
            text = english(code, params)
        ScreeningJob.objects.filter(pk=job.pk).update(error_code=code, error_params=params, error=text)


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0008_reevaluation"),
    ]

    operations = [
        migrations.RunPython(failures_as_codes, migrations.RunPython.noop),
    ]
