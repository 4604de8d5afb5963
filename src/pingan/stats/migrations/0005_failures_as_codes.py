"""Imports that failed because their file could not be read kept why as two texts (``error_params``
``message`` in English and ``message_zh``). Where the English is one of the known messages, it becomes a
message of its own (``{"code", "params", "text"}``) that pages render in the reader's language
(``pingan.core.errors.localised``); otherwise the two texts stay (each language still gets its own)."""

from django.db import migrations


def failures_as_codes(apps, schema_editor):
    from pingan.screening.failures import parse_stored_roster
    from pingan.screening.roster import english
    from pingan.stats.importers.bureau import BureauFileError

    ImportBatch = apps.get_model("stats", "ImportBatch")
    for batch in ImportBatch.objects.filter(error_code="stats_unreadable_file").only("pk", "error_params").iterator():
        message = batch.error_params.get("message")
        if not isinstance(message, str) or (found := parse_stored_roster(message, BureauFileError.MESSAGES)) is None:
            continue
        code, params = found
        nested = {"code": code, "params": params, "text": english(code, params, BureauFileError.MESSAGES)}
        rest = {k: v for k, v in batch.error_params.items() if k not in ("message", "message_zh")}
        ImportBatch.objects.filter(pk=batch.pk).update(error_params={**rest, "message": nested})


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0004_import_leased_job"),
    ]

    operations = [
        migrations.RunPython(failures_as_codes, migrations.RunPython.noop),
    ]
