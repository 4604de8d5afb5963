"""Reason 5, ``overridden``: a code replaced by the code of an approved level change (four-eyes) read
"replaced after a new screening". The codes already revoked that way get their true reason."""

from django.db import migrations, models


def overridden_codes(apps, schema_editor):
    SafetyCode = apps.get_model("codes", "SafetyCode")
    LevelOverride = apps.get_model("codes", "LevelOverride")
    issued = LevelOverride.objects.filter(status="approved", issued_code__isnull=False).values("issued_code_id")
    SafetyCode.objects.filter(revocation_reason="rescreened", superseded_by__in=issued).update(
        revocation_reason="overridden")


def rescreened_codes(apps, schema_editor):
    apps.get_model("codes", "SafetyCode").objects.filter(revocation_reason="overridden").update(
        revocation_reason="rescreened")


class Migration(migrations.Migration):

    dependencies = [
        ('codes', '0002_derived_codes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='safetycode',
            name='revocation_reason',
            field=models.CharField(blank=True, choices=[('rescreened', 'rescreened'), ('fraud', 'fraud'), ('error', 'error'), ('suspended', 'suspended'), ('overridden', 'overridden')], default='', max_length=12),
        ),
        migrations.RunPython(overridden_codes, rescreened_codes),
    ]
