from django.db import migrations


class Migration(migrations.Migration):
    """Apart from 0009: on PostgreSQL its inserts leave deferred foreign-key checks that an ALTER TABLE of the
    checkpoints in the same transaction would refuse."""

    dependencies = [
        ("alerts", "0009_enginesnapshot"),
    ]

    operations = [
        migrations.RemoveField(model_name="checkpoint", name="state"),
    ]
