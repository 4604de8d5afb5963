"""Import notes (``ImportBatch.notes``) were stored as ``{"code": "encoding", "params": …, "en": "encoding
utf-8"}``: an English text beside the code, and codes of their own kind that ``pingan.stats.present`` rendered
with its own registry. They become messages of ``pingan.core.texts`` like every other stored message — the code
``stats_import.<name>`` and its parameters, no text (said in the reader's language when shown; the API in
English). A note stored as plain text by an early import stays as it is."""

from django.db import migrations

NAMES = {"placed_by_point", "homicides_placed_by_point", "crashes_placed_by_point", "outside_districts", "encoding",
         "header_row"}
PREFIX = "stats_import."


def _convert(notes, forward: bool):
    out = []
    for n in notes:
        if isinstance(n, dict) and forward and n.get("code") in NAMES:
            n = {"code": PREFIX + n["code"], "params": n.get("params") or {}}
        elif isinstance(n, dict) and not forward and str(n.get("code", "")).startswith(PREFIX):
            n = {**n, "code": n["code"][len(PREFIX):]}  # the earlier release renders its bare codes itself
        out.append(n)
    return out


def _migrate(apps, forward: bool):
    ImportBatch = apps.get_model("stats", "ImportBatch")
    for batch in ImportBatch.objects.exclude(notes=[]).only("pk", "notes").iterator():
        notes = _convert(batch.notes or [], forward)
        if notes != batch.notes:
            ImportBatch.objects.filter(pk=batch.pk).update(notes=notes)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0005_failures_as_codes"),
    ]

    operations = [
        migrations.RunPython(lambda apps, _schema: _migrate(apps, True), lambda apps, _schema: _migrate(apps, False)),
    ]
