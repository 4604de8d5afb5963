import django.db.models.deletion
from django.db import migrations, models


def _storage_external(apps, schema_editor):
    """The state is MessagePack, already compact: PostgreSQL stores it out of line without trying to
    compress it (pglz on ~20 MB every save cost more than it saved)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE alerts_enginesnapshot ALTER COLUMN state SET STORAGE EXTERNAL")


def _move_states(apps, schema_editor):
    """Each saved state moves to its own row; the checkpoint's JSON summary of it goes (a checkpoint's
    ``snapshot`` now holds only a handover's state)."""
    import msgspec

    Checkpoint = apps.get_model("alerts", "Checkpoint")
    EngineSnapshot = apps.get_model("alerts", "EngineSnapshot")
    for cp in Checkpoint.objects.exclude(state=None):
        state = bytes(cp.state)
        if not state:
            continue
        summary = cp.snapshot or {}
        position = summary.get("position")
        if position is None:
            position = msgspec.msgpack.decode(state).get("position", 0)
        EngineSnapshot.objects.create(checkpoint=cp, position=position, state=state,
                                      entries=summary.get("entries", 0), size=len(state), saved_at=cp.updated_at)
        cp.snapshot = {}
        cp.save(update_fields=["snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0008_device_name_en"),
    ]

    operations = [
        migrations.CreateModel(
            name="EngineSnapshot",
            fields=[
                ("checkpoint", models.OneToOneField(db_column="consumer", on_delete=django.db.models.deletion.CASCADE,
                                                    primary_key=True, related_name="saved_state",
                                                    serialize=False, to="alerts.checkpoint")),
                ("position", models.BigIntegerField()),
                ("state", models.BinaryField()),
                ("entries", models.BigIntegerField(default=0, help_text="rule-state entries held (all engines)")),
                ("size", models.BigIntegerField(default=0, help_text="bytes of ``state``")),
                ("saved_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(_storage_external, migrations.RunPython.noop),
        migrations.RunPython(_move_states, migrations.RunPython.noop),
    ]
