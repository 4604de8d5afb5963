"""When the code was suspended for an open review (issue 11): a review outlives a suspension — lifted by a new
code it becomes a ``left_out`` review, suspended again it becomes the suspension once more — so its
``created_at`` named the earlier, lifted suspension (the police queue said "suspended 00:11" of a code issued
00:12 and suspended 00:13). Existing suspensions get their ``created_at``, the best the rows knew."""

from django.db import migrations, models
from django.db.models import F


def _fill(apps, schema_editor):
    review = apps.get_model("codes", "CodeReview")
    review.objects.filter(kind="suspension").update(suspended_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [("codes", "0006_revocation_hot_updates")]

    operations = [
        migrations.AddField(model_name="codereview", name="suspended_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(_fill, migrations.RunPython.noop),
    ]
