from django.db import migrations, models


def _storage_external(apps, schema_editor):
    """The state is MessagePack, already compact: PostgreSQL stores it out of line without trying to
    compress it (pglz on ~20 MB every save cost more than it saved)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE alerts_checkpoint ALTER COLUMN state SET STORAGE EXTERNAL")


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0006_loggedevent_two_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkpoint",
            name="state",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.RunPython(_storage_external, migrations.RunPython.noop),
    ]
