from django.db import migrations, models


class Migration(migrations.Migration):
    """The watch list's kinds labelled as a reader can tell them from the stored codes (labels only)."""

    dependencies = [
        ("alerts", "0011_device_time_zone"),
    ]

    operations = [
        migrations.AlterField(
            model_name="hotlistentry",
            name="kind",
            field=models.CharField(choices=[("plate", "Vehicle plate"), ("person", "Person reference")], max_length=8),
        ),
    ]
