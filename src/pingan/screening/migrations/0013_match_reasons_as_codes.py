"""Hits' match reasons stored as codes and parameters (``screening.match_reasons.stored``) instead of the engine's
English lines, which pages parsed at display time (issue 11). Reversible: back to the lines
(``match_reasons.line``)."""

from django.db import migrations

BATCH = 2000


def _convert(apps, to_codes: bool) -> None:
    from pingan.screening.match_reasons import line, stored

    Hit = apps.get_model("screening", "Hit")
    changed = []
    for hit in Hit.objects.only("id", "match_reasons").order_by("id").iterator(chunk_size=BATCH):
        reasons = hit.match_reasons or []
        new = stored(reasons) if to_codes else [line(r) for r in reasons]
        if new != reasons:
            hit.match_reasons = new
            changed.append(hit)
        if len(changed) >= BATCH:
            Hit.objects.bulk_update(changed, ["match_reasons"])
            changed = []
    if changed:
        Hit.objects.bulk_update(changed, ["match_reasons"])


def forwards(apps, schema_editor):
    _convert(apps, True)


def backwards(apps, schema_editor):
    _convert(apps, False)


class Migration(migrations.Migration):
    dependencies = [("screening", "0012_job_notes_as_codes_only")]
    operations = [migrations.RunPython(forwards, backwards)]
