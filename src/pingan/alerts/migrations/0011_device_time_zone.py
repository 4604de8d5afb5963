from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0010_remove_checkpoint_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="time_zone",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
    ]
